package ui

import (
	"context"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/api"
)

// OrgPeopleModel brings people in and out of the organisation: invitations,
// deactivation and deletion. The server enforces every rule (seats, the
// owner, the last admin, the admin's password).
type OrgPeopleModel interface {
	Invitations(ctx context.Context) ([]api.Invitation, error)
	Invite(ctx context.Context, r api.InvitationRequest) (api.Invitation, error)
	ResendInvitation(ctx context.Context, id string) (api.Invitation, error)
	RevokeInvitation(ctx context.Context, id string) error
	DeactivateUser(ctx context.Context, userID string) (api.OrgUser, error)
	ReactivateUser(ctx context.Context, userID string) (api.OrgUser, error)
	DeleteUser(ctx context.Context, userID, password string) error
	// OrgLicenses offers the licenses with a free seat to invite with.
	OrgLicenses(ctx context.Context) (api.Licenses, error)
}

// orgPeople is the Users tab's part for invitations and for deactivating,
// reactivating and deleting users.
type orgPeople struct {
	model  OrgPeopleModel
	zone   func() *time.Location
	reload func() // the organisation's users changed
	cats   []api.Category

	invite  *widget.Button
	pending *fyne.Container
	problem *widget.Label
	obj     fyne.CanvasObject // for finding the window of dialogs
}

func newOrgPeople(m OrgPeopleModel, zone func() *time.Location, reload func(), problem *widget.Label) *orgPeople {
	p := &orgPeople{model: m, zone: zone, reload: reload, problem: problem, pending: container.NewVBox()}
	p.invite = widget.NewButton(lang.L("Invite…"), p.askInvite)
	p.invite.Importance = widget.HighImportance
	p.obj = p.pending
	return p
}

// card lists the invitations not yet accepted.
func (p *orgPeople) card() *widget.Card {
	return widget.NewCard(lang.L("Invitations"), "", container.NewVBox(
		explain(lang.L("An invitation link works once, for 7 days. A license chosen for it is held until then.")),
		p.pending))
}

func (p *orgPeople) load() { orgLoad(p.problem, p.model.Invitations, p.showInvitations) }

func (p *orgPeople) showInvitations(invs []api.Invitation) {
	rows := make([]fyne.CanvasObject, 0, len(invs))
	for _, inv := range invs {
		when := lang.L("Expires {{.Date}}", map[string]any{"Date": inv.ExpiresAt.In(p.zone()).Format(time.DateOnly)})
		if inv.Expired {
			when = lang.L("Expired: resend it to invite again")
		}
		id, email := inv.ID, inv.Email
		resend := widget.NewButton(lang.L("Resend"), func() { p.Resend(id) })
		revoke := widget.NewButton(lang.L("Revoke…"), func() {
			confirm(p.obj, lang.L("Revoke invitation"),
				lang.L("The link sent to {{.Email}} stops working.", map[string]any{"Email": email}), func() { p.Revoke(id) })
		})
		rows = append(rows, container.NewBorder(nil, nil, nil, container.NewCenter(container.NewHBox(resend, revoke)),
			container.NewVBox(bold(inv.DisplayName), widget.NewLabel(inv.Email+" · "+when))))
	}
	if len(rows) == 0 {
		rows = append(rows, widget.NewLabel(lang.L("No pending invitations.")))
	}
	p.pending.Objects = rows
	p.pending.Refresh()
}

// askInvite asks whom to invite, with a license that has a free seat and
// the structure's options; the licenses are read first.
func (p *orgPeople) askInvite() {
	orgLoad(p.problem, p.model.OrgLicenses, p.showInviteForm)
}

