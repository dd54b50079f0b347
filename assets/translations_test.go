package assets

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// uiStrings finds every literal passed to lang.L / lang.LocalizePlural in ui/.
func uiStrings(t *testing.T) map[string]bool {
	re := regexp.MustCompile(`lang\.(?:L|LocalizePlural)\("((?:[^"\\]|\\.)*)"`)
	files, err := filepath.Glob("../ui/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no ui sources found: %v", err)
	}
	keys := map[string]bool{}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			keys[m[1]] = true
		}
	}
	return keys
}

func TestSwedishCoversEveryUIString(t *testing.T) {
	var sv map[string]json.RawMessage
	data, err := Translations.ReadFile("translations/sv.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &sv); err != nil {
		t.Fatalf("sv.json: %v", err)
	}
	keys := uiStrings(t)
	for k := range keys {
		if _, ok := sv[k]; !ok {
			t.Errorf("sv.json lacks %q", k)
		}
	}
	for k := range sv {
		if !keys[k] {
			t.Errorf("sv.json has %q, which ui/ no longer uses", k)
		}
	}
}

func TestTranslationsParse(t *testing.T) {
	entries, err := Translations.ReadDir("translations")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, _ := Translations.ReadFile("translations/" + e.Name())
		var v map[string]any
		if err := json.Unmarshal(data, &v); err != nil {
			t.Errorf("%s: %v", e.Name(), err)
		}
	}
}
