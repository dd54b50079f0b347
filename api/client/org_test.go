package client

import (
	"context"
	"encoding/json"
	"github.com/phoneset/phoneset/api"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// orgCase is one org client method and the request it must make.
type orgCase struct {
	name   string
	call   func(ctx context.Context, c *Client) (any, error)
	method string
	path   string // escaped
	query  string
	match  string // If-Match sent, "" for none
	body   string // JSON, "" for none
	reply  string // JSON answered with 200; "" answers 204
	out    any    // what the reply decodes to
}

var orgAt = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

func orgCases() []orgCase {
	return []orgCase{
		{"supervisors", func(ctx context.Context, c *Client) (any, error) { return c.Supervisors(ctx) },
			"GET", "/v1/org/supervisors", "", "", "", `[{"user_id":"u1","option_ids":["o1"]}]`, []api.Supervisor{{UserID: "u1", OptionIDs: []string{"o1"}}}},
		{"set supervisor", func(ctx context.Context, c *Client) (any, error) { return c.SetSupervisor(ctx, "u/1", []string{"o1"}) },
			"PUT", "/v1/org/users/u%2F1/supervisor", "", "", `{"option_ids":["o1"]}`, `{"user_id":"u/1","option_ids":["o1"]}`,
			api.Supervisor{UserID: "u/1", OptionIDs: []string{"o1"}}},
		{"revoke supervisor", func(ctx context.Context, c *Client) (any, error) { return c.RevokeSupervisor(ctx, "u1") },
			"DELETE", "/v1/org/users/u1/supervisor", "", "", "", `{"user_id":"u1","option_ids":[]}`, api.Supervisor{UserID: "u1", OptionIDs: []string{}}},
		{"settings", func(ctx context.Context, c *Client) (any, error) { return c.OrgSettings(ctx) },
			"GET", "/v1/org", "", "", "", `{"version":3,"company_name":"Demo AB"}`, api.OrgSettings{Version: 3, CompanyName: "Demo AB"}},
		{"update settings", func(ctx context.Context, c *Client) (any, error) {
			return c.UpdateOrgSettings(ctx, 3, api.OrgSettingsPatch{MembersChangeEmail: new(false)})
		}, "PATCH", "/v1/org", "", `"3"`, `{"members_change_email":false}`, `{"version":4}`, api.OrgSettings{Version: 4}},
		{"photo", func(ctx context.Context, c *Client) (any, error) { return c.OrgPhoto(ctx, api.PhotoCover, 64) },
			"GET", "/v1/org/photos/cover", "size=64", "", "", "JPEG", []byte("JPEG")},
		{"set photo", func(ctx context.Context, c *Client) (any, error) {
			return c.SetOrgPhoto(ctx, api.PhotoAvatar, 4, []byte("\x89PNG\r\n\x1a\n"))
		}, "PUT", "/v1/org/photos/avatar", "", `"4"`, "\x89PNG\r\n\x1a\n", `{"version":5,"has_avatar":true}`, api.OrgSettings{Version: 5, HasAvatar: true}},
		{"remove photo", func(ctx context.Context, c *Client) (any, error) { return c.RemoveOrgPhoto(ctx, api.PhotoAvatar, 5) },
			"DELETE", "/v1/org/photos/avatar", "", `"5"`, "", `{"version":6}`, api.OrgSettings{Version: 6}},
		{"package", func(ctx context.Context, c *Client) (any, error) { return c.OrgPackage(ctx) },
			"GET", "/v1/org/package", "", "", "", `{"version":2,"package":"light"}`, api.PBXPackage{Version: 2, Package: api.PackageLight}},
		{"set package", func(ctx context.Context, c *Client) (any, error) {
			return c.SetOrgPackage(ctx, 2, api.PackageUnlimited)
		},
			"PUT", "/v1/org/package", "", `"2"`, `{"package":"unlimited"}`, `{"version":3,"package":"unlimited"}`, api.PBXPackage{Version: 3, Package: api.PackageUnlimited}},
		{"licenses", func(ctx context.Context, c *Client) (any, error) { return c.OrgLicenses(ctx) },
			"GET", "/v1/org/licenses", "", "", "", `{"licenses":[{"sku":"pro","total":5,"assigned":3,"unassigned":2}]}`,
			api.Licenses{Licenses: []api.LicenseCount{{SKU: "pro", Total: 5, Assigned: 3, Unassigned: 2}}}},
		{"orders", func(ctx context.Context, c *Client) (any, error) { return c.OrgOrders(ctx) },
			"GET", "/v1/org/orders", "", "", "", `[{"id":"ord_1","total":100}]`, []api.Order{{ID: "ord_1", Total: 100}}},
		{"place order", func(ctx context.Context, c *Client) (any, error) {
			return c.PlaceOrder(ctx, []api.OrderItem{{SKU: "pro", Quantity: 2}})
		}, "POST", "/v1/org/orders", "", "", `{"items":[{"sku":"pro","quantity":2}]}`, `{"id":"ord_2","at":"2026-11-23T08:00:00Z"}`, api.Order{ID: "ord_2", At: orgAt}},
		{"second factor", func(ctx context.Context, c *Client) (any, error) { return c.OrgSecondFactor(ctx) },
			"GET", "/v1/org/second-factor", "", "", "", `{"policy":"admins","version":2,"members":[{"id":"u1","enabled":true}]}`,
			api.OrgSecondFactor{Policy: "admins", Version: 2, Members: []api.MemberSecondFactor{{ID: "u1", Enabled: true}}}},
		{"set second factor policy", func(ctx context.Context, c *Client) (any, error) {
			return c.SetSecondFactorPolicy(ctx, 2, api.SecondFactorEveryone)
		}, "PUT", "/v1/org/second-factor", "", `"2"`, `{"policy":"everyone"}`, `{"policy":"everyone","version":3}`,
			api.OrgSecondFactor{Policy: "everyone", Version: 3}},
		{"reset second factor", func(ctx context.Context, c *Client) (any, error) {
			return nil, c.ResetSecondFactor(ctx, "u/1", "pw")
		}, "DELETE", "/v1/org/users/u%2F1/second-factor", "", "", `{"password":"pw"}`, "", nil},
		{"users", func(ctx context.Context, c *Client) (any, error) {
			return c.OrgUsers(ctx, api.OrgUserFilter{Option: "opt 1", Query: "bo"})
		}, "GET", "/v1/org/users", "option=opt+1&q=bo", "", "", `[{"id":"u1","admin":true}]`, []api.OrgUser{{ID: "u1", Admin: true}}},
		{"set email", func(ctx context.Context, c *Client) (any, error) {
			return c.SetUserEmail(ctx, "u/1", 7, "a@b.test", "pw")
		},
			"PUT", "/v1/org/users/u%2F1/email", "", `"7"`, `{"email":"a@b.test","password":"pw"}`, `{"id":"u/1","profile_version":8}`, api.OrgUser{ID: "u/1", ProfileVersion: 8}},
		{"assign license", func(ctx context.Context, c *Client) (any, error) { return c.AssignLicense(ctx, "u1", "pro") },
			"PUT", "/v1/org/users/u1/licenses/pro", "", "", "", `{"id":"u1","licenses":["pro"]}`, api.OrgUser{ID: "u1", Licenses: []string{"pro"}}},
		{"unassign license", func(ctx context.Context, c *Client) (any, error) { return c.UnassignLicense(ctx, "u1", "pro") },
			"DELETE", "/v1/org/users/u1/licenses/pro", "", "", "", `{"id":"u1"}`, api.OrgUser{ID: "u1"}},
		{"grant admin", func(ctx context.Context, c *Client) (any, error) { return c.GrantAdmin(ctx, "u1") },
			"PUT", "/v1/org/users/u1/permissions/account", "", "", "", `{"id":"u1","admin":true}`, api.OrgUser{ID: "u1", Admin: true}},
		{"revoke admin", func(ctx context.Context, c *Client) (any, error) { return c.RevokeAdmin(ctx, "u1") },
			"DELETE", "/v1/org/users/u1/permissions/account", "", "", "", `{"id":"u1"}`, api.OrgUser{ID: "u1"}},
		{"sms", func(ctx context.Context, c *Client) (any, error) { return c.OrgSMS(ctx) },
			"GET", "/v1/org/sms", "", "", "", `{"version":1}`, api.SMSSettings{Version: 1}},
		{"sms zone", func(ctx context.Context, c *Client) (any, error) {
			return c.SetSMSZone(ctx, 1, "europe", api.SMSZoneUpdate{Enabled: true, Scope: api.ScopeSelected, UserIDs: []string{"u1"}})
		}, "PUT", "/v1/org/sms/zones/europe", "", `"1"`, `{"enabled":true,"scope":"selected","user_ids":["u1"]}`, `{"version":2}`, api.SMSSettings{Version: 2}},
		{"sms types", func(ctx context.Context, c *Client) (any, error) { return c.SetSMSMessageTypes(ctx, 2, nil) },
			"PUT", "/v1/org/sms/message-types", "", `"2"`, `{"allowed":[]}`, `{"version":3}`, api.SMSSettings{Version: 3}},
		{"cost centers", func(ctx context.Context, c *Client) (any, error) { return c.CostCenters(ctx) },
			"GET", "/v1/org/cost-centers", "", "", "", `{"enabled":true}`, api.CostCenters{Enabled: true}},
		{"create cost center", func(ctx context.Context, c *Client) (any, error) { return c.CreateCostCenter(ctx, "Sales") },
			"POST", "/v1/org/cost-centers", "", "", `{"name":"Sales"}`, `{"id":"cc1","version":1}`, api.CostCenter{ID: "cc1", Version: 1}},
		{"rename cost center", func(ctx context.Context, c *Client) (any, error) { return c.RenameCostCenter(ctx, "cc1", 1, "Retail") },
			"PATCH", "/v1/org/cost-centers/cc1", "", `"1"`, `{"name":"Retail"}`, `{"id":"cc1","version":2}`, api.CostCenter{ID: "cc1", Version: 2}},
		{"remove cost center", func(ctx context.Context, c *Client) (any, error) { return nil, c.RemoveCostCenter(ctx, "cc1") },
			"DELETE", "/v1/org/cost-centers/cc1", "", "", "", "", nil},
		{"cost center users", func(ctx context.Context, c *Client) (any, error) { return c.SetCostCenterUsers(ctx, "cc1", 2, nil) },
			"PUT", "/v1/org/cost-centers/cc1/users", "", `"2"`, `{"user_ids":[]}`, `{"id":"cc1","version":3}`, api.CostCenter{ID: "cc1", Version: 3}},
		{"reason codes", func(ctx context.Context, c *Client) (any, error) { return c.OrgReasonCodes(ctx) },
			"GET", "/v1/org/reason-codes", "", "", "", `[{"code":"lunch","label":"Lunch","version":1}]`,
			[]api.OrgReasonCode{{ReasonCode: api.ReasonCode{Code: "lunch", Label: "Lunch"}, Version: 1}}},
		{"create reason code", func(ctx context.Context, c *Client) (any, error) { return c.CreateReasonCode(ctx, "Fika") },
			"POST", "/v1/org/reason-codes", "", "", `{"label":"Fika"}`, `{"code":"fika","version":1}`, api.OrgReasonCode{ReasonCode: api.ReasonCode{Code: "fika"}, Version: 1}},
		{"update reason code", func(ctx context.Context, c *Client) (any, error) {
			return c.UpdateReasonCode(ctx, "fika", 1, api.ReasonCodePatch{Retired: new(true)})
		}, "PATCH", "/v1/org/reason-codes/fika", "", `"1"`, `{"retired":true}`, `{"code":"fika","retired":true,"version":2}`,
			api.OrgReasonCode{ReasonCode: api.ReasonCode{Code: "fika", Retired: true}, Version: 2}},
		{"presence", func(ctx context.Context, c *Client) (any, error) { return c.OrgPresence(ctx) },
			"GET", "/v1/org/presence", "", "", "", `{"version":1,"lock_away":true}`, api.Presence{Version: 1, LockAway: true}},
		{"set presence", func(ctx context.Context, c *Client) (any, error) {
			return c.SetOrgPresence(ctx, 1, api.PresenceUpdate{IdleMinutes: 10})
		}, "PUT", "/v1/org/presence", "", `"1"`, `{"lock_away":false,"away_reason_code":"","idle_minutes":10,"auto_online":false}`,
			`{"version":2,"idle_minutes":10}`, api.Presence{Version: 2, IdleMinutes: 10}},
		{"structure", func(ctx context.Context, c *Client) (any, error) { return c.Categories(ctx) },
			"GET", "/v1/org/structure", "", "", "", `[{"id":"cat1","name":"Office"}]`, []api.Category{{ID: "cat1", Name: "Office"}}},
		{"create category", func(ctx context.Context, c *Client) (any, error) { return c.CreateCategory(ctx, "Team", nil) },
			"POST", "/v1/org/structure", "", "", `{"name":"Team","options":[]}`, `{"id":"cat2","version":1}`, api.Category{ID: "cat2", Version: 1}},
		{"update category", func(ctx context.Context, c *Client) (any, error) {
			return c.UpdateCategory(ctx, "cat2", 1, api.CategoryPatch{RemoveOptions: []string{"opt1"}})
		}, "PATCH", "/v1/org/structure/cat2", "", `"1"`, `{"remove_options":["opt1"]}`, `{"id":"cat2","version":2}`, api.Category{ID: "cat2", Version: 2}},
		{"remove category", func(ctx context.Context, c *Client) (any, error) { return nil, c.RemoveCategory(ctx, "cat2") },
			"DELETE", "/v1/org/structure/cat2", "", "", "", "", nil},
		{"option users", func(ctx context.Context, c *Client) (any, error) {
			return c.SetOptionUsers(ctx, "cat1", "opt1", 3, []string{"u1", "u2"})
		}, "PUT", "/v1/org/structure/cat1/options/opt1/users", "", `"3"`, `{"user_ids":["u1","u2"]}`, `{"id":"cat1","version":4}`, api.Category{ID: "cat1", Version: 4}},
		{"invitations", func(ctx context.Context, c *Client) (any, error) { return c.Invitations(ctx) },
			"GET", "/v1/org/invitations", "", "", "", `[{"id":"inv1","email":"a@example.com"}]`, []api.Invitation{{ID: "inv1", Email: "a@example.com"}}},
		{"invite", func(ctx context.Context, c *Client) (any, error) {
			return c.Invite(ctx, api.InvitationRequest{Email: "a@example.com", DisplayName: "A", License: "pro"})
		}, "POST", "/v1/org/invitations", "", "", `{"email":"a@example.com","display_name":"A","license":"pro"}`, `{"id":"inv1"}`, api.Invitation{ID: "inv1"}},
		{"resend invitation", func(ctx context.Context, c *Client) (any, error) { return c.ResendInvitation(ctx, "inv1") },
			"POST", "/v1/org/invitations/inv1/resend", "", "", "", `{"id":"inv1","sent_count":2}`, api.Invitation{ID: "inv1", SentCount: 2}},
		{"revoke invitation", func(ctx context.Context, c *Client) (any, error) { return nil, c.RevokeInvitation(ctx, "inv1") },
			"DELETE", "/v1/org/invitations/inv1", "", "", "", "", nil},
		{"deactivate", func(ctx context.Context, c *Client) (any, error) { return c.DeactivateUser(ctx, "u1") },
			"POST", "/v1/org/users/u1/deactivate", "", "", "", `{"id":"u1","deactivated":true}`, api.OrgUser{ID: "u1", Deactivated: true}},
		{"reactivate", func(ctx context.Context, c *Client) (any, error) { return c.ReactivateUser(ctx, "u1") },
			"POST", "/v1/org/users/u1/reactivate", "", "", "", `{"id":"u1"}`, api.OrgUser{ID: "u1"}},
		{"delete user", func(ctx context.Context, c *Client) (any, error) { return nil, c.DeleteUser(ctx, "u1", "pw") },
			"DELETE", "/v1/org/users/u1", "", "", `{"password":"pw"}`, "", nil},
		{"audit", func(ctx context.Context, c *Client) (any, error) {
			return c.AuditLog(ctx, api.AuditQuery{User: "u1", Action: "org", From: orgAt, Before: 40, Limit: 20})
		}, "GET", "/v1/org/audit", "action=org&before=40&from=2026-11-23T08%3A00%3A00Z&limit=20&user=u1", "", "",
			`{"events":[{"id":39,"action":"org.update"}],"next_before":39}`, api.AuditPage{Events: []api.AuditEvent{{ID: 39, Action: "org.update"}}, NextBefore: 39}},
		{"audit csv", func(ctx context.Context, c *Client) (any, error) {
			return c.ExportAuditCSV(ctx, api.AuditQuery{Resource: "org/x", To: orgAt, Before: 40, Limit: 20})
		}, "GET", "/v1/org/audit", "format=csv&resource=org%2Fx&to=2026-11-23T08%3A00%3A00Z", "", "", "id,at\n", []byte("id,at\n")},
		{"check import", func(ctx context.Context, c *Client) (any, error) {
			return c.CheckUserImport(ctx, []byte("email\nbad\n"), 41)
		}, "POST", "/v1/org/users/import/check", "first_line=41", "", "email\nbad\n",
			`{"rows":1,"problems":[{"line":42,"column":"email","reason":{"code":"email_format"}}],"created":0}`,
			api.ImportReport{Rows: 1, Problems: []api.ImportProblem{{Line: 42, Column: "email", Reason: api.Because(api.ReasonEmailFormat)}}}},
		{"import", func(ctx context.Context, c *Client) (any, error) {
			return c.ImportUsers(ctx, []byte("email\nann@example.com\n"), 0)
		}, "POST", "/v1/org/users/import", "", "", "email\nann@example.com\n", `{"rows":1,"problems":[],"created":1}`,
			api.ImportReport{Rows: 1, Problems: []api.ImportProblem{}, Created: 1}},
		{"users csv", func(ctx context.Context, c *Client) (any, error) { return c.ExportUsersCSV(ctx) },
			"GET", "/v1/org/users", "format=csv", "", "", "id,username\n", []byte("id,username\n")},
		{"scim tokens", func(ctx context.Context, c *Client) (any, error) { return c.SCIMTokens(ctx) },
			"GET", "/v1/org/scim/tokens", "", "", "", `{"available":true,"path":"/scim/v2","tokens":[{"id":"sct_1","name":"Entra"}]}`,
			api.SCIMTokens{Available: true, Path: "/scim/v2", Tokens: []api.SCIMToken{{ID: "sct_1", Name: "Entra"}}}},
		{"create scim token", func(ctx context.Context, c *Client) (any, error) { return c.CreateSCIMToken(ctx, "Entra") },
			"POST", "/v1/org/scim/tokens", "", "", `{"name":"Entra"}`, `{"token":{"id":"sct_1","name":"Entra"},"secret":"pst_x"}`,
			api.SCIMTokenCreated{Token: api.SCIMToken{ID: "sct_1", Name: "Entra"}, Secret: "pst_x"}},
		{"revoke scim token", func(ctx context.Context, c *Client) (any, error) { return nil, c.RevokeSCIMToken(ctx, "sct_1") },
			"DELETE", "/v1/org/scim/tokens/sct_1", "", "", "", "", nil},
		{"sso", func(ctx context.Context, c *Client) (any, error) { return c.OrgSSO(ctx) },
			"GET", "/v1/org/sso", "", "", "", `{"version":2,"enabled":true,"client_secret_set":true}`, api.SSOSettings{Version: 2, Enabled: true, ClientSecretSet: true}},
		{"set sso", func(ctx context.Context, c *Client) (any, error) {
			return c.SetOrgSSO(ctx, 2, api.SSOSettingsUpdate{Enabled: true, Issuer: "https://idp.example", ClientID: "x", Domains: []string{"example.com"}})
		}, "PUT", "/v1/org/sso", "", `"2"`, `{"enabled":true,"issuer":"https://idp.example","client_id":"x","domains":["example.com"],"sso_only":false,"just_in_time":false}`,
			`{"version":3}`, api.SSOSettings{Version: 3}},
		{"verify sso domain", func(ctx context.Context, c *Client) (any, error) { return c.VerifyOrgSSODomain(ctx, "example.com") },
			"POST", "/v1/org/sso/domains/example.com/verify", "", "", "", `{"domain":"example.com","state":"verified","record_name":"_phoneset-challenge.example.com","record_value":"phoneset-verification=ab"}`,
			api.SSODomain{Domain: "example.com", State: api.SSODomainVerified, RecordName: "_phoneset-challenge.example.com", RecordValue: "phoneset-verification=ab"}},
	}
}

func TestOrgClientRequests(t *testing.T) {
	ops := loadSpec(t)
	used := map[string]bool{}
	for _, tt := range orgCases() {
		t.Run(tt.name, func(t *testing.T) {
			var got *http.Request
			var body []byte
			c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got = r
				body, _ = io.ReadAll(r.Body)
				if tt.reply == "" {
					w.WriteHeader(http.StatusNoContent)
					return
				}
				w.Write([]byte(tt.reply))
			}), WithTokens(api.Tokens{AccessToken: "tok"}))
			out, err := tt.call(context.Background(), c)
			if err != nil {
				t.Fatal(err)
			}
			if got.Method != tt.method || got.URL.EscapedPath() != tt.path || got.URL.RawQuery != tt.query ||
				got.Header.Get("If-Match") != tt.match || got.Header.Get("Authorization") != "Bearer tok" {
				t.Errorf("sent %s %s?%s If-Match %q", got.Method, got.URL.EscapedPath(), got.URL.RawQuery, got.Header.Get("If-Match"))
			}
			if !sameJSONOrBytes(body, []byte(tt.body)) {
				t.Errorf("body %q, want %q", body, tt.body)
			}
			if tt.out != nil {
				a, _ := json.Marshal(out)
				b, _ := json.Marshal(tt.out)
				if string(a) != string(b) {
					t.Errorf("decoded %s, want %s", a, b)
				}
			}
			// The request is one openapi.yaml documents, with the headers it asks for.
			i := slices.IndexFunc(ops, func(o specOp) bool { return o.method == got.Method && o.re.MatchString(got.URL.EscapedPath()) })
			if i < 0 {
				t.Fatalf("%s %s is not in openapi.yaml", got.Method, got.URL.EscapedPath())
			}
			used[ops[i].method+" "+ops[i].path] = true
			if ops[i].ifMatch != (tt.match != "") {
				t.Errorf("If-Match sent %v, spec requires %v", tt.match != "", ops[i].ifMatch)
			}
			if ops[i].idempotent && got.Header.Get(api.HeaderIdempotencyKey) == "" {
				t.Error("no Idempotency-Key")
			}
		})
	}
	for _, op := range ops {
		if strings.HasPrefix(op.path, "/v1/org") && !used[op.method+" "+op.path] {
			t.Errorf("%s %s has no client method", op.method, op.path)
		}
	}
}

// TestOrgClientKeepsCallersIdempotencyKey checks that a create retried by
// the caller with the same key is the same request to the server.
func TestOrgClientKeepsCallersIdempotencyKey(t *testing.T) {
	var keys []string
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		keys = append(keys, r.Header.Get(api.HeaderIdempotencyKey))
		w.Write([]byte(`{}`))
	}), WithTokens(api.Tokens{AccessToken: "tok"}))
	ctx := WithIdempotencyKey(context.Background(), "k-1")
	for range 2 {
		if _, err := c.CreateCostCenter(ctx, "Sales"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.CreateCostCenter(context.Background(), "Sales"); err != nil {
		t.Fatal(err)
	}
	if keys[0] != "k-1" || keys[1] != "k-1" || keys[2] == "" || keys[2] == "k-1" {
		t.Errorf("keys %q", keys)
	}
}
