package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
)

// SecurityPage holds the password form and the sessions list.
type SecurityPage struct {
	sessions *sessionsCard
	content  fyne.CanvasObject
}

// NewSecurityPage builds the page and loads the sessions.
func NewSecurityPage(s SessionsModel) *SecurityPage {
	p := &SecurityPage{sessions: newSessionsCard(s)}
	p.content = container.NewVScroll(container.NewVBox(p.sessions.content))
	return p
}

// Content is the page's canvas object.
func (p *SecurityPage) Content() fyne.CanvasObject { return p.content }

// Focus does nothing yet: the first control is a button.
func (p *SecurityPage) Focus(fyne.Canvas) {}

// Load reloads the sessions.
func (p *SecurityPage) Load() { p.sessions.refresh() }
