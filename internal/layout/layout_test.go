// Package layout holds the tests that enforce the import rules in the
// README's Layout section: every package of this module imports only what its
// row in allowed (allowed_test.go) lists, like tailscale's depaware, so a new
// arrow is a reviewed decision; the rows follow the arrows between the parts
// of the house; the model, wire, audio, image and backend packages never link
// Fyne (they build without cgo graphics and stay testable headless); and the
// server never links the HTTP client.
package layout

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/phoneset/phoneset/internal/testenv"
)

const module = "github.com/phoneset/phoneset"

// arrows are the parts of the house and which parts each may import: a
// package belongs to the longest part that prefixes its path (relative to
// the module), and may import its own part and every part its arrows reach.
var arrows = map[string][]string{
	"cmd":        {"ui", "server", "internal/userdir", "internal/single", "internal/autostart"},
	"ui":         {"account", "audio", "photo", "assets", "internal/diag", "internal/machineconf", "internal/away", "third_party"},
	"account":    {"api/client"},
	"api/client": {"api"},
	"api":        {"third_party"},
	"server":     {"api", "photo", "internal/testenv"}, // testenv: server/servertest
	"audio":      nil,
	"photo":      nil,
	"assets":     nil,

	"third_party":      nil,
	"internal/userdir": nil,
	"internal/testenv": nil,
	// A DNS server on loopback for tests of domain proof; imported by tests only.
	"internal/dnstest": nil,
	// One instance per user; start at sign-in.
	"internal/single":    nil,
	"internal/autostart": nil,
	// Away on lock and idle: the session watchers, under the org's policy.
	"internal/away": {"api"},
	// Help → About and Copy diagnostics; the machine-wide server setting.
	"internal/buildinfo":   nil,
	"internal/diag":        {"internal/buildinfo"},
	"internal/machineconf": {"api/client"},

	// Harnesses and tools, linked into no product.
	"internal/layout":   nil,
	"internal/loadtest": {"server"},
	"internal/testoidc": nil, // a real OpenID provider for SSO tests
	"tools":             nil,
	"e2e":               nil,
}

// noFyne are the parts that must not link fyne.io/..., with everything below
// them: checked on the table and on what they link.
var noFyne = []string{"api", "account", "audio", "server", "photo", "internal/single", "internal/autostart", "internal/away"}

const fynePrefix = "fyne.io/"

// The HTTP client library: only api/client imports it, and the server must
// not link it.
const resty = "github.com/go-resty/resty/v2"

var restyFree = []string{"server", "cmd/phoneset-server"}

// The PostgreSQL driver: the desktop app's embedded backend runs on SQLite
// only, and the driver would add megabytes to the app. server/store/postgres
// links it into phoneset-server alone.
const pgx = "github.com/jackc/pgx/"

var pgxFree = []string{"cmd/phoneset", "server/embedded"}

// The SCIM library: no identity provider reaches the desktop app's embedded
// backend, so server/scim is linked into phoneset-server alone (as pgx).
const scimLib = "github.com/elimity-com/scim"

// Region and language names in every language (2.3 MB in the app), which
// upstream phonenumbers links for geocoding and Phoneset never shows:
// api uses the fork in third_party/phonenumbers, which leaves geocoding out.
const display = "golang.org/x/text/language/display"

var displayFree = []string{"cmd/phoneset", "cmd/phoneset-server"}

// goosList covers files behind build constraints: a Windows-only file
// importing Fyne is as much a violation as a Linux one.
var goosList = []string{"linux", "windows", "darwin"}

type listedPackage struct {
	ImportPath string
	Imports    []string
	DepOnly    bool
	Module     *struct{ Path string }
	Error      *struct{ Err string }
}

// decodePackages reads the stream of JSON objects `go list -json` prints.
func decodePackages(r io.Reader) ([]listedPackage, error) {
	dec := json.NewDecoder(r)
	var pkgs []listedPackage
	for {
		var p listedPackage
		err := dec.Decode(&p)
		if errors.Is(err, io.EOF) {
			return pkgs, nil
		}
		if err != nil {
			return nil, err
		}
		pkgs = append(pkgs, p)
	}
}

