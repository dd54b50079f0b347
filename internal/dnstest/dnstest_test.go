package dnstest

import (
	"context"
	"errors"
	"net"
	"slices"
	"testing"
	"time"
)

// TestAnswers: what the server is given is what Go's resolver reads back,
// names in any case; unknown names are NXDOMAIN; a stopped server is an
// error that is not "not found", and a restarted one answers again.
func TestAnswers(t *testing.T) {
	s := Start(t)
	var d net.Dialer
	r := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return d.DialContext(ctx, network, s.Addr)
	}}
	lookup := func(name string) ([]string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		return r.LookupTXT(ctx, name)
	}
	notFound := func(err error) bool {
		var de *net.DNSError
		return errors.As(err, &de) && de.IsNotFound
	}
	s.SetTXT("_Challenge.Example.COM", "a=1", "b=2")
	s.SetTXT("empty.example.com")
	if got, err := lookup("_challenge.example.com."); err != nil || !slices.Equal(got, []string{"a=1", "b=2"}) {
		t.Errorf("TXT: %q %v", got, err)
	}
	if got, err := lookup("empty.example.com."); !notFound(err) {
		t.Errorf("a name without TXT: %q %v", got, err)
	}
	if got, err := lookup("nowhere.example.com."); !notFound(err) {
		t.Errorf("NXDOMAIN: %q %v", got, err)
	}
	s.Stop()
	if got, err := lookup("_challenge.example.com."); err == nil || notFound(err) {
		t.Errorf("stopped: %q %v", got, err)
	}
	s.Restart(t)
	if _, err := lookup("_challenge.example.com."); err != nil {
		t.Errorf("restarted: %v", err)
	}
}
