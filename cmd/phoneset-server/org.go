package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/phoneset/phoneset/server"
	"github.com/phoneset/phoneset/server/mail"
)

const orgUsage = `usage: phoneset-server org create --name NAME --number ORG-NUMBER --owner-email EMAIL [--owner-name NAME] [flags]
       phoneset-server org list [flags]
       phoneset-server org disable ORG-ID [flags]
       phoneset-server org verify-domain ORG-ID DOMAIN [flags]

Operators run one backend for many customers: create makes an organisation
and emails its owner an invitation (valid 7 days) to choose a username and
password; the owner becomes its owner and admin. Without --smtp or
--mail-webhook nothing is mailed and the link is printed instead. disable
signs every member out at once and lets nobody of it sign in again.
verify-domain marks an email domain the organisation has added to its
single sign-on as verified without the DNS TXT record its admins would
otherwise publish: for operators who run that domain's DNS themselves
(on premises). It is audited as the operator.
`

// orgCommand runs "phoneset-server org …" and returns the exit status.
func orgCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, orgUsage)
		return 2
	}
	verb := args[0]
	fs := flag.NewFlagSet("phoneset-server org "+verb, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, orgUsage); fs.PrintDefaults() }
	db := fs.String("db", "", `database: a SQLite file path, "sqlite:PATH", or a postgres:// URL (default: phoneset.db in --data)`)
	data := fs.String("data", ".", "data directory (SQLite file, secret.key)")
	secretFile := fs.String("secret-file", "", "file holding the secret that seals API keys (default: secret.key in --data)")
	publicURL := fs.String("public-url", "http://127.0.0.1:8080", "base URL of the emailed link: where phoneset-server serves")
	name := fs.String("name", "", "organisation name (create)")
	number := fs.String("number", "", "organisation number, unique (create)")
	ownerEmail := fs.String("owner-email", "", "the owner's email address, where the invitation goes (create)")
	ownerName := fs.String("owner-name", "", "the owner's display name (create; default: the address's local part)")
	tz := fs.String("time-zone", "Europe/Stockholm", "the organisation's time zone (create)")
	language := fs.String("language", "en", "the organisation's language, en or sv (create)")
	mailOpts := addMailFlags(fs)
	// Flags may come before or after the organisation ID.
	var pos []string
	for rest := args[1:]; ; rest = fs.Args()[1:] {
		if err := fs.Parse(rest); err != nil {
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
	}
	// Without a mail sender the invitation goes to a memory outbox and its
	// link is printed; nothing here sends SMS.
	sender := mailOpts.sender()
	cfg := server.Config{DB: *db, DataDir: *data, Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Mail: cmp.Or[mail.Sender](sender, &mail.Outbox{}), SMS: &mail.Outbox{}, PublicURL: *publicURL}
	if *secretFile != "" {
		b, err := os.ReadFile(*secretFile)
		if err != nil {
			fmt.Fprintln(stderr, "phoneset-server:", err)
			return 1
		}
		cfg.Secret = b
	}
	switch verb {
	case "create", "list":
		if len(pos) != 0 {
			fs.Usage()
			return 2
		}
	case "disable", "verify-domain":
		if len(pos) != map[string]int{"disable": 1, "verify-domain": 2}[verb] {
			fs.Usage()
			return 2
		}
	default:
		fs.Usage()
		return 2
	}
	srv, err := server.Open(ctx, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "phoneset-server:", err)
		return 1
	}
	defer srv.Close()
	switch verb {
	case "create":
		id, link, err := srv.CreateOrganisation(ctx, server.NewOrg{Name: *name, Number: *number, OwnerEmail: *ownerEmail,
			OwnerName: *ownerName, TimeZone: *tz, Language: *language}, *publicURL)
		if err != nil {
			fmt.Fprintln(stderr, "phoneset-server: org create:", err)
			return 1
		}
		fmt.Fprintf(stdout, "created organisation %s (%s)\n", id, *name)
		if sender == nil {
			fmt.Fprintf(stdout, "no email delivery configured: give the owner this link (valid 7 days, works once):\n%s\n", link)
		} else {
			fmt.Fprintf(stdout, "invitation sent to %s\n", *ownerEmail)
		}
	case "list":
		rows, err := srv.Organisations(ctx)
		if err != nil {
			fmt.Fprintln(stderr, "phoneset-server: org list:", err)
			return 1
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tNUMBER\tMEMBERS\tINVITED\tCREATED\tSTATE")
		for _, o := range rows {
			state := "active"
			if !o.DisabledAt.IsZero() {
				state = "disabled " + o.DisabledAt.UTC().Format(time.DateOnly)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\t%s\n", o.ID, oneLine(o.DisplayName), oneLine(o.OrgNumber), o.Members, o.Invited,
				o.CreatedAt.UTC().Format(time.DateOnly), state)
		}
		tw.Flush()
	case "disable":
		n, err := srv.DisableOrganisation(ctx, pos[0])
		if err != nil {
			fmt.Fprintln(stderr, "phoneset-server: org disable:", err)
			return 1
		}
		fmt.Fprintf(stdout, "disabled %s: %d sessions ended\n", pos[0], n)
	case "verify-domain":
		changed, err := srv.VerifyDomain(ctx, pos[0], pos[1])
		if err != nil {
			fmt.Fprintln(stderr, "phoneset-server: org verify-domain:", err)
			return 1
		}
		if changed {
			fmt.Fprintf(stdout, "verified %s for %s: its addresses now sign in through the organisation's provider\n", oneLine(pos[1]), pos[0])
		} else {
			fmt.Fprintf(stdout, "%s was already verified for %s\n", oneLine(pos[1]), pos[0])
		}
	}
	return 0
}

// oneLine keeps a stored name from breaking the table or the terminal.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}
