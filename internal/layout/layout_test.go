// Package layout holds a test that enforces the import rules of DESIGN.md:
// the model, wire, audio, image and backend packages never import Fyne, so
// they build without cgo graphics and stay testable headless.
package layout

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/phoneset/phoneset/internal/testenv"
)

// guarded are the directories (with everything below them) that must not
// depend on Fyne. A missing directory is not an error: packages are added
// over time, and the check applies as soon as one exists.
var guarded = []string{"api", "account", "audio", "server", "photo"}

const forbiddenPrefix = "fyne.io/"

// goosList covers files behind build constraints: a Windows-only file
// importing Fyne is as much a violation as a Linux one.
var goosList = []string{"linux", "windows", "darwin"}

type listedPackage struct {
	ImportPath string
	Imports    []string
	DepOnly    bool
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
// package under forbiddenPrefix, the shortest import chain as "a -> b -> c".
func violations(pkgs []listedPackage) []string {
	byPath := make(map[string]listedPackage, len(pkgs))
	for _, p := range pkgs {
		byPath[p.ImportPath] = p
	}
	var out []string
	for _, root := range pkgs {
		if root.DepOnly {
			continue
		}
		if chain := forbiddenChain(root.ImportPath, byPath); chain != nil {
			out = append(out, strings.Join(chain, " -> "))
		}
	}
	sort.Strings(out)
	return out
}

// forbiddenChain searches breadth-first so the reported chain is the shortest.
func forbiddenChain(root string, byPath map[string]listedPackage) []string {
	parent := map[string]string{root: ""}
	queue := []string{root}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if strings.HasPrefix(cur, forbiddenPrefix) {
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

func goList(t *testing.T, root, goos string, patterns []string) []listedPackage {
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
	return pkgs
}

func TestGuardedPackagesDoNotImportFyne(t *testing.T) {
	root := repoRoot(t)
	var patterns []string
	for _, dir := range guarded {
		if fi, err := os.Stat(filepath.Join(root, dir)); err == nil && fi.IsDir() {
			patterns = append(patterns, "./"+dir+"/...")
		}
	}
	if len(patterns) == 0 {
		t.Skip("none of the guarded directories exist yet")
	}
	for _, goos := range goosList {
		pkgs := goList(t, root, goos, patterns)
		for _, p := range pkgs {
			if !p.DepOnly && p.Error != nil && !strings.Contains(p.Error.Err, "no Go files") &&
				!strings.Contains(p.Error.Err, "build constraints exclude all Go files") {
				t.Errorf("GOOS=%s: %s: %s", goos, p.ImportPath, p.Error.Err)
			}
		}
		for _, v := range violations(pkgs) {
			t.Errorf("GOOS=%s: must not import %s...: %s", goos, forbiddenPrefix, v)
		}
	}
}

// TestCheckSeesRealFyneImport runs the same listing on ui/, which is built on
// Fyne, to show the check reports a real dependency and not only fake ones.
func TestCheckSeesRealFyneImport(t *testing.T) {
	root := repoRoot(t)
	if _, err := os.Stat(filepath.Join(root, "ui")); err != nil {
		t.Skip("ui/ does not exist yet")
	}
	if got := violations(goList(t, root, "linux", []string{"./ui"})); len(got) == 0 {
		t.Fatal("no Fyne import found in ./ui")
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
			got := violations(tc.pkgs)
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("violations = %q, want %q", got, tc.want)
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
