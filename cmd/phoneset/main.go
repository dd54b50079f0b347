// Command phoneset is the Phoneset desktop app. Without --server it runs the
// account backend in-process with a demo organisation.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	stdlog "log"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/phoneset/phoneset/account"
	"github.com/phoneset/phoneset/api/client"
	"github.com/phoneset/phoneset/assets"
	"github.com/phoneset/phoneset/audio"
	"github.com/phoneset/phoneset/internal/autostart"
	"github.com/phoneset/phoneset/internal/away"
	"github.com/phoneset/phoneset/internal/diag"
	"github.com/phoneset/phoneset/internal/machineconf"
	"github.com/phoneset/phoneset/internal/single"
	"github.com/phoneset/phoneset/internal/userdir"
	"github.com/phoneset/phoneset/server/embedded"
	"github.com/phoneset/phoneset/ui"
)

func main() {
	serverURL := flag.String("server", "", "account backend URL (https://…); empty uses the machine-wide setting, else the built-in backend with a demo organisation")
	flag.Parse()
	// The recorder keeps the last warnings and errors, redacted, for Help →
	// Copy diagnostics.
	rec := diag.NewRecorder(slog.NewTextHandler(os.Stderr, nil), 20)
	log := slog.New(rec)
	slog.SetDefault(log) // the ui package logs through it
	// Fyne reports its errors through the log package; after any
	// slog.SetDefault, which would send them to slog as Info.
	stdlog.SetOutput(rec.Writer(os.Stderr))
	if err := run(*serverURL, rec.Recent, log); err != nil {
		fmt.Fprintln(os.Stderr, "phoneset:", err)
		os.Exit(1)
	}
}

func run(serverFlag string, recentErrors func() []string, log *slog.Logger) error {
	dataDir, err := userdir.Data()
	if err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	// One instance per user: a second start shows the first one's window.
	inst, err := single.Claim(dataDir, single.DefaultWait)
	switch {
	case errors.Is(err, single.ErrOtherInstance):
		log.Info("Phoneset is already running: brought its window forward")
		return nil
	case errors.Is(err, single.ErrNoAnswer):
		return err
	case err != nil:
		log.Warn("can't check for another Phoneset; starting anyway", "err", err)
	}
	defer inst.Close()
	a := app.NewWithID("io.phoneset.app")
	a.SetIcon(fyne.NewStaticResource("logo.png", assets.Logo))
	ui.RestoreAppearance(a)
	srv, err := machineconf.Resolve(serverFlag)
	if err != nil {
		ui.ShowStartError(a, err)
		return err
	}

	opts := ui.Options{Device: deviceName(), AudioPrefs: ui.AppPrefsStore{P: a.Preferences()}, RecentErrors: recentErrors, Away: away.New}
	if login, err := autostart.New(); err == nil {
		opts.LoginStart = login
	} else {
		log.Warn("start at login unavailable", "err", err)
	}
	// The audio opens when a page first needs it (ui.Options.OpenAudio), off
	// the path to the first frame; it is closed on the way out if it was.
	var audioMu sync.Mutex
	var sys *audio.System
	prefs := opts.AudioPrefs.Load()
	opts.OpenAudio = func() (ui.DevicesModel, error) {
		s, err := audio.Open(audio.Options{Prefs: prefs})
		if err != nil {
			return nil, err
		}
		audioMu.Lock()
		defer audioMu.Unlock()
		sys = s
		return s, nil
	}
	defer func() {
		audioMu.Lock()
		defer audioMu.Unlock()
		if sys != nil {
			sys.Close()
		}
	}()
	serverURL, keyringKey := srv.URL, srv.URL
	if serverURL == "" {
		b, err := embedded.Start(context.Background(), filepath.Join(dataDir, "server"), log)
		if err != nil {
			return err
		}
		defer b.Close()
		serverURL, keyringKey = b.URL, embedded.KeyringKey
		opts.BackendReady = b.Ready
		opts.Demo = demoAccounts(b)
		opts.DemoInbox = func() []ui.DemoMessage { return demoInbox(b) }
	}
	opts.Server = machineconf.Server{URL: serverURL, Source: srv.Source}
	log.Info("server", "url", serverURL, "source", srv.Source)
	c, err := client.New(serverURL, client.WithLogger(log))
	if err != nil {
		return err
	}
	m, err := account.Open(account.Config{DataDir: filepath.Join(dataDir, "client"), Client: c, Server: keyringKey, Logger: log})
	if err != nil {
		return err
	}
	defer m.Close()

	w := a.NewWindow("Phoneset")
	w.Resize(fyne.NewSize(1024, 680))
	ui.Show(w, m, c, opts)
	ui.RaiseOnRequest(w, inst.Requests())
	w.ShowAndRun()
	return nil
}

func demoAccounts(b *embedded.Backend) *ui.DemoAccounts {
	d := &ui.DemoAccounts{}
	for _, u := range b.Demo.Admins {
		d.Admin, d.Password = u.Login, u.Password
	}
	for _, u := range b.Demo.Agents {
		d.Agents = append(d.Agents, u.Login)
	}
	return d
}

func demoInbox(b *embedded.Backend) []ui.DemoMessage {
	msgs := b.Inbox()
	out := make([]ui.DemoMessage, len(msgs))
	for i, m := range msgs {
		out[i] = ui.DemoMessage{Channel: m.Channel, To: m.To, Subject: m.Subject, Body: m.Body, At: m.At}
	}
	return out
}

func deviceName() string {
	host, err := os.Hostname()
	if err != nil {
		return "Phoneset"
	}
	return "Phoneset on " + host
}
