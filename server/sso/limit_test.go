package sso_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/phoneset/phoneset/server"
	"github.com/phoneset/phoneset/server/sso"
)

// TestProviderAnswerBounded: an issuer an organisation's admin typed in
// that answers without end (here: 256 MiB of JSON string) is given up on
// after a megabyte, not read whole into the shared server's memory.
func TestProviderAnswerBounded(t *testing.T) {
	var sent atomic.Int64
	chunk := []byte(strings.Repeat("a", 64<<10))
	op := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"issuer":"`))
		for range (256 << 20) / len(chunk) {
			n, err := w.Write(chunk)
			sent.Add(int64(n))
			if err != nil {
				return // the client stopped reading
			}
		}
	}))
	defer op.Close()
	c := sso.New(nil, nil)
	_, err := c.AuthURL(context.Background(), server.OIDCProvider{Issuer: op.URL, ClientID: "x"},
		server.OIDCAuth{RedirectURI: "http://127.0.0.1:1/cb", State: "s", Nonce: "n", Challenge: "c"})
	if err == nil {
		t.Fatal("an endless discovery document was accepted")
	}
	op.CloseClientConnections()
	op.Close() // waits for the handler: sent is final
	if n := sent.Load(); n >= 64<<20 {
		t.Errorf("the server read %d MiB of the provider's answer before it gave up", n>>20)
	}
	t.Logf("%v after %d KiB sent", err, sent.Load()>>10)
}
