package server

import (
	"net/url"
	"strings"
	"testing"
)

// orgFuzzRoutes are the /v1/org (and /v1/supervisor) routes that decode
// a JSON body, on demo resources, with a seed body each.
var orgFuzzRoutes = []struct{ method, path, seed string }{
	{"PATCH", "/v1/org", `{"display_name":"Demo","address":{"street":"A 1","city":"B"},"members_change_email":false}`},
	{"PUT", "/v1/org/package", `{"package":"light"}`},
	{"POST", "/v1/org/orders", `{"items":[{"sku":"pro","quantity":2},{"sku":"wallboard","quantity":1}]}`},
	{"PUT", "/v1/org/users/usr_demo_agent1/email", `{"email":"bo@example.com","password":"Phoneset-demo-1"}`},
	{"PUT", "/v1/org/sms/zones/europe", `{"enabled":true,"scope":"selected","user_ids":["usr_demo_agent1"]}`},
	{"PUT", "/v1/org/sms/message-types", `{"allowed":["survey","callback"]}`},
	{"POST", "/v1/org/cost-centers", `{"name":"Finance"}`},
	{"PATCH", "/v1/org/cost-centers/cc_demo_sales", `{"name":"Retail"}`},
	{"PUT", "/v1/org/cost-centers/cc_demo_sales/users", `{"user_ids":["usr_demo_agent1","usr_demo_agent2"]}`},
	{"POST", "/v1/org/reason-codes", `{"label":"Coffee break"}`},
	{"PATCH", "/v1/org/reason-codes/lunch", `{"label":"Lunch break","retired":true,"minutes":30,"then":"offline"}`},
	{"PUT", "/v1/org/presence", `{"lock_away":true,"away_reason_code":"meeting","idle_minutes":15,"auto_online":false}`},
	{"POST", "/v1/org/structure", `{"name":"Team","options":["Blue","Green"]}`},
	{"PATCH", "/v1/org/structure/cat_demo_office", `{"name":"Site","add_options":["Lund"],"remove_options":["opt_demo_malmo"]}`},
	{"PUT", "/v1/org/structure/cat_demo_office/options/opt_demo_sthlm/users", `{"user_ids":["usr_demo_admin"]}`},
	{"PUT", "/v1/org/users/usr_demo_agent2/supervisor", `{"option_ids":["opt_demo_malmo","opt_demo_sthlm"]}`},
	{"PUT", "/v1/supervisor/agents/usr_demo_agent1/status", `{"availability":"unavailable","reason_code":"lunch"}`},
}

// FuzzOrgRequests sends arbitrary bodies and If-Match values to every
// /v1/org route that decodes JSON: no answer may be a 5xx or a malformed
// error.
func FuzzOrgRequests(f *testing.F) {
	srv, tok := fuzzServer(f)
	for i, rt := range orgFuzzRoutes {
		for _, body := range []string{rt.seed, "{}", "null", `{"x":1}`, `{"company_name":"X"}`, `{"user_ids":["\ud800"]}`} {
			f.Add(uint8(i), []byte(body), `"1"`)
		}
	}
	f.Fuzz(func(t *testing.T, route uint8, body []byte, ifMatch string) {
		rt := orgFuzzRoutes[int(route)%len(orgFuzzRoutes)]
		serveFuzz(t, srv, rt.method, rt.path, tok, "application/json", body, map[string]string{"If-Match": ifMatch})
	})
}

// FuzzOrgAuditQuery fuzzes the audit log's filters, JSON and CSV.
func FuzzOrgAuditQuery(f *testing.F) {
	srv, tok := fuzzServer(f)
	for _, q := range []string{"", "user=usr_demo_agent1&action=org&resource=org/org_demo", "from=2026-11-01&to=2026-11-30",
		"from=2026-11-01T00:00:00Z&limit=500&before=99", "format=csv&action=profile.update", "to=2026-02-30", "limit=-1", "user=%25_"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, query string) {
		serveFuzz(t, srv, "GET", "/v1/org/audit?"+query, tok, "", nil, nil)
	})
}

// FuzzSSODomainVerify fuzzes the domain a verification names: no answer
// may be a 5xx or a malformed error, and nothing but a claimed domain
// reaches DNS (the demo's is verified, so none does here).
func FuzzSSODomainVerify(f *testing.F) {
	srv, tok := fuzzServer(f)
	for _, d := range []string{"demo.phoneset.test", "DEMO.phoneset.test", "bigcorp.example", "*.example.com", "a..b", "x\x00y.com",
		"xn--bcher-kva.example", "bücher.example", "../../v1/me", "%2e%2e", strings.Repeat("a.", 200) + "com"} {
		f.Add(d)
	}
	f.Fuzz(func(t *testing.T, domain string) {
		serveFuzz(t, srv, "POST", "/v1/org/sso/domains/"+url.PathEscape(domain)+"/verify", tok, "", nil, nil)
	})
}
