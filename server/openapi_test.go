package server

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/photo"
)

type openapiDoc struct {
	Paths      map[string]map[string]any `yaml:"paths"`
	Components struct {
		Schemas map[string]schema `yaml:"schemas"`
	} `yaml:"components"`
}

type schema struct {
	Ref        string            `yaml:"$ref"`
	Type       string            `yaml:"type"`
	Properties map[string]schema `yaml:"properties"`
	Items      *schema           `yaml:"items"`
	Required   []string          `yaml:"required"`
	// Additional is additionalProperties; true opens an object such as a
	// Reason, whose other names are its arguments.
	Additional any `yaml:"additionalProperties"`
}

func loadOpenAPI(t *testing.T) (*openapiDoc, string) {
	t.Helper()
	raw, err := os.ReadFile("../api/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc openapiDoc
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	return &doc, string(raw)
}

// TestOpenAPICoversRoutes keeps api/openapi.yaml and the route table in
// step: every route is documented and every documented operation served.
func TestOpenAPICoversRoutes(t *testing.T) {
	doc, raw := loadOpenAPI(t)
	var documented []string
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	s := &Server{cfg: Config{DevOutbox: true}}
	var served []string
	for _, rt := range s.routeTable() {
		served = append(served, rt.pattern)
	}
	sort.Strings(documented)
	sort.Strings(served)
	if !slices.Equal(documented, served) {
		t.Errorf("openapi.yaml and routes differ\ndocumented: %v\nserved:     %v", documented, served)
	}
	// Every $ref points at something defined.
	for _, part := range strings.Split(raw, `$ref: "#/components/`)[1:] {
		ref := part[:strings.IndexByte(part, '"')]
		kind, name, _ := strings.Cut(ref, "/")
		if !strings.Contains(raw, "\n  "+kind+":") || !strings.Contains(raw, "\n    "+name+":") {
			t.Errorf("dangling $ref %s", ref)
		}
	}
}

// conform fails when v (decoded JSON) has a field the schema does not
// document, or lacks a required one.
func conform(t *testing.T, doc *openapiDoc, sc schema, v any, at string) {
	t.Helper()
	if sc.Ref != "" {
		name := strings.TrimPrefix(sc.Ref, "#/components/schemas/")
		def, ok := doc.Components.Schemas[name]
		if !ok {
			t.Fatalf("%s: unknown schema %s", at, sc.Ref)
		}
		sc = def
	}
	switch x := v.(type) {
	case map[string]any:
		if sc.Properties == nil {
			return // a free-form object
		}
		for k, fv := range x {
			ps, ok := sc.Properties[k]
			if !ok {
				if sc.Additional == true {
					continue
				}
				t.Errorf("%s.%s is not in openapi.yaml", at, k)
				continue
			}
			conform(t, doc, ps, fv, at+"."+k)
		}
		for _, r := range sc.Required {
			if _, ok := x[r]; !ok {
				t.Errorf("%s lacks required %s", at, r)
			}
		}
	case []any:
		if sc.Items == nil {
			t.Errorf("%s: a list where openapi.yaml has %q", at, sc.Type)
			return
		}
		for i, item := range x {
			conform(t, doc, *sc.Items, item, at+"["+string(rune('0'+i%10))+"]")
		}
	}
}

// TestResponsesConformToOpenAPI checks real answers against the schemas.
func TestResponsesConformToOpenAPI(t *testing.T) {
	doc, _ := loadOpenAPI(t)
	ctx := context.Background()
	srv, err := Open(ctx, Config{DataDir: t.TempDir(), Hash: HashParams{Memory: 64, Time: 1, Threads: 1}, DevOutbox: true})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if _, err := srv.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	call := func(method, path, token, body string, h map[string]string) (int, any) {
		t.Helper()
		ctype := ""
		if body != "" {
			ctype = "application/json"
		}
		w := serveRaw(srv, method, path, token, ctype, []byte(body), h)
		var v any
		if w.Body.Len() > 0 {
			if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
				t.Fatalf("%s %s: %v: %s", method, path, err, w.Body)
			}
		}
		return w.Code, v
	}
	_, tv := call("POST", "/v1/sessions", "", `{"login":"admin","password":"Phoneset-demo-1","device":"t"}`, nil)
	conform(t, doc, schema{Ref: "#/components/schemas/Tokens"}, tv, "Tokens")
	tok := tv.(map[string]any)["access_token"].(string)
	call("POST", "/v1/me/mobile", tok, `{"mobile":"+46709999999"}`, nil)

	ref := func(name string) schema { return schema{Ref: "#/components/schemas/" + name} }
	cases := []struct {
		method, path, body string
		h                  map[string]string
		sc                 schema
	}{
		{"GET", "/v1/me", "", nil, ref("Me")},
		{"GET", "/v1/me/profile", "", nil, ref("Profile")},
		{"PATCH", "/v1/me/profile", `{"display_name":"Ada A.","extra_info":[{"label":"a","value":"b"}]}`, map[string]string{"If-Match": `"2"`}, ref("Profile")},
		{"GET", "/v1/me/status", "", nil, ref("Status")},
		{"PUT", "/v1/me/status", `{"availability":"unavailable","reason_code":"lunch","minutes":15}`, map[string]string{"If-Match": `"1"`}, ref("Status")},
		{"POST", "/v1/me/status/extend", `{"minutes":5}`, map[string]string{"If-Match": `"2"`}, ref("Status")},
		{"GET", "/v1/me/notifications", "", nil, ref("Notifications")},
		{"GET", "/v1/me/plan", "", nil, ref("Plan")},
		{"GET", "/v1/me/sessions", "", nil, schema{Type: "array", Items: &schema{Ref: "#/components/schemas/Session"}}},
		{"GET", "/v1/me/api-key", "", nil, ref("APIKey")},
		{"POST", "/v1/me/api-key/reveal", `{"password":"Phoneset-demo-1"}`, nil, ref("APIKey")},
		{"GET", "/v1/dev/outbox", "", nil, schema{Type: "array", Items: &schema{Ref: "#/components/schemas/OutboxMessage"}}},
		{"GET", "/v1/dev/in-flight", "", nil, ref("InFlight")},
		{"DELETE", "/v1/me/avatar", "", map[string]string{"If-Match": `"1"`}, ref("User")},
		{"DELETE", "/v1/me/sessions", "", nil, ref("SignedOut")},
		// Errors.
		{"PATCH", "/v1/me/profile", `{"display_name":""}`, map[string]string{"If-Match": `"3"`}, ref("ErrorBody")},
		{"PUT", "/v1/me/status", `{"availability":"online"}`, nil, ref("ErrorBody")},
		{"GET", "/v1/nowhere", "", nil, ref("ErrorBody")},
	}
	for _, c := range cases {
		status, v := call(c.method, c.path, tok, c.body, c.h)
		if status >= 500 || v == nil {
			t.Errorf("%s %s: %d %v", c.method, c.path, status, v)
			continue
		}
		conform(t, doc, c.sc, v, c.method+" "+c.path)
	}
	// Every error code the server can send is in the documented enum.
	for _, code := range []string{api.CodeInvalid, api.CodeUnauthorized, api.CodeForbidden, api.CodeNotFound, api.CodeConflict,
		api.CodeStale, api.CodePreconditionRequired, api.CodeTooLarge, api.CodeUnsupportedMedia, api.CodeRateLimited, api.CodeInternal} {
		if !strings.Contains(mustRead(t, "../api/openapi.yaml"), code) {
			t.Errorf("error code %s undocumented", code)
		}
	}
}

func mustRead(t *testing.T, path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestPhotoReasonsAreAPIReasons keeps photo's refusal codes, which the
// server sends as field reasons, in api's list.
func TestPhotoReasonsAreAPIReasons(t *testing.T) {
	for _, r := range []photo.Reason{photo.ReasonType, photo.ReasonTooBig, photo.ReasonTooManyPixels, photo.ReasonCorrupt} {
		if why := photoReason(r); api.ReasonText(why.Code) == "" || why.String() == why.Code {
			t.Errorf("photo reason %s is not an api reason: %+v", r, why)
		}
	}
}