func (p *orgPeople) showInviteForm(l api.Licenses) {
	w := windowFor(p.obj)
	if w == nil {
		return
	}
	email := widget.NewEntry()
	email.Validator = validator(api.ValidateEmail)
	name := widget.NewEntry()
	name.Validator = validator(api.ValidateDisplayName)
	skus := []string{""}
	names := []string{lang.L("No license")}
	for _, c := range l.Licenses {
		if c.Unassigned > 0 {
			skus = append(skus, c.SKU)
			names = append(names, lang.L("{{.Name}} ({{.Free}} free)", map[string]any{"Name": c.Name, "Free": c.Unassigned}))
		}
	}
	license := widget.NewSelect(names, nil)
	license.SetSelectedIndex(0)
	items := []*widget.FormItem{{Text: lang.L("Email"), Widget: email}, {Text: lang.L("Name"), Widget: name},
		{Text: lang.L("License"), Widget: license, HintText: lang.L("Only licenses with a free seat are offered.")}}
	type pick struct {
		cat  api.Category
		sel  *widget.Select
		opts []string
	}
	var picks []pick
	for _, c := range p.cats {
		opts := []string{""}
		labels := []string{lang.L("None")}
		for _, o := range c.Options {
			opts = append(opts, o.ID)
			labels = append(labels, o.Name)
		}
		sel := widget.NewSelect(labels, nil)
		sel.SetSelectedIndex(0)
		picks = append(picks, pick{c, sel, opts})
		items = append(items, &widget.FormItem{Text: c.Name, Widget: sel})
	}
	dialog.ShowForm(lang.L("Invite someone"), lang.L("Send invitation"), lang.L("Cancel"), items, func(ok bool) {
		if !ok {
			return
		}
		r := api.InvitationRequest{Email: email.Text, DisplayName: name.Text, License: skus[max(license.SelectedIndex(), 0)]}
		for _, pk := range picks {
			if opt := pk.opts[max(pk.sel.SelectedIndex(), 0)]; opt != "" {
				if r.Options == nil {
					r.Options = map[string]string{}
				}
				r.Options[pk.cat.ID] = opt
			}
		}
		p.Invite(r)
	}, w)
}

// Invite sends an invitation; the server refuses taken addresses and a
// full organisation, and the page says why.
func (p *orgPeople) Invite(r api.InvitationRequest) {
	orgRun(p.problem, func(ctx context.Context) (api.Invitation, error) { return p.model.Invite(ctx, r) },
		func(api.Invitation) { p.load() }, nil)
}

// Resend mails an invitation again with a new link.
func (p *orgPeople) Resend(id string) {
	orgRun(p.problem, func(ctx context.Context) (api.Invitation, error) { return p.model.ResendInvitation(ctx, id) },
		func(api.Invitation) { p.load() }, p.load)
}

// Revoke withdraws an invitation.
func (p *orgPeople) Revoke(id string) {
	orgRun(p.problem, func(ctx context.Context) (struct{}, error) { return struct{}{}, p.model.RevokeInvitation(ctx, id) },
		func(struct{}) { p.load() }, p.load)
}

// actions are a user's Deactivate or Reactivate and Delete buttons; the
// owner has none, as the server refuses them.
func (p *orgPeople) actions(u api.OrgUser) []fyne.CanvasObject {
	if u.Owner {
		return nil
	}
	var active *widget.Button
	if u.Deactivated {
		active = widget.NewButton(lang.L("Reactivate"), func() { p.SetActive(u.ID, true) })
	} else {
		active = widget.NewButton(lang.L("Deactivate…"), func() {
			confirm(p.obj, lang.L("Deactivate {{.Name}}", map[string]any{"Name": u.DisplayName}),
				lang.L("They are signed out everywhere at once, their API key stops working and their licenses are freed. History stays; you can reactivate them."),
				func() { p.SetActive(u.ID, false) })
		})
	}
	del := widget.NewButton(lang.L("Delete…"), func() { p.askDelete(u) })
	del.Importance = widget.DangerImportance
	return []fyne.CanvasObject{active, del}
}

// SetActive deactivates or reactivates a user.
func (p *orgPeople) SetActive(userID string, on bool) {
	orgRun(p.problem, func(ctx context.Context) (api.OrgUser, error) {
		if on {
			return p.model.ReactivateUser(ctx, userID)
		}
		return p.model.DeactivateUser(ctx, userID)
	}, func(api.OrgUser) { p.reload() }, p.reload)
}

func (p *orgPeople) askDelete(u api.OrgUser) {
	w := windowFor(p.obj)
	if w == nil {
		return
	}
	// Erasure cannot be undone: the server wants the admin's own password.
	pw := widget.NewPasswordEntry()
	pw.SetPlaceHolder(lang.L("Your password"))
	dialog.ShowForm(lang.L("Delete {{.Name}}", map[string]any{"Name": u.DisplayName}), lang.L("Delete"), lang.L("Cancel"),
		[]*widget.FormItem{{Widget: explain(lang.L("The account, its photos and personal data are erased for good. The audit log keeps what happened under a pseudonym."))},
			{Text: lang.L("Password"), Widget: pw}},
		func(ok bool) {
			if ok {
				p.Delete(u.ID, pw.Text)
			}
		}, w)
}

// Delete erases a user with the admin's password.
func (p *orgPeople) Delete(userID, password string) {
	orgRun(p.problem, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, p.model.DeleteUser(ctx, userID, password)
	}, func(struct{}) { p.reload() }, nil)
}

// setCategories keeps the structure for the invite form.
func (p *orgPeople) setCategories(cats []api.Category) {
	p.cats = slices.Clone(cats)
}