// violations returns, for each root package (not DepOnly) that reaches a
// package under prefix, the shortest import chain as "a -> b -> c".
func violations(pkgs []listedPackage, prefix string) []string {
	byPath := make(map[string]listedPackage, len(pkgs))
	for _, p := range pkgs {
		byPath[p.ImportPath] = p
	}
	var out []string
	for _, root := range pkgs {
		if root.DepOnly {
			continue
		}
		if chain := forbiddenChain(root.ImportPath, prefix, byPath); chain != nil {
			out = append(out, strings.Join(chain, " -> "))
		}
	}
	sort.Strings(out)
	return out
}

// forbiddenChain searches breadth-first so the reported chain is the shortest.
func forbiddenChain(root, prefix string, byPath map[string]listedPackage) []string {
	parent := map[string]string{root: ""}
	queue := []string{root}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if strings.HasPrefix(cur, prefix) {
			var chain []string
			for p := cur; p != ""; p = parent[p] {
				chain = append([]string{p}, chain...)
			}
			return chain
		}
		for _, imp := range byPath[cur].Imports {
			if _, seen := parent[imp]; !seen {
				parent[imp] = cur
				queue = append(queue, imp)
			}
		}
	}
	return nil
}

// directImports adds to into, for every package of this module in pkgs (a
// `go list -deps` listing), what the table governs among its non-test
// imports: our packages by path inside the module, other modules by their
// root, "C" for cgo. The standard library is left out.
func directImports(pkgs []listedPackage, into map[string][]string) {
	modOf := make(map[string]string, len(pkgs))
	for _, p := range pkgs {
		if p.Module != nil {
			modOf[p.ImportPath] = p.Module.Path
		}
	}
	for _, p := range pkgs {
		if p.Module == nil || p.Module.Path != module {
			continue
		}
		rel := relPath(p.ImportPath)
		if _, ok := into[rel]; !ok {
			into[rel] = []string{}
		}
		for _, imp := range p.Imports {
			var entry string
			switch mod := modOf[imp]; {
			case imp == "C":
				entry = "C"
			case mod == module:
				entry = relPath(imp)
			case mod != "":
				entry = mod
			default: // the standard library
				continue
			}
			if !slices.Contains(into[rel], entry) {
				into[rel] = append(into[rel], entry)
			}
		}
		sort.Strings(into[rel])
	}
}

func relPath(importPath string) string {
	if importPath == module {
		return "."
	}
	return strings.TrimPrefix(importPath, module+"/")
}

// row renders one table row as it is written in allowed_test.go.
func row(pkg string, imports []string) string {
	quoted := make([]string, len(imports))
	for i, imp := range imports {
		quoted[i] = fmt.Sprintf("%q", imp)
	}
	return fmt.Sprintf("%q: {%s},", pkg, strings.Join(quoted, ", "))
}

// tableErrors compares what each package imports with its row: a package
// without a row, an import its row does not list, and a row naming no
// package are errors, each with the row to write. An entry a package no
// longer uses is reported in stale, not as an error.
func tableErrors(allowed, actual map[string][]string) (errs, stale []string) {
	for _, pkg := range sortedKeys(actual) {
		imports := actual[pkg]
		want, ok := allowed[pkg]
		if !ok {
			errs = append(errs, fmt.Sprintf("%s has no row in allowed_test.go; if its imports are meant, add:\n\t%s", pkg, row(pkg, imports)))
			continue
		}
		var extra []string
		for _, imp := range imports {
			if !slices.Contains(want, imp) {
				extra = append(extra, imp)
			}
		}
		if len(extra) > 0 {
			errs = append(errs, fmt.Sprintf("%s imports %s, which its row does not allow; if that is meant, make the row:\n\t%s",
				pkg, strings.Join(extra, ", "), row(pkg, imports)))
		}
		for _, imp := range want {
			if !slices.Contains(imports, imp) {
				stale = append(stale, fmt.Sprintf("%s no longer imports %s; the row can be:\n\t%s", pkg, imp, row(pkg, imports)))
			}
		}
	}
	for _, pkg := range sortedKeys(allowed) {
		if _, ok := actual[pkg]; !ok {
			errs = append(errs, fmt.Sprintf("allowed_test.go has a row for %s, which is not a package of the module: delete it", pkg))
		}
	}
	return errs, stale
}

