package ui

import (
	"context"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/api"
)

// ProfileModel is what the profile page needs from the account.
type ProfileModel interface {
	Me() api.Me
	// UpdateProfile applies the patch locally and queues it for the server;
	// it fails only on invalid input, and never waits on the disk.
	UpdateProfile(api.ProfilePatch) error
	// FieldErrors holds the server's reasons for edits it refused (the
	// fields have been reverted), keyed by JSON field name.
	FieldErrors() map[string]*api.Reason
	// Refresh refetches the account, after a change made through a
	// verification flow.
	Refresh(ctx context.Context) error
}

// textField is an entry bound to one string field of the profile. It knows
// the value last loaded from the model, so a refresh never overwrites what
// the user is typing.
type textField struct {
	key      string // JSON name, for server field errors
	label    string
	entry    *widget.Entry
	obj      fyne.CanvasObject // what the form shows: the entry or a widget wrapping it
	loaded   string
	validate func(string) *api.Reason
	get      func(api.Profile) string
	set      func(*api.ProfilePatch, *string)
}

func (f *textField) dirty() bool { return f.entry.Text != f.loaded }

func (f *textField) load(p api.Profile) {
	v := f.get(p)
	if !f.dirty() {
		f.entry.SetText(v)
	}
	f.loaded = v
}

// ProfilePage shows and edits the personal information: names, username,
// language and time zone, email and mobile with their verification steps,
// hidden numbers and additional information.
type ProfilePage struct {
	model    ProfileModel
	fields   []*textField
	language *widget.Select
	contact  *contactCard
	info     *infoCard
	save     *widget.Button
	revert   *widget.Button
	problem  *widget.Label
	content  fyne.CanvasObject
}

// NewProfilePage builds the page from the model's current state; svc sends
// the email and mobile verifications.
func NewProfilePage(m ProfileModel, svc VerifyModel) *ProfilePage {
	p := &ProfilePage{model: m}
	p.fields = []*textField{
		{key: api.FieldFirstName, label: lang.L("First name"), validate: api.ValidateName,
			get: func(pr api.Profile) string { return pr.FirstName },
			set: func(pt *api.ProfilePatch, v *string) { pt.FirstName = v }},
		{key: api.FieldLastName, label: lang.L("Last name"), validate: api.ValidateName,
			get: func(pr api.Profile) string { return pr.LastName },
			set: func(pt *api.ProfilePatch, v *string) { pt.LastName = v }},
		{key: api.FieldDisplayName, label: lang.L("Display name"), validate: api.ValidateDisplayName,
			get: func(pr api.Profile) string { return pr.DisplayName },
			set: func(pt *api.ProfilePatch, v *string) { pt.DisplayName = v }},
		{key: api.FieldUsername, label: lang.L("Username"), validate: api.ValidateUsername,
			get: func(pr api.Profile) string { return pr.Username },
			set: func(pt *api.ProfilePatch, v *string) { pt.Username = v }},
		{key: api.FieldTimeZone, label: lang.L("Time zone"), validate: api.ValidateTimeZone,
			get: func(pr api.Profile) string { return pr.TimeZone },
			set: func(pt *api.ProfilePatch, v *string) { pt.TimeZone = v }},
	}
	zone := widget.NewSelectEntry(commonTimeZones)
	p.fields[4].entry, p.fields[4].obj = &zone.Entry, zone
	for _, f := range p.fields {
		if f.entry == nil {
			f.entry = widget.NewEntry()
			f.obj = f.entry
		}
		f.entry.Validator = validator(f.validate)
		f.entry.OnChanged = func(string) { p.updateButtons() }
		f.entry.OnSubmitted = func(string) { p.Save() }
	}
	p.language = widget.NewSelect(languageNames(), p.setLanguage)
	p.contact = newContactCard(m, svc)
	p.info = newInfoCard(m)
	p.save = widget.NewButtonWithIcon(lang.L("Save"), theme.DocumentSaveIcon(), p.Save)
	p.save.Importance = widget.HighImportance
	p.revert = widget.NewButton(lang.L("Revert"), p.Revert)
	p.problem = problemLabel()

	names := widget.NewForm()
	for _, f := range p.fields {
		names.Append(f.label, f.obj)
	}
	names.Items[2].HintText = lang.L("The name other users see.")
	names.Items[4].HintText = lang.L("Times in the app follow it. Your organisation's is used until you choose.")
	names.Append(lang.L("Language"), p.language)
	p.content = container.NewVScroll(container.NewVBox(
		widget.NewCard(lang.L("Personal information"), "", container.NewVBox(
			names, p.problem, container.NewHBox(layout.NewSpacer(), p.revert, p.save))),
		p.contact.content,
		p.info.content,
	))
	p.Refresh()
	return p
}

// Content is the page's canvas object.
func (p *ProfilePage) Content() fyne.CanvasObject { return p.content }

// Focus puts the cursor in the display name, the field most often changed.
func (p *ProfilePage) Focus(c fyne.Canvas) { c.Focus(p.fields[2].entry) }

// Refresh reloads from the model, keeping fields the user is editing.
func (p *ProfilePage) Refresh() {
	me := p.model.Me()
	for _, f := range p.fields {
		f.load(me.Profile)
	}
	p.language.SetSelectedIndex(slices.Index(api.Languages, me.Profile.Language))
	p.contact.refresh(me)
	p.info.refresh(me)
	if errs := p.model.FieldErrors(); len(errs) > 0 {
		p.showError(api.Invalid(errs))
	}
	p.updateButtons()
}

// Save sends the changed fields to the model.
func (p *ProfilePage) Save() {
	var patch api.ProfilePatch
	changed := false
	for _, f := range p.fields {
		if f.dirty() {
			v := f.entry.Text
			f.set(&patch, &v)
			changed = true
		}
	}
	if !changed {
		return
	}
	if errs := api.ValidatePatch(patch); errs != nil {
		p.showError(api.Invalid(errs))
		return
	}
	if err := p.model.UpdateProfile(patch); err != nil {
		p.showError(err)
		return
	}
	p.problem.Hide()
	// The model now holds the edit: what is typed is what is loaded.
	for _, f := range p.fields {
		f.loaded = f.entry.Text
	}
	p.Refresh()
}

func (p *ProfilePage) setLanguage(string) {
	i := p.language.SelectedIndex()
	if i < 0 || api.Languages[i] == p.model.Me().Profile.Language {
		return
	}
	code := api.Languages[i]
	if err := p.model.UpdateProfile(api.ProfilePatch{Language: &code}); err != nil {
		p.showError(err)
	}
}

// Revert discards unsaved typing.
func (p *ProfilePage) Revert() {
	for _, f := range p.fields {
		f.entry.SetText(f.loaded)
	}
	p.problem.Hide()
	p.updateButtons()
}

func (p *ProfilePage) showError(err error) {
	p.problem.SetText(describe(err))
	p.problem.Show()
}

func (p *ProfilePage) updateButtons() {
	dirty, valid := false, true
	for _, f := range p.fields {
		dirty = dirty || f.dirty()
		valid = valid && f.validate(f.entry.Text) == nil
	}
	setEnabled(p.save, dirty && valid)
	setEnabled(p.revert, dirty)
}

// languageNames are the shipped languages in their own words, in the order
// of api.Languages.
func languageNames() []string {
	names := map[string]string{"en": "English", "sv": "Svenska"}
	out := make([]string, len(api.Languages))
	for i, l := range api.Languages {
		out[i] = names[l]
	}
	return out
}
