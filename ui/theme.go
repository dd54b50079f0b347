package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
)

// Appearance choices, kept in the app's preferences.
const (
	appearanceKey    = "appearance"
	AppearanceSystem = "system"
	AppearanceLight  = "light"
	AppearanceDark   = "dark"
)

// variantTheme is the default theme held to one variant, whatever the
// desktop prefers.
type variantTheme struct {
	fyne.Theme
	variant fyne.ThemeVariant
}

func (t variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.variant)
}

// ApplyAppearance sets the theme for choice and remembers it.
func ApplyAppearance(a fyne.App, choice string) {
	switch choice {
	case AppearanceLight:
		a.Settings().SetTheme(variantTheme{theme.DefaultTheme(), theme.VariantLight})
	case AppearanceDark:
		a.Settings().SetTheme(variantTheme{theme.DefaultTheme(), theme.VariantDark})
	default:
		choice = AppearanceSystem
		a.Settings().SetTheme(theme.DefaultTheme())
	}
	a.Preferences().SetString(appearanceKey, choice)
}

// RestoreAppearance applies the stored choice (the system's by default).
func RestoreAppearance(a fyne.App) {
	ApplyAppearance(a, a.Preferences().StringWithFallback(appearanceKey, AppearanceSystem))
}

// viewMenu offers the appearance choices, the current one checked.
func viewMenu(a fyne.App) *fyne.Menu {
	m := fyne.NewMenu(lang.L("View"))
	for _, c := range []struct{ id, label string }{
		{AppearanceSystem, lang.L("Follow the system theme")},
		{AppearanceLight, lang.L("Light theme")},
		{AppearanceDark, lang.L("Dark theme")},
	} {
		m.Items = append(m.Items, fyne.NewMenuItem(c.label, func() {
			ApplyAppearance(a, c.id)
			for _, it := range m.Items {
				it.Checked = it.Label == c.label
			}
			m.Refresh()
		}))
	}
	cur := a.Preferences().StringWithFallback(appearanceKey, AppearanceSystem)
	for i, id := range []string{AppearanceSystem, AppearanceLight, AppearanceDark} {
		m.Items[i].Checked = id == cur
	}
	return m
}
