package ui

import (
	"context"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/api"
)

// The fake's part for OrgPeopleModel, with the server's rules: taken
// addresses, seats, the owner and the admin's password.

func (f *fakeOrg) Invitations(context.Context) ([]api.Invitation, error) {
	return slices.Clone(f.invites), f.call("invitations")
}

func (f *fakeOrg) Invite(_ context.Context, r api.InvitationRequest) (api.Invitation, error) {
	if err := f.call("invite " + r.Email); err != nil {
		return api.Invitation{}, err
	}
	taken := slices.ContainsFunc(f.users, func(u api.OrgUser) bool { return strings.EqualFold(u.Email, r.Email) }) ||
		slices.ContainsFunc(f.invites, func(i api.Invitation) bool { return strings.EqualFold(i.Email, r.Email) })
	if taken {
		return api.Invitation{}, &api.Error{Status: 409, Code: api.CodeConflict, Message: "email is taken",
			Fields: map[string]*api.Reason{api.FieldEmail: api.Because(api.ReasonTaken)}}
	}
	for i, l := range f.licenses.Licenses {
		if l.SKU == r.License {
			if l.Unassigned < 1 {
				return api.Invitation{}, api.Refused(409, api.CodeConflict, &api.Reason{Code: api.ReasonOrgFull, Args: api.Args{"product": l.Name}})
			}
			f.licenses.Licenses[i].Unassigned--
			f.licenses.Licenses[i].Invited++
		}
	}
	inv := api.Invitation{ID: "inv_" + r.Email, Email: r.Email, DisplayName: r.DisplayName, License: r.License, Options: r.Options,
		InvitedBy: "Ada Admin", SentCount: 1, CreatedAt: fakeAt, SentAt: fakeAt, ExpiresAt: fakeAt.Add(api.InvitationTTL)}
	f.invites = append([]api.Invitation{inv}, f.invites...)
	return inv, nil
}

func (f *fakeOrg) invitation(id string) int {
	return slices.IndexFunc(f.invites, func(i api.Invitation) bool { return i.ID == id })
}

func (f *fakeOrg) ResendInvitation(_ context.Context, id string) (api.Invitation, error) {
	if err := f.call("resend " + id); err != nil {
		return api.Invitation{}, err
	}
	i := f.invitation(id)
	if i < 0 {
		return api.Invitation{}, api.ErrNotFound
	}
	f.invites[i].SentCount++
	f.invites[i].Expired = false
	return f.invites[i], nil
}

func (f *fakeOrg) RevokeInvitation(_ context.Context, id string) error {
	if err := f.call("revoke invitation " + id); err != nil {
		return err
	}
	i := f.invitation(id)
	if i < 0 {
		return api.ErrNotFound
	}
	f.invites = slices.Delete(f.invites, i, i+1)
	return nil
}

func (f *fakeOrg) DeactivateUser(_ context.Context, userID string) (api.OrgUser, error) {
	if err := f.call("deactivate " + userID); err != nil {
		return api.OrgUser{}, err
	}
	u := f.user(userID)
	if u.Owner {
		return api.OrgUser{}, api.Refused(409, api.CodeConflict, api.Because(api.ReasonOwnerStays))
	}
	u.Deactivated, u.Licenses = true, []string{}
	return *u, nil
}

func (f *fakeOrg) ReactivateUser(_ context.Context, userID string) (api.OrgUser, error) {
	if err := f.call("reactivate " + userID); err != nil {
		return api.OrgUser{}, err
	}
	u := f.user(userID)
	u.Deactivated = false
	return *u, nil
}

func (f *fakeOrg) DeleteUser(_ context.Context, userID, password string) error {
	if err := f.call("delete " + userID); err != nil {
		return err
	}
	if password != "admin-password" {
		return api.Invalid(map[string]*api.Reason{"password": api.Because(api.ReasonWrongPassword)})
	}
	f.users = slices.DeleteFunc(f.users, func(u api.OrgUser) bool { return u.ID == userID })
	return nil
}

