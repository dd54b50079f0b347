package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

func TestAppearance(t *testing.T) {
	setup(t)
	a := fyne.CurrentApp()
	bg := func() any { return a.Settings().Theme().Color(theme.ColorNameBackground, theme.VariantDark) }
	dark := theme.DefaultTheme().Color(theme.ColorNameBackground, theme.VariantDark)
	light := theme.DefaultTheme().Color(theme.ColorNameBackground, theme.VariantLight)

	m := viewMenu(a)
	m.Items[1].Action() // Light
	if bg() != light || !m.Items[1].Checked || m.Items[0].Checked {
		t.Fatalf("light: background %v, checks %v/%v", bg(), m.Items[0].Checked, m.Items[1].Checked)
	}
	m.Items[2].Action() // Dark
	if bg() != dark {
		t.Fatalf("dark: background %v", bg())
	}
	// The choice is remembered for the next start.
	ApplyAppearance(a, AppearanceSystem)
	a.Preferences().SetString(appearanceKey, AppearanceLight)
	RestoreAppearance(a)
	if bg() != light {
		t.Fatal("stored choice not restored")
	}
	if m := viewMenu(a); !m.Items[1].Checked {
		t.Error("menu does not show the stored choice")
	}
}

func TestPagesRenderInLightAndDark(t *testing.T) {
	for _, v := range []struct {
		name    string
		variant fyne.ThemeVariant
	}{{"light", theme.VariantLight}, {"dark", theme.VariantDark}} {
		t.Run(v.name, func(t *testing.T) {
			setup(t)
			fyne.CurrentApp().Settings().SetTheme(variantTheme{theme.DefaultTheme(), v.variant})
			p := NewProfilePage(newFakeModel(), newFakeServer())
			w := show(t, p.Content())
			test.AssertRendersToImage(t, goldenName("profile_"+v.name+".png"), w.Canvas())
		})
	}
}