// partOf returns the part of the house pkg belongs to, "" for none.
func partOf(pkg string) string {
	best := ""
	for part := range arrows {
		if (pkg == part || strings.HasPrefix(pkg, part+"/")) && len(part) > len(best) {
			best = part
		}
	}
	return best
}

// reaches reports whether part from may import part to.
func reaches(from, to string) bool {
	seen := map[string]bool{from: true}
	queue := []string{from}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if cur == to {
			return true
		}
		for _, next := range arrows[cur] {
			if !seen[next] {
				seen[next] = true
				queue = append(queue, next)
			}
		}
	}
	return false
}

func inAny(pkg string, dirs []string) bool {
	return slices.ContainsFunc(dirs, func(d string) bool { return pkg == d || strings.HasPrefix(pkg, d+"/") })
}

// designErrors checks the table itself against the arrows: a row may not
// import a part its part does not reach, the noFyne parts may not import
// Fyne, and only api/client may import resty.
func designErrors(allowed map[string][]string) []string {
	var errs []string
	for _, pkg := range sortedKeys(allowed) {
		from := partOf(pkg)
		if from == "" {
			errs = append(errs, fmt.Sprintf("%s belongs to no part of the house: add its part to arrows", pkg))
			continue
		}
		for _, imp := range allowed[pkg] {
			switch {
			case !strings.Contains(strings.Split(imp, "/")[0], ".") && imp != "C":
				if to := partOf(imp); to == "" || !reaches(from, to) {
					errs = append(errs, fmt.Sprintf("%s may not import %s: no arrow leads from %s to %s", pkg, imp, from, cmp.Or(to, imp)))
				}
			case strings.HasPrefix(imp, fynePrefix) && inAny(pkg, noFyne):
				errs = append(errs, fmt.Sprintf("%s may not import %s: it must build without Fyne", pkg, imp))
			case imp == resty && pkg != "api/client":
				errs = append(errs, fmt.Sprintf("%s may not import %s: api/client is the only HTTP client", pkg, imp))
			}
		}
	}
	return errs
}

func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func repoRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		t.Fatal("not inside the module")
	}
	return filepath.Dir(gomod)
}

// goList lists patterns and everything they link, as built for goos with
// the suite's build tags. Package errors other than "nothing to build" fail
// the test.
func goList(t *testing.T, root, goos string, patterns ...string) []listedPackage {
	t.Helper()
	args := append([]string{"list", "-e", "-deps", "-json", "-tags", testenv.BuildTags()}, patterns...)
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	// go list only reads files; CGO_ENABLED=1 keeps cgo files in the set for every GOOS.
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH=amd64", "CGO_ENABLED=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go %s (GOOS=%s): %v\n%s", strings.Join(args, " "), goos, err, stderr.String())
	}
	pkgs, err := decodePackages(&stdout)
	if err != nil {
		t.Fatalf("decoding go list output: %v", err)
	}
	for _, p := range pkgs {
		if !p.DepOnly && p.Error != nil && !strings.Contains(p.Error.Err, "no Go files") &&
			!strings.Contains(p.Error.Err, "build constraints exclude all Go files") {
			t.Errorf("GOOS=%s: %s: %s", goos, p.ImportPath, p.Error.Err)
		}
	}
	return pkgs
}

func TestImportsFollowTable(t *testing.T) {
	root := repoRoot(t)
	actual := map[string][]string{}
	for _, goos := range goosList {
		directImports(goList(t, root, goos, "./..."), actual)
	}
	errs, stale := tableErrors(allowed, actual)
	for _, e := range errs {
		t.Error(e)
	}
	for _, s := range stale {
		t.Log(s)
	}
}

func TestTableFollowsDesign(t *testing.T) {
	for _, e := range designErrors(allowed) {
		t.Error(e)
	}
}

