package server

import (
	"testing"
)

// Fuzz targets for the organisation routes' request decoders, through the
// whole route as the demo admin (see fuzzJSON): no input may cause a 5xx
// or an error answer that is not an api.ErrorBody.

func FuzzOrgPatchDecoder(f *testing.F) {
	fuzzJSON(f, "PATCH", "/v1/org", true, `{"display_name":"Demo CC","address":{"street":"Kungsgatan 2","city":"Göteborg"}}`,
		`{"time_zone":"America/New_York","language":"sv","members_choose_cover":false}`, `{"company_name":"X"}`, `{"owner":{"id":"x"}}`)
}

func FuzzPackageDecoder(f *testing.F) {
	fuzzJSON(f, "PUT", "/v1/org/package", true, `{"package":"light"}`, `{"package":"unlimited"}`)
}

func FuzzOrderDecoder(f *testing.F) {
	fuzzJSON(f, "POST", "/v1/org/orders", true, `{"items":[{"sku":"pro","quantity":2},{"sku":"recording","quantity":1}]}`,
		`{"items":[{"sku":"pro","quantity":-1}]}`, `{"items":[{"sku":"pro","quantity":1e30}]}`)
}

func FuzzUserEmailDecoder(f *testing.F) {
	fuzzJSON(f, "PUT", "/v1/org/users/usr_demo_agent2/email", true, `{"email":"cy@example.com","password":"Phoneset-demo-1"}`)
}

func FuzzSMSZoneDecoder(f *testing.F) {
	fuzzJSON(f, "PUT", "/v1/org/sms/zones/europe", true, `{"enabled":true,"scope":"selected","user_ids":["usr_demo_agent1"]}`,
		`{"enabled":false,"scope":"all","user_ids":[]}`)
}

func FuzzSMSTypesDecoder(f *testing.F) {
	fuzzJSON(f, "PUT", "/v1/org/sms/message-types", true, `{"allowed":["callback","survey"]}`)
}

func FuzzCostCenterDecoder(f *testing.F) {
	fuzzJSON(f, "POST", "/v1/org/cost-centers", true, `{"name":"Finance"}`)
}

func FuzzCostCenterRenameDecoder(f *testing.F) {
	fuzzJSON(f, "PATCH", "/v1/org/cost-centers/cc_demo_sales", true, `{"name":"Accounts"}`)
}

func FuzzCostCenterUsersDecoder(f *testing.F) {
	fuzzJSON(f, "PUT", "/v1/org/cost-centers/cc_demo_sales/users", true, `{"user_ids":["usr_demo_agent1","usr_demo_agent2"]}`)
}

func FuzzReasonCodeDecoder(f *testing.F) {
	fuzzJSON(f, "POST", "/v1/org/reason-codes", true, `{"label":"Coffee break"}`, `{"code":"fika","label":"Fika"}`)
}

func FuzzReasonCodePatchDecoder(f *testing.F) {
	fuzzJSON(f, "PATCH", "/v1/org/reason-codes/lunch", true, `{"label":"Fika","retired":true}`)
}

func FuzzCategoryDecoder(f *testing.F) {
	fuzzJSON(f, "POST", "/v1/org/structure", true, `{"name":"Team","options":["Blue","Green"]}`)
}

func FuzzCategoryPatchDecoder(f *testing.F) {
	fuzzJSON(f, "PATCH", "/v1/org/structure/cat_demo_office", true, `{"name":"Site","add_options":["Umeå"],"remove_options":["opt_demo_malmo"]}`)
}

func FuzzOptionUsersDecoder(f *testing.F) {
	fuzzJSON(f, "PUT", "/v1/org/structure/cat_demo_office/options/opt_demo_malmo/users", true, `{"user_ids":["usr_demo_agent2"]}`)
}

// FuzzOrgQueries fuzzes the query strings the org lists parse: audit log
// filters and paging (JSON and CSV), the member filter and photo sizes.
func FuzzOrgQueries(f *testing.F) {
	srv, tok := fuzzServer(f)
	paths := []string{"/v1/org/audit", "/v1/org/users", "/v1/org/photos/avatar"}
	f.Add(uint8(0), "user=usr_demo_agent1&action=profile.&from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z&limit=10")
	f.Add(uint8(0), "before=99999999999999999999&limit=-1&format=csv")
	f.Add(uint8(0), "resource=user/&from=yesterday")
	f.Add(uint8(1), "q=bo&option=opt_demo_sthlm&cost_center=cc_demo_sales&license=pro")
	f.Add(uint8(2), "size=64")
	f.Fuzz(func(t *testing.T, which uint8, query string) {
		serveFuzz(t, srv, "GET", paths[int(which)%len(paths)]+"?"+query, tok, "", nil, nil)
	})
}

func FuzzSSOSettingsDecoder(f *testing.F) {
	fuzzJSON(f, "PUT", "/v1/org/sso", true, `{"enabled":true,"issuer":"https://login.example.com","client_id":"x","client_secret":"y","domains":["example.com"],"sso_only":true,"just_in_time":false}`,
		`{"enabled":false,"issuer":"","client_id":"","domains":[]}`)
}

func FuzzSSOStartDecoder(f *testing.F) {
	fuzzJSON(f, "POST", "/v1/sso/start", false, `{"email":"agent1@demo.phoneset.test","redirect_uri":"http://127.0.0.1:5000/callback","code_challenge":"ccccccccccccccccccccccccccccccccccccccccccc","code_challenge_method":"S256"}`)
}

func FuzzSSOFinishDecoder(f *testing.F) {
	fuzzJSON(f, "POST", "/v1/sso/finish", false, `{"state":"s","code":"c","code_verifier":"vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv","device":"d"}`)
}