// texts joins the text of every label, button and select under o.
func texts(o fyne.CanvasObject) string {
	var b strings.Builder
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Label:
			b.WriteString(x.Text + "\n")
		case *widget.Button:
			b.WriteString(x.Text + "\n")
		case *widget.Select:
			b.WriteString(strings.Join(x.Options, "|") + "\n")
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	return b.String()
}

// buttonIn finds the button with text among a user row's controls.
func buttonIn(t *testing.T, row fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	var found *widget.Button
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Button:
			if x.Text == text {
				found = x
			}
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		}
	}
	walk(row)
	if found == nil {
		t.Fatalf("no %q button", text)
	}
	return found
}

func TestOrgPeople(t *testing.T) {
	p, f, w := orgPage(t)
	u := p.users
	pp := u.people
	if len(pp.pending.Objects) != 1 || !strings.Contains(texts(pp.pending.Objects[0]), "dan@demo.test · Expires 2026-11-30") {
		t.Fatalf("invitations shown: %q", texts(pp.pending))
	}

	// The invite form offers only licenses with a free seat and the
	// structure's options.
	test.Tap(pp.invite)
	form := w.Canvas().Overlays().Top()
	if form == nil || !strings.Contains(texts(form), "Pro license (1 free)") || strings.Contains(texts(form), "Mobile") ||
		!strings.Contains(texts(form), "None|Stockholm|Malmö") {
		t.Fatalf("invite form: %q", texts(form))
	}
	form.Hide()
	pp.Invite(api.InvitationRequest{Email: "eve@demo.test", DisplayName: "Eve New", License: "pro", Options: map[string]string{"cat_office": "opt_malmo"}})
	if len(f.invites) != 2 || f.invites[0].Email != "eve@demo.test" || len(pp.pending.Objects) != 2 {
		t.Fatalf("invite: %+v, %d shown", f.invites, len(pp.pending.Objects))
	}
	// Taken, in any case, and a full organisation: the server's reason shows.
	pp.Invite(api.InvitationRequest{Email: "EVE@demo.test", DisplayName: "Eve Again"})
	if !u.problem.Visible() || !strings.Contains(u.problem.Text, "taken") {
		t.Errorf("taken address: %q", u.problem.Text)
	}
	pp.Invite(api.InvitationRequest{Email: "fay@demo.test", DisplayName: "Fay", License: "mobile"})
	if !u.problem.Visible() || !strings.Contains(u.problem.Text, "no free Mobile license") || len(f.invites) != 2 {
		t.Errorf("full organisation: %q", u.problem.Text)
	}
	pp.Resend("inv_dan")
	pp.Revoke("inv_eve@demo.test")
	if f.invites[0].SentCount != 2 || len(f.invites) != 1 || len(pp.pending.Objects) != 1 {
		t.Errorf("resend and revoke: %+v", f.invites)
	}

	// Rows: the owner has no Deactivate or Delete; others do.
	row := func(i int) fyne.CanvasObject { return u.list.Objects[i] }
	if owner := texts(row(0)); strings.Contains(owner, "Deactivate…") || strings.Contains(owner, "Delete…") {
		t.Errorf("the owner's row offers %q", owner)
	}
	test.Tap(buttonIn(t, row(1), "Deactivate…"))
	if c := w.Canvas().Overlays().Top(); c == nil {
		t.Fatal("Deactivate asks nothing")
	}
	w.Canvas().Overlays().Top().Hide()
	pp.SetActive("u_bo", false)
	if !f.user("u_bo").Deactivated || !p.members[1].Deactivated || !strings.Contains(texts(row(1)), "Deactivated") {
		t.Fatalf("deactivate did not reach the server or the page")
	}
	buttonIn(t, row(1), "Reactivate")
	pp.SetActive("u_bo", true)
	if f.user("u_bo").Deactivated {
		t.Error("reactivate did not reach the server")
	}

	// Delete needs the admin's password.
	pp.Delete("u_cy", "not-my-password")
	if !u.problem.Visible() || len(f.users) != 3 {
		t.Error("a wrong password was not reported")
	}
	pp.Delete("u_cy", "admin-password")
	if len(f.users) != 2 || len(p.members) != 2 || len(u.list.Objects) != 2 {
		t.Errorf("delete: %d users, %d members, %d rows", len(f.users), len(p.members), len(u.list.Objects))
	}
}
