package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/api"
)

// APIKeyModel shows, reveals and regenerates the user's API key.
// *client.Client satisfies it.
type APIKeyModel interface {
	APIKey(ctx context.Context) (api.APIKey, error)
	RevealAPIKey(ctx context.Context, password string) (api.APIKey, error)
	RegenerateAPIKey(ctx context.Context, password string) (api.APIKey, error)
}

// APIKeyPage keeps the key masked until the password is entered again.
type APIKeyPage struct {
	model      APIKeyModel
	zone       zoneFunc
	key        *widget.Label
	created    *widget.Label
	password   *passwordEntry
	reveal     *widget.Button
	copyKey    *widget.Button
	regenerate *widget.Button
	problem    *widget.Label
	revealed   string
	content    fyne.CanvasObject
}

// NewAPIKeyPage builds the page; times show in zone.
func NewAPIKeyPage(m APIKeyModel, zone zoneFunc) *APIKeyPage {
	p := &APIKeyPage{model: m, zone: zone}
	p.key = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	p.key.Selectable = true
	p.created = widget.NewLabel("")
	p.password = newPasswordEntry()
	p.password.SetPlaceHolder(lang.L("Your password"))
	p.password.OnChanged = func(string) { p.updateButtons() }
	p.password.OnSubmitted = func(string) { p.Reveal() }
	p.reveal = widget.NewButtonWithIcon(lang.L("Reveal"), theme.VisibilityIcon(), p.Reveal)
	p.copyKey = widget.NewButtonWithIcon(lang.L("Copy"), theme.ContentCopyIcon(), p.Copy)
	p.regenerate = widget.NewButtonWithIcon(lang.L("Regenerate…"), theme.ViewRefreshIcon(), p.confirmRegenerate)
	p.regenerate.Importance = widget.DangerImportance
	p.problem = problemLabel()
	note := widget.NewLabel(lang.L("The API key lets your own tools act as you. Regenerating it stops the old key at once."))
	note.Wrapping = fyne.TextWrapWord
	p.content = container.NewVScroll(container.NewVBox(
		widget.NewCard(lang.L("API key"), "", container.NewVBox(
			note,
			container.NewBorder(nil, nil, nil, p.copyKey, p.key),
			p.created,
			widget.NewForm(widget.NewFormItem(lang.L("Password"), p.password)),
			container.NewHBox(p.reveal, p.regenerate),
			p.problem,
		)),
	))
	p.updateButtons()
	return p
}

// Content is the page's canvas object.
func (p *APIKeyPage) Content() fyne.CanvasObject { return p.content }

// Focus puts the cursor in the password field.
func (p *APIKeyPage) Focus(c fyne.Canvas) { c.Focus(p.password) }

// Load fetches the masked key; a key revealed earlier is hidden again.
func (p *APIKeyPage) Load() {
	p.revealed = ""
	async(func() (api.APIKey, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		return p.model.APIKey(ctx)
	}, p.show)
}

func (p *APIKeyPage) show(k api.APIKey, err error) {
	if err != nil {
		p.problem.SetText(describe(err))
		p.problem.Show()
		return
	}
	p.problem.Hide()
	p.revealed = k.Key
	if k.Key != "" {
		p.key.SetText(k.Key)
		p.password.SetText("")
	} else {
		p.key.SetText(k.Masked)
	}
	if !k.CreatedAt.IsZero() {
		p.created.SetText(lang.L("Created {{.When}}", map[string]any{"When": p.zone.stamp(k.CreatedAt)}))
	}
	p.updateButtons()
}

// withPassword runs a password-proved call and shows its key.
func (p *APIKeyPage) withPassword(call func(ctx context.Context, password string) (api.APIKey, error)) {
	pw := p.password.Text
	if pw == "" {
		return
	}
	p.reveal.Disable()
	p.regenerate.Disable()
	async(func() (api.APIKey, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		return call(ctx, pw)
	}, p.show)
}

// Reveal shows the full key after the password is checked.
func (p *APIKeyPage) Reveal() { p.withPassword(p.model.RevealAPIKey) }

// Regenerate replaces the key; the old one stops working.
func (p *APIKeyPage) Regenerate() { p.withPassword(p.model.RegenerateAPIKey) }

func (p *APIKeyPage) confirmRegenerate() {
	confirm(p.content, lang.L("Regenerate the API key?"),
		lang.L("Tools using the current key stop working until they get the new one."), p.Regenerate)
}

// Copy puts the revealed key on the clipboard.
func (p *APIKeyPage) Copy() {
	if p.revealed != "" {
		fyne.CurrentApp().Clipboard().SetContent(p.revealed)
	}
}

func (p *APIKeyPage) updateButtons() {
	hasPw := p.password.Text != ""
	setEnabled(p.reveal, hasPw && p.revealed == "")
	setEnabled(p.regenerate, hasPw)
	setEnabled(p.copyKey, p.revealed != "")
}
