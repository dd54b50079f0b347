// Command phoneset-server runs the Phoneset account backend.
//
// It speaks plain HTTP unless --tls-cert and --tls-key are given; anywhere
// but loopback, terminate TLS here or in a reverse proxy in front of it.
//
// SIGTERM or SIGINT stops it: it accepts nothing new and lets the requests
// in flight finish for up to --drain-timeout, then cuts the rest (a second
// signal cuts them at once). It exits 0 when no request was cut, 3 when
// some were, 1 on failure and 2 on bad flags (README: Stopping the server).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/smtp"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/phoneset/phoneset/server"
	"github.com/phoneset/phoneset/server/mail"
	_ "github.com/phoneset/phoneset/server/scim" // /scim/v2 for identity providers
	"github.com/phoneset/phoneset/server/sso"
	_ "github.com/phoneset/phoneset/server/store/postgres" // --db postgres://
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "org" {
		os.Exit(orgCommand(context.Background(), os.Args[2:], os.Stdout, os.Stderr))
	}
	var (
		addr       = flag.String("addr", "127.0.0.1:8080", "listen address")
		db         = flag.String("db", "", `database: a SQLite file path, "sqlite:PATH", or a postgres:// URL (default: phoneset.db in --data)`)
		data       = flag.String("data", ".", "data directory (SQLite file, secret.key)")
		seed       = flag.Bool("seed-demo", false, "seed the demo organisation into an empty database")
		tlsCert    = flag.String("tls-cert", "", "TLS certificate file (serve HTTPS)")
		tlsKey     = flag.String("tls-key", "", "TLS key file")
		publicURL  = flag.String("public-url", "", "base URL used in emailed links")
		devOutbox  = flag.Bool("dev-outbox", false, "log emails and SMS with their codes and serve GET /v1/dev/outbox (development only)")
		mailOpts   = addMailFlags(flag.CommandLine)
		smsHook    = flag.String("sms-webhook", "", "URL that receives text messages as JSON POSTs (default: dev outbox)")
		gravatar   = flag.String("gravatar-url", "", "Gravatar base URL (default https://www.gravatar.com/avatar/)")
		forwarded  = flag.Bool("trust-forwarded-for", false, "take client addresses from X-Forwarded-For (behind a proxy only)")
		secretFile = flag.String("secret-file", "", "file holding the secret that seals API keys; share it between processes on one database (default: secret.key in --data)")
		dnsServer  = flag.String("dns", "", "DNS server (host:port) that proves organisations' email domains by TXT record (default: the system's resolver)")
		drain      = flag.Duration("drain-timeout", 10*time.Second, "on SIGTERM or SIGINT, how long requests in flight may finish before they are cut")
	)
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	cfg := server.Config{DB: *db, DataDir: *data, Logger: log, DevOutbox: *devOutbox, PublicURL: *publicURL,
		GravatarBaseURL: *gravatar, TrustForwardedFor: *forwarded, OIDC: sso.New(nil, nil), DNS: *dnsServer}
	if *secretFile != "" {
		b, err := os.ReadFile(*secretFile)
		if err != nil {
			fail(err)
		}
		cfg.Secret = b
	}
	cfg.Mail = mailOpts.sender()
	if *smsHook != "" {
		cfg.SMS = &mail.Webhook{URL: *smsHook}
	}
	cut, err := run(cfg, *addr, *seed, *tlsCert, *tlsKey, *drain)
	if err != nil {
		fail(err)
	}
	if cut > 0 {
		os.Exit(exitCut)
	}
}

// exitCut is the exit status of a stop that had to cut requests in flight:
// not a crash, but their clients got no answer.
const exitCut = 3

// run serves until a signal, then drains for up to drain; it returns how
// many requests it cut.
func run(cfg server.Config, addr string, seed bool, cert, key string, drain time.Duration) (cut int, err error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv, err := server.Open(ctx, cfg)
	if err != nil {
		return 0, err
	}
	if seed {
		demo, err := srv.SeedDemo(ctx)
		if err != nil {
			srv.Close()
			return 0, err
		}
		if demo.OrgName != "" {
			cfg.Logger.Info("demo organisation ready", "org", demo.OrgName, "password", "see server.DemoPassword")
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		srv.Close()
		return 0, err
	}
	cfg.Logger.Info("phoneset-server listening", "addr", ln.Addr().String(), "tls", cert != "")
	done := make(chan error, 1)
	go func() {
		if cert != "" || key != "" {
			done <- srv.ServeTLS(ln, cert, key)
		} else {
			done <- srv.Serve(ln)
		}
	}()
	select {
	case err = <-done:
	case <-ctx.Done():
		// A second signal cuts the drain short.
		force, stopForce := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stopForce()
		dctx, cancel := context.WithTimeout(force, drain)
		defer cancel()
		cfg.Logger.Info("shutting down: draining requests in flight", "deadline", drain)
		cut = srv.Shutdown(dctx)
	}
	if cerr := srv.Close(); cerr != nil {
		err = errors.Join(err, cerr)
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return cut, err
	}
	return cut, nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "phoneset-server:", err)
	os.Exit(1)
}

// mailFlags choose how email is delivered.
type mailFlags struct {
	smtpAddr, smtpFrom, smtpUser, hook *string
}

func addMailFlags(fs *flag.FlagSet) *mailFlags {
	return &mailFlags{
		smtpAddr: fs.String("smtp", "", "SMTP relay host:port for email (default: dev outbox)"),
		smtpFrom: fs.String("smtp-from", "phoneset@localhost", "From address of emails"),
		smtpUser: fs.String("smtp-user", "", "SMTP user (password from PHONESET_SMTP_PASSWORD)"),
		hook:     fs.String("mail-webhook", "", "URL that receives emails as JSON POSTs (instead of SMTP)"),
	}
}

// sender is the chosen email delivery, nil for the dev outbox.
func (f *mailFlags) sender() mail.Sender {
	switch {
	case *f.hook != "":
		return &mail.Webhook{URL: *f.hook}
	case *f.smtpAddr != "":
		s := &mail.SMTP{Addr: *f.smtpAddr, From: *f.smtpFrom}
		if *f.smtpUser != "" {
			host, _, _ := net.SplitHostPort(*f.smtpAddr)
			s.Auth = smtp.PlainAuth("", *f.smtpUser, os.Getenv("PHONESET_SMTP_PASSWORD"), host)
		}
		return s
	}
	return nil
}
