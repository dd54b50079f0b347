package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/phoneset/phoneset/server/store"
)

// TestDomainClaimsMigration: domains claimed before they had to be proven
// become pending, so they route nobody, with the reason on the claim and
// an event in the organisation's audit log; going back down keeps only
// verified ones.
func TestDomainClaimsMigration(t *testing.T) {
	eachDB(t, func(t *testing.T, dsn string) {
		s, _, _ := fixture(t, dsn)
		ctx := context.Background()
		fsys, err := store.MigrationFS(s.Dialect())
		if err != nil {
			t.Fatal(err)
		}
		gd := goose.DialectSQLite3
		if s.Dialect() == store.Postgres {
			gd = goose.DialectPostgres
		}
		p, err := goose.NewProvider(gd, s.DB(), fsys, goose.WithDisableGlobalRegistry(true))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.DownTo(ctx, 800); err != nil {
			t.Fatal(err)
		}
		for _, stmt := range []string{
			`INSERT INTO org_sso (org_id, enabled, issuer, client_id) VALUES ('o1', TRUE, 'https://idp.example', 'x')`,
			`INSERT INTO sso_domains (domain, org_id) VALUES ('bigcorp.example', 'o1')`,
		} {
			if _, err := s.DB().ExecContext(ctx, stmt); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := p.Up(ctx); err != nil {
			t.Fatal(err)
		}
		q := s.Q()
		if _, err := q.OrgByDomain(ctx, "bigcorp.example"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a migrated claim routes sign-ins: %v", err)
		}
		c, err := q.OrgSSO(ctx, "o1")
		if err != nil || len(c.Domains) != 1 || c.Domains[0].Verified() || c.Domains[0].Failure != "domain_unproven" || !c.Enabled {
			t.Fatalf("migrated %+v %v", c, err)
		}
		if n, err := q.UnprovenSSOOrgs(ctx); err != nil || n != 1 {
			t.Errorf("unproven organisations: %d %v", n, err)
		}
		evs, err := q.AuditEvents(ctx, store.AuditFilter{OrgID: "o1", Action: "sso.domain_pending"})
		if err != nil || len(evs) != 1 || evs[0].Resource != "org/o1/sso/domains/bigcorp.example" || time.Since(evs[0].At).Abs() > time.Hour {
			t.Errorf("audit %+v %v", evs, err)
		}

		if err := q.VerifySSODomain(ctx, "o1", "bigcorp.example", time.Now()); err != nil {
			t.Fatal(err)
		}
		if err := q.ClaimSSODomain(ctx, "o1", "pending.example"); err != nil {
			t.Fatal(err)
		}
		if _, err := p.DownTo(ctx, 800); err != nil {
			t.Fatal(err)
		}
		var domains []string
		rows, err := s.DB().QueryContext(ctx, `SELECT domain FROM sso_domains`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var d string
			rows.Scan(&d)
			domains = append(domains, d)
		}
		rows.Close()
		if len(domains) != 1 || domains[0] != "bigcorp.example" {
			t.Errorf("down: %q", domains)
		}
		if _, err := p.Up(ctx); err != nil {
			t.Fatal(err)
		}
	})
}