// TestForbiddenLinks checks what packages link, not only what they import:
// a Fyne, resty or pgx dependency two packages down is as heavy as a direct
// one.
func TestForbiddenLinks(t *testing.T) {
	root := repoRoot(t)
	for _, tc := range []struct {
		dirs   []string
		prefix string
	}{
		{noFyne, fynePrefix},
		{restyFree, resty},
		{pgxFree, pgx},
		{pgxFree, scimLib},
		{displayFree, display},
		// OpenID Connect: single sign-on is the server's business with the
		// identity provider; server/sso links it into phoneset-server alone.
		{pgxFree, "github.com/coreos/go-oidc/"},
		{pgxFree, "github.com/go-jose/go-jose/"},
		{pgxFree, "golang.org/x/oauth2"},
	} {
		var patterns []string
		for _, dir := range tc.dirs {
			patterns = append(patterns, "./"+dir+"/...")
		}
		for _, goos := range goosList {
			for _, v := range violations(goList(t, root, goos, patterns...), tc.prefix) {
				t.Errorf("GOOS=%s: must not link %s: %s", goos, tc.prefix, v)
			}
		}
	}
}

// TestCheckSeesRealLinks runs the same listing on packages that do link
// what others must not, to show the check reports a real dependency and not
// only fake ones.
func TestCheckSeesRealLinks(t *testing.T) {
	for _, tc := range []struct{ pattern, prefix string }{
		{"./ui", fynePrefix},
		{"./cmd/phoneset-server", pgx},
		{"./cmd/phoneset-server", scimLib},
		{"./cmd/phoneset-server", "github.com/coreos/go-oidc/"},
	} {
		if got := violations(goList(t, repoRoot(t), "linux", tc.pattern), tc.prefix); len(got) == 0 {
			t.Errorf("%s links nothing under %s", tc.pattern, tc.prefix)
		}
	}
}

