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

// SessionsModel lists and ends the user's sessions. *client.Client satisfies it.
type SessionsModel interface {
	Sessions(ctx context.Context) ([]api.Session, error)
	RevokeSession(ctx context.Context, id string) error
	RevokeOtherSessions(ctx context.Context) error
}

// sessionsCard lists where the user is signed in, with sign-out per session
// and for all others at once.
type sessionsCard struct {
	model    SessionsModel
	zone     zoneFunc
	list     *fyne.Container
	others   *widget.Button
	problem  *widget.Label
	sessions []api.Session
	content  fyne.CanvasObject
}

func newSessionsCard(m SessionsModel, zone zoneFunc) *sessionsCard {
	c := &sessionsCard{model: m, zone: zone}
	c.list = container.NewVBox()
	c.others = widget.NewButtonWithIcon(lang.L("Sign out all other sessions"), theme.LogoutIcon(), c.confirmOthers)
	c.problem = problemLabel()
	note := widget.NewLabel(lang.L("Lost a phone or signed in on a public computer? Sign out there from here."))
	note.Wrapping = fyne.TextWrapWord
	c.content = widget.NewCard(lang.L("Sessions"), "", container.NewVBox(note, c.list, container.NewHBox(c.others), c.problem))
	return c
}

func (c *sessionsCard) refresh() {
	c.run(func(context.Context) error { return nil })
}

// run performs an action, then reloads the list whatever its outcome.
func (c *sessionsCard) run(action func(ctx context.Context) error) {
	type result struct {
		sessions []api.Session
		err      error
	}
	async(func() (result, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		actErr := action(ctx)
		s, err := c.model.Sessions(ctx)
		return result{s, actErr}, err
	}, func(r result, err error) {
		if err == nil {
			c.show(r.sessions)
		}
		if r.err != nil {
			err = r.err // the action's failure matters more than the reload's
		}
		if err != nil {
			c.problem.SetText(describe(err))
			c.problem.Show()
		} else {
			c.problem.Hide()
		}
	})
}

func (c *sessionsCard) show(sessions []api.Session) {
	c.sessions = sessions
	rows := make([]fyne.CanvasObject, 0, len(sessions))
	for _, s := range sessions {
		rows = append(rows, c.row(s))
	}
	c.list.Objects = rows
	c.list.Refresh()
	setEnabled(c.others, len(sessions) > 1)
}

func (c *sessionsCard) row(s api.Session) fyne.CanvasObject {
	title := widget.NewLabelWithStyle(s.Device, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	detail := widget.NewLabel(lang.L("{{.IP}} · signed in {{.Created}} · last seen {{.Seen}}", map[string]any{
		"IP": s.IP, "Created": c.zone.stamp(s.Created), "Seen": c.zone.stamp(s.LastSeen)}))
	var action fyne.CanvasObject
	if s.Current {
		action = widget.NewLabel(lang.L("This device"))
	} else {
		id := s.ID
		action = widget.NewButton(lang.L("Sign out"), func() {
			c.run(func(ctx context.Context) error { return c.model.RevokeSession(ctx, id) })
		})
	}
	return container.NewBorder(nil, nil, nil, action, container.NewVBox(title, detail))
}

func (c *sessionsCard) confirmOthers() {
	confirm(c.content, lang.L("Sign out all other sessions?"),
		lang.L("Every other device signed in to your account will need to sign in again."), c.SignOutOthers)
}

// SignOutOthers ends every session but this one.
func (c *sessionsCard) SignOutOthers() {
	c.run(c.model.RevokeOtherSessions)
}
