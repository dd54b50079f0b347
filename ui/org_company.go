package ui

import (
	"context"
	"io"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/api"
)

// OrgSettingsModel reads and changes the company profile, the members'
// defaults and the company photos.
type OrgSettingsModel interface {
	settingsSwitch
	SetOrgPhoto(ctx context.Context, kind string, version int64, image []byte) (api.OrgSettings, error)
	RemoveOrgPhoto(ctx context.Context, kind string, version int64) (api.OrgSettings, error)
}

// orgPhotoRow is the state and buttons of the company avatar or the
// default cover.
type orgPhotoRow struct {
	state  *widget.Label
	choose *widget.Button
	remove *widget.Button
}

// orgCompanyTab edits the company profile and the defaults members start
// with. Company name, organisation number and owner are customer care's.
type orgCompanyTab struct {
	model    OrgSettingsModel
	settings api.OrgSettings
	loading  bool

	companyName, orgNumber, owner *widget.Label
	display                       *widget.Entry
	street, postal, city, country *widget.Entry
	zone                          *widget.SelectEntry
	language                      *widget.Select
	save, revert                  *widget.Button

	avatar, cover             orgPhotoRow
	chooseAvatar, chooseCover *widget.Check
	tabProblem
	content fyne.CanvasObject
}

func newOrgCompanyTab(m OrgSettingsModel) *orgCompanyTab {
	t := &orgCompanyTab{model: m}
	t.companyName, t.orgNumber, t.owner = widget.NewLabel(""), widget.NewLabel(""), widget.NewLabel("")
	t.display = widget.NewEntry()
	t.display.Validator = validator(api.ValidateDisplayName)
	t.street, t.postal, t.city, t.country = widget.NewEntry(), widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	t.zone = widget.NewSelectEntry(commonTimeZones)
	t.zone.Validator = validator(api.ValidateTimeZone)
	t.language = widget.NewSelect(languageNames(), func(string) { t.updateButtons() })
	for _, e := range []*widget.Entry{t.display, t.street, t.postal, t.city, t.country, &t.zone.Entry} {
		e.OnChanged = func(string) { t.updateButtons() }
	}
	t.save = widget.NewButtonWithIcon(lang.L("Save"), theme.DocumentSaveIcon(), t.Save)
	t.save.Importance = widget.HighImportance
	t.revert = widget.NewButton(lang.L("Revert"), func() { t.show(t.settings) })
	t.problem = problemLabel()

	profile := widget.NewForm(
		widget.NewFormItem(lang.L("Company name"), t.companyName),
		widget.NewFormItem(lang.L("Organisation number"), t.orgNumber),
		widget.NewFormItem(lang.L("Display name"), t.display),
		widget.NewFormItem(lang.L("Street"), t.street),
		widget.NewFormItem(lang.L("Postal code"), t.postal),
		widget.NewFormItem(lang.L("City"), t.city),
		widget.NewFormItem(lang.L("Country"), t.country),
		widget.NewFormItem(lang.L("Account owner"), t.owner),
	)
	profile.Items[1].HintText = lang.L("Contact customer care to change the company name or organisation number.")
	profile.Items[7].HintText = lang.L("The owner has every admin permission. Only authorised persons can change the owner, through customer care.")
	defaults := widget.NewForm(
		widget.NewFormItem(lang.L("Time zone"), t.zone),
		widget.NewFormItem(lang.L("Language"), t.language),
	)
	defaults.Items[1].HintText = lang.L("Members may choose their own time zone and language.")

	t.avatar = t.photoRow(api.PhotoAvatar)
	t.cover = t.photoRow(api.PhotoCover)
	t.chooseAvatar = widget.NewCheck(lang.L("Members may choose their own avatar"), func(on bool) {
		t.toggle(api.OrgSettingsPatch{MembersChooseAvatar: &on})
	})
	t.chooseCover = widget.NewCheck(lang.L("Members may choose their own cover photo"), func(on bool) {
		t.toggle(api.OrgSettingsPatch{MembersChooseCover: &on})
	})
	t.content = container.NewVScroll(container.NewVBox(
		t.problem,
		widget.NewCard(lang.L("Company profile"), "", profile),
		widget.NewCard(lang.L("Defaults for members"), "", defaults),
		container.NewHBox(layout.NewSpacer(), t.revert, t.save),
		widget.NewCard(lang.L("Company avatar"), "", container.NewVBox(
			container.NewHBox(t.avatar.state, layout.NewSpacer(), t.avatar.choose, t.avatar.remove), t.chooseAvatar)),
		widget.NewCard(lang.L("Default cover photo"), lang.L("Shown for members without a cover of their own."), container.NewVBox(
			container.NewHBox(t.cover.state, layout.NewSpacer(), t.cover.choose, t.cover.remove), t.chooseCover)),
	))
	t.updateButtons()
	return t
}

func (t *orgCompanyTab) photoRow(kind string) orgPhotoRow {
	r := orgPhotoRow{state: widget.NewLabel("")}
	r.choose = widget.NewButtonWithIcon(lang.L("Choose…"), theme.FolderOpenIcon(), func() { t.choosePhoto(kind) })
	r.remove = widget.NewButtonWithIcon(lang.L("Remove"), theme.DeleteIcon(), func() {
		orgRun(t.problem, func(ctx context.Context) (api.OrgSettings, error) {
			return t.model.RemoveOrgPhoto(ctx, kind, t.settings.Version)
		}, t.show, t.load)
	})
	return r
}

