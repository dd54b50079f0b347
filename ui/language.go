package ui

import (
	"encoding/json"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/assets"
)

// UseLanguage makes the app speak code ("en" or "sv") whatever the system
// locale is: the user's language setting wins. Fyne picks translations by
// the system locale, so the chosen messages are registered under the system
// locale's language and every language Phoneset ships. They merge with
// Fyne's own messages for those languages, so its dialogs keep working.
func UseLanguage(code string) error {
	data, err := translation(code)
	if err != nil {
		return err
	}
	tags := []fyne.Locale{fyne.Locale(lang.SystemLocale().LanguageString())}
	for _, l := range api.Languages {
		tags = append(tags, fyne.Locale(l))
	}
	for _, tag := range tags {
		if err := lang.AddTranslationsForLocale(data, tag); err != nil {
			return err
		}
	}
	return nil
}

// translation is code's message file. English is the source language, so its
// file only holds plural forms; the reasons' English comes from api; every
// other key maps to itself. Registering it undoes a previously chosen
// language.
func translation(code string) ([]byte, error) {
	if code != "en" {
		return assets.Translations.ReadFile("translations/" + code + ".json")
	}
	var keys map[string]json.RawMessage
	sv, err := assets.Translations.ReadFile("translations/sv.json")
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(sv, &keys); err != nil {
		return nil, fmt.Errorf("sv.json: %w", err)
	}
	var plurals map[string]json.RawMessage
	en, err := assets.Translations.ReadFile("translations/en.json")
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(en, &plurals); err != nil {
		return nil, fmt.Errorf("en.json: %w", err)
	}
	out := make(map[string]any, len(keys))
	for k := range keys {
		out[k] = k
	}
	for _, code := range api.ReasonCodes() {
		out[reasonKey(code)] = api.ReasonText(code)
	}
	for k, v := range plurals {
		out[k] = v
	}
	return json.Marshal(out)
}
