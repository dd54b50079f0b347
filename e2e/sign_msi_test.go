package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phoneset/phoneset/internal/testenv"
)

// TestMSISigning builds the MSI as `make package` does, with a self-signed
// code-signing certificate made here and without one. Signed, both the MSI
// and the phoneset.exe inside it carry an Authenticode signature that
// osslsigncode verifies against that certificate; unsigned, msi.sh says so;
// a wrong password fails the build and leaves no MSI behind. A small
// Windows program stands in for the app: signing needs a PE file, not
// Phoneset.
func TestMSISigning(t *testing.T) {
	for _, tool := range []string{"wixl", "msibuild", "msiextract", "convert", "osslsigncode", "openssl"} {
		testenv.RequireCommand(t, tool, tool)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	src := filepath.Join(dir, "hello.go")
	if err := os.WriteFile(src, []byte("package main\n\nfunc main() { println(\"hello\") }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "phoneset.exe"), src)
	build.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build a Windows program: %v\n%s", err, out)
	}

	cert, pfx := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "cert.pfx")
	key := filepath.Join(dir, "key.pem")
	for _, args := range [][]string{
		{"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
			"-subj", "/CN=Phoneset test signer", "-addext", "extendedKeyUsage=codeSigning"},
		{"pkcs12", "-export", "-inkey", key, "-in", cert, "-out", pfx, "-passout", "pass:test-pass"},
	} {
		if out, err := tryRun("openssl", args...); err != nil {
			t.Fatalf("openssl %s: %v\n%s", args[0], err, out)
		}
	}

	version := appVersion(t)
	tests := []struct {
		name   string
		env    []string // PHONESET_SIGN_* for msi.sh
		fails  bool
		signed bool
		says   string // what msi.sh must say
	}{
		{name: "unsigned", says: "is UNSIGNED (no PHONESET_SIGN_PFX)"},
		{name: "signed", env: []string{"PHONESET_SIGN_PFX=" + pfx, "PHONESET_SIGN_PASS=test-pass"},
			signed: true, says: "and its phoneset.exe are signed with " + pfx},
		{name: "wrong password", env: []string{"PHONESET_SIGN_PFX=" + pfx, "PHONESET_SIGN_PASS=wrong"}, fails: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "Phoneset.msi")
			cmd := exec.Command("../packaging/windows/msi.sh", version, bin, out)
			for _, kv := range os.Environ() {
				if !strings.HasPrefix(kv, "PHONESET_SIGN_") {
					cmd.Env = append(cmd.Env, kv)
				}
			}
			cmd.Env = append(cmd.Env, tt.env...)
			said, err := cmd.CombinedOutput()
			if (err != nil) != tt.fails {
				t.Fatalf("msi.sh: %v, want failure %v\n%s", err, tt.fails, said)
			}
			if tt.fails {
				if _, err := os.Stat(out); err == nil {
					t.Errorf("a failed signing left %s behind", out)
				}
				return
			}
			if !strings.Contains(string(said), tt.says) {
				t.Errorf("msi.sh said %q, want it to say %q", said, tt.says)
			}
			// Still an MSI that Windows Installer reads.
			if props, err := tryRun("msiinfo", "export", out, "Property"); err != nil || !strings.Contains(props, "ProductVersion\t"+version) {
				t.Errorf("msiinfo export Property: %v\n%s", err, props)
			}
			extracted := filepath.Join(t.TempDir(), "extracted")
			if msg, err := tryRun("msiextract", "-C", extracted, out); err != nil {
				t.Fatalf("msiextract: %v\n%s", err, msg)
			}
			var exes []string
			filepath.WalkDir(extracted, func(path string, d os.DirEntry, err error) error {
				if err == nil && d.Name() == "phoneset.exe" {
					exes = append(exes, path)
				}
				return err
			})
			if len(exes) != 1 {
				t.Fatalf("phoneset.exe in the MSI: %v", exes)
			}
			for _, f := range []string{out, exes[0]} {
				verify, err := tryRun("osslsigncode", "verify", "-CAfile", cert, "-in", f)
				switch {
				case tt.signed && (err != nil || !strings.Contains(verify, "Subject: /CN=Phoneset test signer") || !strings.Contains(verify, "SHA256")):
					t.Errorf("%s: want a SHA-256 signature by the test certificate that verifies: %v\n%s", filepath.Base(f), err, verify)
				case !tt.signed && (err == nil || !strings.Contains(strings.ToLower(verify), "no signature")):
					t.Errorf("%s: want no signature: %v\n%s", filepath.Base(f), err, verify)
				}
			}
		})
	}
}
