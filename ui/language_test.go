package ui

import (
	"testing"

	"fyne.io/fyne/v2/lang"
)

func TestUseLanguageSwitchesBothWays(t *testing.T) {
	setup(t)
	t.Cleanup(func() { UseLanguage("en") })
	tests := []struct {
		code, save, plural string
	}{
		{"sv", "Spara", "Sparar 2 ändringar…"},
		{"en", "Save", "Saving 2 changes…"},
		{"sv", "Spara", "Sparar 2 ändringar…"},
	}
	for _, tt := range tests {
		if err := UseLanguage(tt.code); err != nil {
			t.Fatal(err)
		}
		if got := lang.L("Save"); got != tt.save {
			t.Errorf("%s: Save = %q, want %q", tt.code, got, tt.save)
		}
		if got := lang.LocalizePlural("Saving {{.Count}} change…", 2, map[string]any{"Count": 2}); got != tt.plural {
			t.Errorf("%s: plural = %q, want %q", tt.code, got, tt.plural)
		}
	}
	if err := UseLanguage("de"); err == nil {
		t.Error("an unshipped language was accepted")
	}
}
