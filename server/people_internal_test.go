package server

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server/store"
)

// TestLastAdminStays: callers without an account of their own (SCIM,
// operators) reach the last-admin rule, which an admin acting on another
// admin never can: the last active admin is not deactivated or lost.
func TestLastAdminStays(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Config{DataDir: t.TempDir(), Hash: HashParams{Memory: 64, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	demo, err := s.SeedDemo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	q := s.st.Q()
	adminID, agentID := demo.Admins[0].ID, demo.Agents[1].ID
	// The owner is refused whatever; make an agent the owner so the admin
	// is just the last admin.
	if err := q.SetOwner(ctx, demo.OrgID, agentID); err != nil {
		t.Fatal(err)
	}
	scim := &principal{ip: "scim", Auth: store.Auth{UserID: "scim:sct_test", OrgID: demo.OrgID}}
	for _, tt := range []struct {
		id   string
		want string
	}{{adminID, api.ReasonAdminMustRemain}, {agentID, api.ReasonOwnerStays}} {
		u, err := q.UserByID(ctx, tt.id)
		if err != nil {
			t.Fatal(err)
		}
		err = s.st.Tx(ctx, func(q store.Q) error { return s.deactivateUser(ctx, q, scim, u) })
		var ae *api.Error
		if !errors.As(err, &ae) || ae.Reason == nil || ae.Reason.Code != tt.want {
			t.Errorf("deactivate %s: %v, want %s", tt.id, err, tt.want)
		}
	}
	// A second admin makes the first one deactivatable, and the audit
	// names the SCIM token as actor.
	if err := q.Grant(ctx, demo.Agents[0].ID, api.PermAccount); err != nil {
		t.Fatal(err)
	}
	u, _ := q.UserByID(ctx, adminID)
	if err := s.st.Tx(ctx, func(q store.Q) error { return s.deactivateUser(ctx, q, scim, u) }); err != nil {
		t.Fatal(err)
	}
	evs, err := q.AuditEvents(ctx, store.AuditFilter{OrgID: demo.OrgID, Resource: "user/" + adminID + "/active", Limit: 10})
	if err != nil || len(evs) == 0 || evs[0].Actor != "scim:sct_test" || evs[0].IP != "scim" {
		t.Fatalf("audit %+v %v", evs, err)
	}
	// Now the remaining admin is the last one.
	other, _ := q.UserByID(ctx, demo.Agents[0].ID)
	err = s.st.Tx(ctx, func(q store.Q) error { return s.deactivateUser(ctx, q, scim, other) })
	var ae *api.Error
	if !errors.As(err, &ae) || ae.Reason == nil || ae.Reason.Code != api.ReasonAdminMustRemain {
		t.Errorf("last admin deactivated: %v", err)
	}
}

// TestPruneInvitations: an expired invitation stays listed for a resend,
// and housekeeping drops it 30 days after it expired.
func TestPruneInvitations(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	s, err := Open(ctx, Config{DataDir: t.TempDir(), Hash: HashParams{Memory: 64, Time: 1, Threads: 1}, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	demo, err := s.SeedDemo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i, age := range []time.Duration{0, 20 * 24 * time.Hour, 40 * 24 * time.Hour} {
		created := now.Add(-age - api.InvitationTTL)
		inv := &store.Invitation{ID: "inv_" + strconv.Itoa(i), OrgID: demo.OrgID, Email: strconv.Itoa(i) + "@example.com", DisplayName: "X",
			InvitedBy: "Ada Admin", SentCount: 1, CreatedAt: created, SentAt: created, ExpiresAt: created.Add(api.InvitationTTL)}
		if err := s.st.Q().CreateInvitation(ctx, inv, "hash"+strconv.Itoa(i), created); err != nil {
			t.Fatal(err)
		}
	}
	s.prune()
	invs, err := s.st.Q().Invitations(ctx, demo.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, i := range invs {
		ids = append(ids, i.ID)
	}
	slices.Sort(ids)
	if !slices.Equal(ids, []string{"inv_0", "inv_1"}) {
		t.Errorf("after pruning: %v", ids)
	}
}
