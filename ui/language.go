package ui

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/assets"
	"github.com/phoneset/phoneset/third_party/fynelang"
)

// UseLanguage makes the app speak code ("en" or "sv") whatever the system
// locale is: the user's language setting wins. Fyne picks translations by
// the system locale, so the chosen messages are registered under the system
// locale's language.
//
// Each registration carries Fyne's own messages ("Quit", "Cancel", weekday
// names) in the chosen language too: a locale tag such as en-US or de-DE
// is new to Fyne, and a tag without them made each of Fyne's lookups log a
// translation failure (and left them English in a Swedish UI).
func UseLanguage(code string) error {
	data, err := translation(code)
	if err != nil {
		return err
	}
	// Fyne picks by the system's tag, so registering under it alone is
	// enough, and each registration parses the whole file again (~3 ms
	// before the first frame). Should Fyne name a tag the file loader cannot
	// parse, the shipped languages take the messages instead.
	if lang.AddTranslationsForLocale(data, fyne.Locale(lang.SystemLocale().LanguageString())) == nil {
		speaking = code
		return nil
	}
	for _, l := range api.Languages {
		if err := lang.AddTranslationsForLocale(data, fyne.Locale(l)); err != nil {
			return err
		}
	}
	speaking = code
	return nil
}

// speaking is the language UseLanguage registered last, for what the app
// shows outside its window (the browser's page after single sign-on).
var speaking = "en"

// systemLanguage is the shipped language of the system locale, else English.
func systemLanguage() string {
	base, _, _ := strings.Cut(lang.SystemLocale().LanguageString(), "-")
	if slices.Contains(api.Languages, base) {
		return base
	}
	return "en"
}

// translation is code's complete message file: Fyne's messages, then the
// app's. English is the source language, so its app file only holds plural
// forms; the reasons' English comes from api; every other key maps to
// itself. Registering it undoes a previously chosen language.
func translation(code string) ([]byte, error) {
	if !slices.Contains(api.Languages, code) {
		return nil, fmt.Errorf("language %q is not shipped", code)
	}
	out := map[string]json.RawMessage{}
	fyneMsgs, err := fynelang.Messages(code)
	if err != nil {
		return nil, err
	}
	if err := mergeMessages(out, fyneMsgs, "Fyne's "+code); err != nil {
		return nil, err
	}
	app, err := assets.Translations.ReadFile("translations/" + code + ".json")
	if err != nil {
		return nil, err
	}
	if code == "en" {
		sv, err := assets.Translations.ReadFile("translations/sv.json")
		if err != nil {
			return nil, err
		}
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(sv, &keys); err != nil {
			return nil, fmt.Errorf("sv.json: %w", err)
		}
		for k := range keys {
			out[k], _ = json.Marshal(k)
		}
		for _, code := range api.ReasonCodes() {
			out[reasonKey(code)], _ = json.Marshal(api.ReasonText(code))
		}
	}
	if err := mergeMessages(out, app, code+".json"); err != nil {
		return nil, err
	}
	return json.Marshal(out)
}

// mergeMessages adds the messages of a go-i18n JSON file to out; later
// files win.
func mergeMessages(out map[string]json.RawMessage, file []byte, name string) error {
	var msgs map[string]json.RawMessage
	if err := json.Unmarshal(file, &msgs); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	for k, v := range msgs {
		out[k] = v
	}
	return nil
}
