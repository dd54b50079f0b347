package ui

import (
	"cmp"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/internal/buildinfo"
	"github.com/phoneset/phoneset/internal/diag"
	"github.com/phoneset/phoneset/internal/machineconf"
)

// helpMenu is Help: About and Copy diagnostics, signed in or not.
func (a *windowApp) helpMenu() *fyne.Menu {
	return fyne.NewMenu(lang.L("Help"),
		fyne.NewMenuItem(lang.L("About Phoneset"), func() { showAbout(a.w, a.report(openedAudio{}, nil), a.copyDiagnostics) }),
		fyne.NewMenuItem(lang.L("Copy diagnostics"), func() {
			a.copyDiagnostics(func() {
				dialog.ShowInformation(lang.L("Diagnostics copied"),
					lang.L("Paste them into your support request. They hold no passwords, tokens or keys."), a.w)
			})
		}),
	)
}

// report gathers what About shows and the diagnostics say, now, with the
// audio as opened (About shows nothing of it).
func (a *windowApp) report(au openedAudio, audioErr error) diag.Report {
	r := diag.Report{
		App:          "Phoneset",
		Build:        buildinfo.Read(),
		Language:     cmp.Or(a.language, "en"),
		Server:       a.opts.Server.URL,
		ServerSource: a.opts.Server.Source,
	}
	// fyne package records FyneApp.toml's version in the app's metadata;
	// a release build's -X flags say the same.
	md := fyne.CurrentApp().Metadata()
	r.Build.Version = cmp.Or(r.Build.Version, md.Version)
	if r.Build.Build == "" && md.Build > 0 {
		r.Build.Build = fmt.Sprint(md.Build)
	}
	if a.stop != nil { // signed in
		r.Login = a.m.Me().Profile.Username
	}
	if audioErr != nil {
		r.AudioErr = audioErr.Error()
	}
	if au.devices != nil {
		st := au.devices.Snapshot()
		r.AudioBackend = string(st.Backend)
		for _, d := range st.Devices {
			s := d.Kind.String() + ": " + d.Name
			if d.Default {
				s += " (default)"
			}
			r.AudioDevices = append(r.AudioDevices, s)
		}
		for _, sel := range st.Selections {
			u := sel.Role.String() + ": " + sel.Device.Name
			switch {
			case sel.Missing:
				u = sel.Role.String() + ": (no device)"
			case sel.Fallback:
				u += " (system default; no preferred device present)"
			}
			r.AudioRoles = append(r.AudioRoles, u)
		}
		if st.Err != nil {
			r.AudioErr = st.Err.Error()
		}
	}
	if a.opts.RecentErrors != nil {
		r.RecentErrors = a.opts.RecentErrors()
	}
	return r
}

// copyDiagnostics puts the redacted report on the clipboard, then calls
// done; the report lists the audio devices, so it opens the audio first.
func (a *windowApp) copyDiagnostics(done func()) {
	a.audio.use(func(au openedAudio, err error) {
		fyne.CurrentApp().Clipboard().SetContent(a.report(au, err).String())
		done()
	})
}

// showAbout shows the app's name, version, build and server in a dialog
// whose Copy diagnostics button calls copyDiag.
func showAbout(w fyne.Window, r diag.Report, copyDiag func(done func())) {
	bi := r.Build
	version := lang.L("{{.Version}} (build {{.Build}}, commit {{.Commit}})", map[string]any{
		"Version": cmp.Or(bi.Version, lang.L("development build")),
		"Build":   cmp.Or(bi.Build, "–"), "Commit": cmp.Or(bi.Commit, "–")})
	server := r.Server
	if server == "" {
		server = "–"
	}
	rows := []struct{ label, value string }{
		{lang.L("Version"), version},
		{lang.L("Built with"), bi.Go + ", Fyne " + cmp.Or(bi.Fyne, "–")},
		{lang.L("System"), bi.OS + "/" + bi.Arch},
		{lang.L("Server"), server},
		{lang.L("Server set by"), serverSourceText(r.ServerSource)},
	}
	grid := container.New(layout.NewFormLayout())
	for _, row := range rows {
		grid.Add(widget.NewLabelWithStyle(row.label, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}))
		v := widget.NewLabel(row.value)
		v.Selectable = true
		grid.Add(v)
	}
	d := dialog.NewCustomWithoutButtons(lang.L("About Phoneset"), grid, w)
	copyBtn := widget.NewButton(lang.L("Copy diagnostics"), nil)
	copyBtn.OnTapped = func() {
		copyDiag(func() { copyBtn.SetText(lang.L("Diagnostics copied")) })
	}
	d.SetButtons([]fyne.CanvasObject{copyBtn, widget.NewButton(lang.L("Close"), d.Hide)})
	d.Show()
}

// serverSourceText says in the UI's language where the server came from; a
// machine-wide setting is named by its location as it is.
func serverSourceText(src string) string {
	switch src {
	case machineconf.SourceFlag:
		return lang.L("the --server option")
	case machineconf.SourceDemo:
		return lang.L("built-in demo backend")
	case "":
		return "–"
	}
	return lang.L("machine-wide setting {{.Location}}", map[string]any{"Location": src})
}