func TestViolations(t *testing.T) {
	pkg := func(path string, depOnly bool, imports ...string) listedPackage {
		return listedPackage{ImportPath: path, Imports: imports, DepOnly: depOnly}
	}
	tests := []struct {
		name string
		pkgs []listedPackage
		want []string
	}{
		{
			name: "clean",
			pkgs: []listedPackage{
				pkg("fmt", true),
				pkg("m/api", false, "fmt", "m/internal/x"),
				pkg("m/internal/x", true, "fmt"),
			},
		},
		{
			name: "direct import",
			pkgs: []listedPackage{
				pkg("fyne.io/fyne/v2", true),
				pkg("m/audio", false, "fyne.io/fyne/v2"),
			},
			want: []string{"m/audio -> fyne.io/fyne/v2"},
		},
		{
			name: "transitive import reports shortest chain",
			pkgs: []listedPackage{
				pkg("fyne.io/systray", true),
				pkg("m/server", false, "m/a", "m/b"),
				pkg("m/a", true, "m/c"),
				pkg("m/c", true, "fyne.io/systray"),
				pkg("m/b", true, "fyne.io/systray"),
			},
			want: []string{"m/server -> m/b -> fyne.io/systray"},
		},
		{
			name: "only roots are reported, each once",
			pkgs: []listedPackage{
				pkg("fyne.io/fyne/v2/widget", true),
				pkg("m/photo", false, "m/account"),
				pkg("m/account", false, "fyne.io/fyne/v2/widget"),
				pkg("m/api", false),
			},
			want: []string{"m/account -> fyne.io/fyne/v2/widget", "m/photo -> m/account -> fyne.io/fyne/v2/widget"},
		},
		{
			name: "prefix needs the slash",
			pkgs: []listedPackage{
				pkg("fyne.iox/other", true),
				pkg("m/api", false, "fyne.iox/other"),
			},
		},
		{
			name: "import cycle terminates",
			pkgs: []listedPackage{
				pkg("m/a", false, "m/b"),
				pkg("m/b", true, "m/a"),
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := violations(tc.pkgs, fynePrefix)
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("violations = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDirectImports(t *testing.T) {
	mod := func(path string) *struct{ Path string } { return &struct{ Path string }{path} }
	pkgs := []listedPackage{
		{ImportPath: "fmt", DepOnly: true}, // the standard library has no module
		{ImportPath: "fyne.io/fyne/v2/widget", Module: mod("fyne.io/fyne/v2"), DepOnly: true},
		{ImportPath: "fyne.io/fyne/v2", Module: mod("fyne.io/fyne/v2"), DepOnly: true},
		{ImportPath: module + "/api", Module: mod(module)},
		{ImportPath: module + "/ui", Module: mod(module),
			Imports: []string{"fmt", "fyne.io/fyne/v2/widget", "fyne.io/fyne/v2", module + "/api", "C"}},
	}
	got := map[string][]string{"ui": {"audio"}} // an earlier GOOS's listing
	directImports(pkgs, got)
	want := map[string][]string{"api": {}, "ui": {"C", "api", "audio", "fyne.io/fyne/v2"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("directImports = %v, want %v", got, want)
	}
}

func TestTableErrors(t *testing.T) {
	tests := []struct {
		name            string
		allowed, actual map[string][]string
		errs, stale     int
		wantText        string
	}{
		{name: "exact", allowed: map[string][]string{"api": {"x.org/y"}}, actual: map[string][]string{"api": {"x.org/y"}}},
		{name: "missing row", allowed: map[string][]string{}, actual: map[string][]string{"api": {"x.org/y"}},
			errs: 1, wantText: `"api": {"x.org/y"},`},
		{name: "new import", allowed: map[string][]string{"ui": {"api"}}, actual: map[string][]string{"ui": {"account", "api"}},
			errs: 1, wantText: `"ui": {"account", "api"},`},
		{name: "row for a gone package", allowed: map[string][]string{"api": {}, "old": {}}, actual: map[string][]string{"api": {}},
			errs: 1, wantText: "old"},
		{name: "stale entry is not an error", allowed: map[string][]string{"ui": {"api", "audio"}}, actual: map[string][]string{"ui": {"api"}},
			stale: 1, wantText: `"ui": {"api"},`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			errs, stale := tableErrors(tc.allowed, tc.actual)
			if len(errs) != tc.errs || len(stale) != tc.stale {
				t.Fatalf("errs %q, stale %q; want %d and %d", errs, stale, tc.errs, tc.stale)
			}
			if all := strings.Join(append(errs, stale...), "\n"); !strings.Contains(all, tc.wantText) {
				t.Errorf("messages %q do not contain %q", all, tc.wantText)
			}
		})
	}
}

func TestDesignErrors(t *testing.T) {
	tests := []struct {
		name    string
		allowed map[string][]string
		want    string // "" for no error
	}{
		{"arrow followed transitively", map[string][]string{"ui": {"api", "fyne.io/fyne/v2"}}, ""},
		{"own part", map[string][]string{"server": {"server/store"}}, ""},
		{"arrow backwards", map[string][]string{"api": {"account"}}, "no arrow leads from api to account"},
		{"ui reaches no server", map[string][]string{"ui": {"server"}}, "no arrow leads from ui to server"},
		{"server reaches no client", map[string][]string{"server/store": {"api/client"}}, "no arrow leads from server to api/client"},
		{"unknown part", map[string][]string{"misc": {}}, "misc belongs to no part"},
		{"import of unknown part", map[string][]string{"cmd/phoneset": {"misc"}}, "no arrow leads from cmd to misc"},
		{"Fyne in audio", map[string][]string{"audio": {"fyne.io/fyne/v2"}}, "audio may not import fyne.io/fyne/v2"},
		{"Fyne below server", map[string][]string{"server/store": {"fyne.io/systray"}}, "must build without Fyne"},
		{"resty outside api/client", map[string][]string{"account": {resty}}, "api/client is the only HTTP client"},
		{"resty in api/client", map[string][]string{"api/client": {"api", resty}}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			errs := designErrors(tc.allowed)
			if tc.want == "" {
				if len(errs) > 0 {
					t.Errorf("errors %q, want none", errs)
				}
				return
			}
			if len(errs) != 1 || !strings.Contains(errs[0], tc.want) {
				t.Errorf("errors %q, want one containing %q", errs, tc.want)
			}
		})
	}
}

func TestDecodePackages(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []string
		wantErr bool
	}{
		{name: "empty", in: ""},
		{
			name: "stream",
			in:   `{"ImportPath":"fmt","DepOnly":true}` + "\n" + `{"ImportPath":"m/api","Imports":["fmt"]}`,
			want: []string{"fmt", "m/api"},
		},
		{name: "truncated", in: `{"ImportPath":"fmt"`, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pkgs, err := decodePackages(strings.NewReader(tc.in))
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			var got []string
			for _, p := range pkgs {
				got = append(got, p.ImportPath)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("paths = %q, want %q", got, tc.want)
			}
		})
	}
}
