package assets

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/phoneset/phoneset/api"
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
	for _, code := range api.ReasonCodes() {
		keys[reasonPrefix+code] = true
	}
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

// reasonPrefix starts the message ID of a reason code (see ui's reasonKey).
const reasonPrefix = "error."

// TestReasonsTranslated checks every reason code the server or the app's own
// validation can give: it has English (in api) and Swedish text, and both
// use the same arguments, so no translation leaves one out or asks for one
// that is never given.
func TestReasonsTranslated(t *testing.T) {
	var sv map[string]any
	data, err := Translations.ReadFile("translations/sv.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &sv); err != nil {
		t.Fatalf("sv.json: %v", err)
	}
	arg := regexp.MustCompile(`{{\s*\.(\w+)\s*}}`)
	args := func(s string) []string {
		var out []string
		for _, m := range arg.FindAllStringSubmatch(s, -1) {
			out = append(out, m[1])
		}
		slices.Sort(out)
		return out
	}
	for _, code := range api.ReasonCodes() {
		en := api.ReasonText(code)
		if en == "" {
			t.Errorf("reason %s has no English", code)
		}
		swedish, ok := sv[reasonPrefix+code].(string)
		if !ok || swedish == "" {
			t.Errorf("sv.json lacks reason %s", code)
			continue
		}
		if !slices.Equal(args(en), args(swedish)) {
			t.Errorf("reason %s: English uses %v, Swedish %v", code, args(en), args(swedish))
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
