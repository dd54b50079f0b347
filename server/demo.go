package server

import (
	"context"
	"errors"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server/store"
)

// DemoUser is a seeded account and its password.
type DemoUser struct {
	ID, Login, Password, DisplayName string
}

// Demo describes the seeded demo organisation.
type Demo struct {
	OrgID, OrgName string
	Admins         []DemoUser
	Agents         []DemoUser
}

// DemoPassword is the password of every demo account.
const DemoPassword = "Phoneset-demo-1"

// demoHash is DemoPassword hashed with DefaultHashParams. The password is
// public (the sign-in screen shows it), so a salt fixed in the binary gives
// nothing away, and seeding skips an argon2id run (180 ms of CPU beside
// the app's first start). A test checks it still verifies.
const demoHash = "$argon2id$v=19$m=19456,t=2,p=1$qN04CFtQKPqyeAgou0GY+g$O2RqnpeNk/8y1WN2F8O5quf80h0ByyyObiLd3fsznfU"

// demoPasswordHash is the stored hash of the demo accounts' password.
func (s *Server) demoPasswordHash() string {
	if s.hash == DefaultHashParams {
		return demoHash
	}
	return hashPassword(DemoPassword, s.hash)
}

const (
	demoOrgID  = "org_demo"
	demoDomain = "demo.phoneset.test"
)

type demoSeed struct {
	id, username, email, first, last, display string
	admin                                     bool
	mobile, fixed                             string
	info                                      []api.InfoField
	usage                                     map[string]int64
}

var demoUsers = []demoSeed{
	{id: "usr_demo_admin", username: "admin", email: "admin@demo.phoneset.test", first: "Ada", last: "Admin", display: "Ada Admin",
		admin: true, mobile: "+46701234501", fixed: "+46812345601",
		info:  []api.InfoField{{Label: "Department", Value: "Management"}, {Label: "Employee no.", Value: "1001"}},
		usage: map[string]int64{MetricMinutes: 312, MetricMessages: 48, MetricGroups: 3}},
	{id: "usr_demo_agent1", username: "agent1", email: "agent1@demo.phoneset.test", first: "Bo", last: "Agent", display: "Bo Agent",
		mobile: "+46701234502", fixed: "+46812345602",
		info:  []api.InfoField{{Label: "Department", Value: "Customer Service"}, {Label: "Employee no.", Value: "2001"}},
		usage: map[string]int64{MetricMinutes: 1184, MetricMessages: 205, MetricGroups: 2}},
	{id: "usr_demo_agent2", username: "agent2", email: "agent2@demo.phoneset.test", first: "Cy", last: "Agent", display: "Cy Agent",
		fixed: "+46812345603",
		info:  []api.InfoField{{Label: "Department", Value: "Sales"}, {Label: "Employee no.", Value: "2002"}},
		usage: map[string]int64{MetricMinutes: 947, MetricMessages: 131, MetricGroups: 1}},
}

var demoReasons = []api.ReasonCode{
	{Code: "lunch", Label: "Lunch"},
	{Code: "meeting", Label: "Meeting"},
	{Code: "training", Label: "Training"},
}

var demoLimits = map[string]int64{MetricMinutes: 5000, MetricMessages: 1000, MetricGroups: 10, MetricAPIRequests: 100000}

// DemoAccounts describes the demo organisation SeedDemo creates, without
// touching a database.
func DemoAccounts() Demo {
	d := Demo{OrgID: demoOrgID, OrgName: "Demo Contact Centre"}
	for _, u := range demoUsers {
		du := DemoUser{ID: u.id, Login: u.username, Password: DemoPassword, DisplayName: u.display}
		if u.admin {
			d.Admins = append(d.Admins, du)
		} else {
			d.Agents = append(d.Agents, du)
		}
	}
	return d
}

// SeedDemo fills an empty database with the demo organisation "Demo
// Contact Centre": an admin (admin / Phoneset-demo-1, permission
// "account") and two agents, reason codes, additional info and a plan
// with usage. On a database that already has the demo it returns its
// description; on any other non-empty database it changes nothing and
// returns an empty Demo.
func (s *Server) SeedDemo(ctx context.Context) (Demo, error) {
	q := s.st.Q()
	if _, err := q.OrgByID(ctx, demoOrgID); err == nil {
		return DemoAccounts(), nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return Demo{}, err
	}
	if n, err := q.CountUsers(ctx); err != nil || n > 0 {
		return Demo{}, err
	}
	now := s.now()
	pw := s.demoPasswordHash()
	err := s.st.Tx(ctx, func(q store.Q) error {
		org := &store.Org{ID: demoOrgID, DisplayName: "Demo Contact Centre", TimeZone: "Europe/Stockholm", Language: "en",
			MembersChooseAvatar: true, MembersChooseCover: true, MembersChangeEmail: true,
			PlanName: "Unlimited", CycleDay: 1, CreatedAt: now}
		if err := q.CreateOrg(ctx, org); err != nil {
			return err
		}
		for _, rc := range demoReasons {
			if err := q.AddReasonCode(ctx, org.ID, rc); err != nil {
				return err
			}
		}
		for m, v := range demoLimits {
			if err := q.SetPlanLimit(ctx, org.ID, m, v); err != nil {
				return err
			}
		}
		cycle := cycleStart(now, org.CycleDay, org.TimeZone)
		for _, d := range demoUsers {
			u := &store.User{ID: d.id, OrgID: org.ID, Username: d.username, Email: d.email, PasswordHash: pw,
				PasswordChangedAt: now, FirstName: d.first, LastName: d.last, DisplayName: d.display,
				Language: "en", TimeZone: "Europe/Stockholm", Mobile: d.mobile, FixedNumber: d.fixed,
				AdminInfo: d.info, Availability: api.Offline, StatusChangedAt: now, CreatedAt: now}
			if err := q.CreateUser(ctx, u); err != nil {
				return err
			}
			if d.admin {
				if err := q.Grant(ctx, u.ID, api.PermAccount); err != nil {
					return err
				}
			}
			for m, v := range d.usage {
				if err := q.AddUsage(ctx, u.ID, cycle, m, v); err != nil {
					return err
				}
			}
		}
		if err := s.seedOrgDemo(ctx, q, org.ID, now); err != nil {
			return err
		}
		// The demo's email domain is proven, so single sign-on can be
		// tried with it at once (a .test domain nobody else can own).
		if err := q.ClaimSSODomain(ctx, org.ID, demoDomain); err != nil {
			return err
		}
		if err := q.VerifySSODomain(ctx, org.ID, demoDomain, now); err != nil {
			return err
		}
		return q.Audit(ctx, org.ID, api.AuditEvent{At: now.UTC(), ActorID: "system", Actor: "system",
			Action: "org.seed_demo", Resource: "org/" + org.ID, New: org.DisplayName})
	})
	if err != nil {
		return Demo{}, err
	}
	s.log.Info("seeded demo organisation", "org", "Demo Contact Centre", "admin", "admin", "agents", "agent1, agent2")
	return DemoAccounts(), nil
}