func (t *orgCompanyTab) usersChanged() {}

func (t *orgCompanyTab) load() {
	orgLoad(t.problem, t.model.OrgSettings, t.show)
}

func (t *orgCompanyTab) show(s api.OrgSettings) {
	t.settings = s
	t.loading = true // setting checks fires OnChanged; that is not an edit
	defer func() { t.loading = false }()
	t.companyName.SetText(s.CompanyName)
	t.orgNumber.SetText(s.OrgNumber)
	if s.Owner.ID != "" {
		t.owner.SetText(s.Owner.DisplayName + " <" + s.Owner.Email + ">")
	} else {
		t.owner.SetText(lang.L("None"))
	}
	t.display.SetText(s.DisplayName)
	t.street.SetText(s.Address.Street)
	t.postal.SetText(s.Address.PostalCode)
	t.city.SetText(s.Address.City)
	t.country.SetText(s.Address.Country)
	t.zone.SetText(s.TimeZone)
	if i := slices.Index(api.Languages, s.Language); i >= 0 {
		t.language.SetSelectedIndex(i)
	}
	for _, r := range []struct {
		row orgPhotoRow
		has bool
	}{{t.avatar, s.HasAvatar}, {t.cover, s.HasCover}} {
		if r.has {
			r.row.state.SetText(lang.L("Set"))
		} else {
			r.row.state.SetText(lang.L("Not set"))
		}
		setEnabled(r.row.remove, r.has)
	}
	t.chooseAvatar.SetChecked(s.MembersChooseAvatar)
	t.chooseCover.SetChecked(s.MembersChooseCover)
	t.updateButtons()
}

// patch is what the form changes.
func (t *orgCompanyTab) patch() api.OrgSettingsPatch {
	var p api.OrgSettingsPatch
	s := t.settings
	if t.display.Text != s.DisplayName {
		p.DisplayName = &t.display.Text
	}
	a := api.Address{Street: t.street.Text, PostalCode: t.postal.Text, City: t.city.Text, Country: t.country.Text}
	if a != s.Address {
		p.Address = &a
	}
	if t.zone.Text != s.TimeZone {
		p.TimeZone = &t.zone.Text
	}
	if i := t.language.SelectedIndex(); i >= 0 && api.Languages[i] != s.Language {
		p.Language = &api.Languages[i]
	}
	return p
}

func (t *orgCompanyTab) updateButtons() {
	if t.loading {
		return
	}
	dirty := t.patch() != (api.OrgSettingsPatch{})
	valid := api.ValidateOrgPatch(t.patch()) == nil
	setEnabled(t.save, dirty && valid)
	setEnabled(t.revert, dirty)
}

// Save sends the edited profile and defaults.
func (t *orgCompanyTab) Save() {
	p := t.patch()
	if p == (api.OrgSettingsPatch{}) {
		return
	}
	t.save.Disable()
	orgRun(t.problem, func(ctx context.Context) (api.OrgSettings, error) {
		return t.model.UpdateOrgSettings(ctx, t.settings.Version, p)
	}, t.show, t.updateButtons)
}

// toggle applies a member switch at once.
func (t *orgCompanyTab) toggle(p api.OrgSettingsPatch) {
	if t.loading {
		return
	}
	orgRun(t.problem, func(ctx context.Context) (api.OrgSettings, error) {
		return t.model.UpdateOrgSettings(ctx, t.settings.Version, p)
	}, t.keepForm, t.load)
}

// keepForm takes in new settings without discarding unsaved form edits.
func (t *orgCompanyTab) keepForm(s api.OrgSettings) {
	edits := t.patch()
	t.show(s)
	t.loading = true
	if edits.DisplayName != nil {
		t.display.SetText(*edits.DisplayName)
	}
	if a := edits.Address; a != nil {
		t.street.SetText(a.Street)
		t.postal.SetText(a.PostalCode)
		t.city.SetText(a.City)
		t.country.SetText(a.Country)
	}
	if edits.TimeZone != nil {
		t.zone.SetText(*edits.TimeZone)
	}
	if edits.Language != nil {
		t.language.SetSelectedIndex(slices.Index(api.Languages, *edits.Language))
	}
	t.loading = false
	t.updateButtons()
}

// choosePhoto asks for a JPEG or PNG for the company avatar or cover.
func (t *orgCompanyTab) choosePhoto(kind string) {
	w := windowFor(t.content)
	if w == nil {
		return
	}
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		t.uploadPhoto(kind, func() ([]byte, error) {
			defer r.Close()
			return io.ReadAll(io.LimitReader(r, 6<<20))
		})
	}, w)
	d.SetFilter(storage.NewExtensionFileFilter(photoFileExtensions))
	d.Show()
}

// uploadPhoto reads a picture and sends it; the server checks and crops it.
func (t *orgCompanyTab) uploadPhoto(kind string, read func() ([]byte, error)) {
	version := t.settings.Version
	orgRun(t.problem, func(ctx context.Context) (api.OrgSettings, error) {
		data, err := read()
		if err != nil {
			return api.OrgSettings{}, err
		}
		return t.model.SetOrgPhoto(ctx, kind, version, data)
	}, t.keepForm, t.load)
}
