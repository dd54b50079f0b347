package server

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestOrgResponsesConformToOpenAPI checks the organisation routes' real
// answers against api/openapi.yaml.
func TestOrgResponsesConformToOpenAPI(t *testing.T) {
	doc, _ := loadOpenAPI(t)
	ctx := context.Background()
	srv, err := Open(ctx, Config{DataDir: t.TempDir(), Hash: HashParams{Memory: 64, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if _, err := srv.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	call := func(method, path, token, body, ifMatch string) (int, any) {
		t.Helper()
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		if body != "" {
			r.Header.Set("Content-Type", "application/json")
		}
		if ifMatch != "" {
			r.Header.Set("If-Match", ifMatch)
		}
		r.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		srv.Handler().ServeHTTP(w, r)
		var v any
		if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, w.Body)
		}
		return w.Code, v
	}
	_, tv := call("POST", "/v1/sessions", "", `{"login":"admin","password":"Phoneset-demo-1","device":"t"}`, "")
	tok := tv.(map[string]any)["access_token"].(string)
	ref := func(name string) schema { return schema{Ref: "#/components/schemas/" + name} }
	list := func(name string) schema {
		return schema{Type: "array", Items: &schema{Ref: "#/components/schemas/" + name}}
	}
	cases := []struct {
		method, path, body, ifMatch string
		status                      int
		sc                          schema
	}{
		{"GET", "/v1/org", "", "", 200, ref("OrgSettings")},
		{"PATCH", "/v1/org", `{"display_name":"Demo CC","address":{"street":"A 1","postal_code":"1","city":"B","country":"C"}}`, `"3"`, 200, ref("OrgSettings")},
		{"GET", "/v1/org/package", "", "", 200, ref("PBXPackage")},
		{"PUT", "/v1/org/package", `{"package":"light"}`, `"2"`, 200, ref("PBXPackage")},
		{"GET", "/v1/org/licenses", "", "", 200, ref("Licenses")},
		{"POST", "/v1/org/orders", `{"items":[{"sku":"pro","quantity":2}]}`, "", 201, ref("Order")},
		{"GET", "/v1/org/orders", "", "", 200, list("Order")},
		{"GET", "/v1/org/users", "", "", 200, list("OrgUser")},
		{"PUT", "/v1/org/users/usr_demo_agent2/licenses/mobile", "", "", 200, ref("OrgUser")},
		{"GET", "/v1/org/sms", "", "", 200, ref("SMSSettings")},
		{"PUT", "/v1/org/sms/zones/europe", `{"enabled":true,"scope":"all"}`, `"1"`, 200, ref("SMSSettings")},
		{"GET", "/v1/org/cost-centers", "", "", 200, ref("CostCenters")},
		{"POST", "/v1/org/cost-centers", `{"name":"Finance"}`, "", 201, ref("CostCenter")},
		{"GET", "/v1/org/reason-codes", "", "", 200, list("OrgReasonCode")},
		{"POST", "/v1/org/reason-codes", `{"label":"Coffee","minutes":15,"then":"offline"}`, "", 201, ref("OrgReasonCode")},
		{"GET", "/v1/org/presence", "", "", 200, ref("Presence")},
		{"PUT", "/v1/org/presence", `{"lock_away":false,"idle_minutes":5}`, `"1"`, 200, ref("Presence")},
		{"GET", "/v1/org/structure", "", "", 200, list("Category")},
		{"POST", "/v1/org/structure", `{"name":"Team","options":["Blue"]}`, "", 201, ref("Category")},
		{"GET", "/v1/org/audit?limit=5", "", "", 200, ref("AuditPage")},
		{"POST", "/v1/org/scim/tokens", `{"name":"Entra ID"}`, "", 201, ref("SCIMTokenCreated")},
		{"GET", "/v1/org/scim/tokens", "", "", 200, ref("SCIMTokens")},
		{"GET", "/v1/org/supervisors", "", "", 200, list("Supervisor")},
		{"PUT", "/v1/org/users/usr_demo_agent2/supervisor", `{"option_ids":["opt_demo_sthlm"]}`, "", 200, ref("Supervisor")},
		{"GET", "/v1/supervisor/agents", "", "", 200, list("AgentStatus")},
		{"PUT", "/v1/supervisor/agents/usr_demo_agent1/status", `{"availability":"online"}`, `"1"`, 200, ref("AgentStatus")},
		{"GET", "/v1/supervisor/time-in-status", "", "", 200, list("TimeInStatus")},
		{"PUT", "/v1/org/package", `{"package":"gold"}`, `"3"`, 422, ref("ErrorBody")},
	}
	for _, c := range cases {
		status, v := call(c.method, c.path, tok, c.body, c.ifMatch)
		if status != c.status {
			t.Errorf("%s %s: %d %v", c.method, c.path, status, v)
			continue
		}
		conform(t, doc, c.sc, v, c.method+" "+c.path)
	}
	// The import check takes a CSV body.
	w := serveRaw(srv, "POST", "/v1/org/users/import/check", tok, "text/csv", []byte("email,Office\nbad,Oslo\n"), nil)
	var rep any
	if err := json.Unmarshal(w.Body.Bytes(), &rep); err != nil || w.Code != 200 {
		t.Fatalf("import check: %d %s", w.Code, w.Body)
	}
	conform(t, doc, ref("ImportReport"), rep, "POST /v1/org/users/import/check")
}
