//go:build linux

package account

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server/servertest"
)

// smallDisk mounts a tmpfs of size bytes on a temp dir, so writes fail
// with a real ENOSPC from the kernel. Mounting needs root (make test runs
// as root); elsewhere the test is skipped.
func smallDisk(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, "size="+size+",mode=0700"); err != nil {
		t.Skipf("cannot mount a small tmpfs (needs root): %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir
}

// fill writes to a file in dir until the filesystem is full.
func fill(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 512)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("filling the disk: %v", err)
			}
			return path
		}
	}
}

// outage passes requests to a server, or drops every connection while
// down, as a lost network would.
type outage struct {
	down atomic.Bool
	rp   *httputil.ReverseProxy
}

func (o *outage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if o.down.Load() {
		drop(w)
		return
	}
	o.rp.ServeHTTP(w, r)
}

// TestDiskFullOnRealFilesystem puts the data directory on a 64 KiB tmpfs
// and fills it, against the real backend. An edit on the full disk must
// fail to be written with ENOSPC, revert, say so, and leave the file as it
// was; an acknowledgement that cannot be
// saved must show as a sync error; the outbox file must stay readable and
// hold the pending edit throughout, also across a restart of the app; and
// once space is back everything syncs.
func TestDiskFullOnRealFilesystem(t *testing.T) {
	dir := smallDisk(t, "64k")
	_, backend, _ := servertest.New(t)
	target, _ := url.Parse(backend)
	net := &outage{rp: httputil.NewSingleHostReverseProxy(target)}
	proxy := httptest.NewServer(net)
	defer proxy.Close()
	ctx := context.Background()
	kr := newMemKeyring()
	m := realModel(t, proxy.URL, kr, dir)
	must(t, m.SignIn(ctx, "agent1", "Phoneset-demo-1", "test"))
	other := realClient(t, backend, "agent1")

	// Offline, an edit waits in the outbox.
	net.down.Store(true)
	must(t, m.UpdateProfile(api.ProfilePatch{FirstName: ptr("Kept")}))
	must(t, m.flush())
	waitFor(t, "offline", func() bool { return m.Sync().Kind == Offline })
	path := m.store.path
	before, err := os.ReadFile(path)
	must(t, err)

	filler := fill(t, dir)
	must(t, m.UpdateProfile(api.ProfilePatch{LastName: ptr("Lost")}))
	if err := m.flush(); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("writing an edit on a full disk: %v, want ENOSPC", err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("a failed save changed the outbox file")
	}
	if p := m.Me().Profile; p.LastName == "Lost" || p.FirstName != "Kept" || m.Sync().Pending != 1 {
		t.Errorf("after the failed edit: %q %q, %d pending", p.FirstName, p.LastName, m.Sync().Pending)
	}
	if s := m.Sync(); s.Kind != Error || !errors.Is(s.Err, syscall.ENOSPC) {
		t.Errorf("the failure is not reported: %+v", s)
	}
	if tmp, _ := filepath.Glob(filepath.Join(dir, "*.tmp")); len(tmp) != 0 {
		t.Errorf("temporary files left on the full disk: %v", tmp)
	}

	// The network returns while the disk is still full: the edit reaches
	// the server, but its acknowledgement cannot be saved, and the sync
	// state says so.
	net.down.Store(false)
	m.kick()
	waitFor(t, "the edit sent", func() bool { return m.Sync().Pending == 0 })
	if err := m.flush(); !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("writing the acknowledgement: %v, want ENOSPC", err)
	}
	if s := m.Sync(); s.Kind != Error || !errors.Is(s.Err, syscall.ENOSPC) {
		t.Errorf("sync state %+v, want the ENOSPC error", s)
	}
	if p, err := other.Profile(ctx); err != nil || p.FirstName != "Kept" {
		t.Fatalf("server profile %+v, %v", p, err)
	}
	st, err := decodeFile(path)
	if err != nil || len(st.Entries) != 1 {
		t.Fatalf("outbox on the full disk: %v, %+v", err, st)
	}

	// The app restarts on the still-full disk: the saved edit is found to
	// be on the server already, and is not sent twice.
	must(t, m.Close())
	m = realModel(t, proxy.URL, kr, dir)
	ok, err := m.Restore(ctx)
	if !ok || err != nil {
		t.Fatalf("restore on a full disk: %v %v", ok, err)
	}
	waitFor(t, "settled", func() bool { return m.Sync().Pending == 0 })
	if p := m.Me().Profile; p.FirstName != "Kept" {
		t.Errorf("after restart: %+v", p)
	}

	// Space is back: the next edit saves and syncs, and the file is clean.
	must(t, os.Remove(filler))
	must(t, m.UpdateProfile(api.ProfilePatch{LastName: ptr("Saved")}))
	waitSynced(t, m)
	// Version 1 + two writes: the restart sent nothing twice.
	if p, err := other.Profile(ctx); err != nil || p.FirstName != "Kept" || p.LastName != "Saved" || p.Version != 3 {
		t.Errorf("server profile %+v, %v", p, err)
	}
	must(t, m.flush()) // the acknowledgement's write
	if st, err := decodeFile(path); err != nil || len(st.Entries) != 0 || st.Me.Profile.LastName != "Saved" {
		t.Errorf("outbox after recovery: %v, %+v", err, st)
	}
}

func decodeFile(path string) (*fileState, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return decodeState(b)
}
