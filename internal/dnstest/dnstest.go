// Package dnstest is a DNS server on loopback for tests: it answers TXT
// questions from a table it is given, NXDOMAIN for names it does not
// know, and nothing once stopped. Only tests import it.
package dnstest

import (
	"errors"
	"net"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

// Server answers DNS over UDP on 127.0.0.1.
type Server struct {
	// Addr is host:port, for server.Config.DNS or --dns.
	Addr string
	conn net.PacketConn
	mu   sync.Mutex
	txt  map[string][]string // by lower-case name without the final dot
	done chan struct{}
}

// Start runs a server until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{Addr: "127.0.0.1:0", txt: map[string][]string{}}
	s.Restart(t)
	t.Cleanup(s.Stop)
	return s
}

// Restart serves again at the same address after Stop.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	conn, err := net.ListenPacket("udp", s.Addr)
	if err != nil {
		t.Fatalf("dnstest: %v", err)
	}
	s.Addr, s.conn, s.done = conn.LocalAddr().String(), conn, make(chan struct{})
	go s.serve()
}

// SetTXT makes name's TXT records values (none: the name exists with no
// TXT record). Names compare without regard to case, as DNS does.
func (s *Server) SetTXT(name string, values ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.txt[key(name)] = values
}

// Remove makes name unknown again (NXDOMAIN).
func (s *Server) Remove(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.txt, key(name))
}

// Stop closes the socket: questions then go unanswered (a DNS server that
// is down). It may be called more than once.
func (s *Server) Stop() {
	if s.conn.Close() == nil {
		<-s.done
	}
}

func key(name string) string { return strings.ToLower(strings.TrimSuffix(name, ".")) }

func (s *Server) serve() {
	defer close(s.done)
	buf := make([]byte, 512)
	for {
		n, from, err := s.conn.ReadFrom(buf)
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			continue
		}
		if out, ok := s.answer(buf[:n]); ok {
			s.conn.WriteTo(out, from)
		}
	}
}

// answer builds the reply to one query; ok is false for what is no query.
func (s *Server) answer(in []byte) (out []byte, ok bool) {
	var p dnsmessage.Parser
	h, err := p.Start(in)
	if err != nil || h.Response {
		return nil, false
	}
	q, err := p.Question()
	if err != nil {
		return nil, false
	}
	s.mu.Lock()
	values, known := s.txt[key(q.Name.String())]
	values = append([]string(nil), values...)
	s.mu.Unlock()
	rh := dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionDesired: h.RecursionDesired,
		RecursionAvailable: true}
	if !known {
		rh.RCode = dnsmessage.RCodeNameError
	}
	b := dnsmessage.NewBuilder(nil, rh)
	b.EnableCompression()
	if b.StartQuestions() != nil || b.Question(q) != nil || b.StartAnswers() != nil {
		return nil, false
	}
	if q.Type == dnsmessage.TypeTXT {
		for _, v := range values {
			rr := dnsmessage.ResourceHeader{Name: q.Name, Type: dnsmessage.TypeTXT, Class: dnsmessage.ClassINET, TTL: 60}
			if b.TXTResource(rr, dnsmessage.TXTResource{TXT: []string{v}}) != nil {
				return nil, false
			}
		}
	}
	out, err = b.Finish()
	return out, err == nil
}
