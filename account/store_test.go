package account

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
)

func sampleState() *fileState {
	return &fileState{
		Server: "https://accounts.example.com", UserID: "u1",
		Me:      api.Me{User: api.User{ID: "u1"}, Profile: api.Profile{Version: 3, DisplayName: "Ann", ExtraInfo: []api.InfoField{{Label: "Desk", Value: "4"}}}},
		NextSeq: 9,
		Entries: []entry{
			{Seq: 4, Key: "k4", Kind: KindProfile, Set: raw(`{"display_name":"Bo"}`), Before: raw(`{"display_name":"Ann"}`), At: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
			{Seq: 8, Key: "k8", Kind: KindNotifications, Set: raw(`{"email_voicemails":true}`), Before: raw(`{"email_voicemails":false}`), At: time.Date(2026, 1, 1, 0, 0, 1, 0, time.UTC)},
		},
		Conflicts: []conflict{{Kind: KindProfile, Field: "last_name", Local: json.RawMessage(`"Mine"`), Server: json.RawMessage(`"Theirs"`), At: time.Date(2026, 1, 1, 0, 0, 2, 0, time.UTC)}},
	}
}

func raw(s string) map[string]json.RawMessage {
	m := map[string]json.RawMessage{}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		panic(err)
	}
	return m
}

// withPayload frames payload as a valid file, so only its content is tested.
func withPayload(payload string) []byte {
	b := make([]byte, headerLen, headerLen+len(payload))
	copy(b, fileMagic)
	b[4] = fileVersion
	binary.BigEndian.PutUint32(b[5:], uint32(len(payload)))
	binary.BigEndian.PutUint32(b[9:], crc32.Checksum([]byte(payload), castagnoli))
	return append(b, payload...)
}

func TestStateRoundTrip(t *testing.T) {
	st := sampleState()
	b, err := encodeState(st)
	must(t, err)
	got, err := decodeState(b)
	must(t, err)
	if !reflect.DeepEqual(normalise(t, got), normalise(t, st)) {
		t.Errorf("round trip changed the state:\n got %+v\nwant %+v", got, st)
	}
}

// normalise re-encodes so raw JSON spacing does not matter.
func normalise(t *testing.T, st *fileState) string {
	b, err := json.Marshal(st)
	must(t, err)
	return string(b)
}

func TestDecodeRefusesDamage(t *testing.T) {
	good, err := encodeState(sampleState())
	must(t, err)
	flip := func(i int) []byte {
		b := append([]byte(nil), good...)
		b[i] ^= 0x40
		return b
	}
	tests := []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"header only", good[:headerLen]},
		{"torn write", good[:len(good)-7]},
		{"bad magic", flip(0)},
		{"unknown version", flip(4)},
		{"length field", flip(8)},
		{"payload bit flip", flip(headerLen + 20)},
		{"trailing bytes", append(append([]byte(nil), good...), '\n')},
		{"not json", withPayload(`nope`)},
		{"two json values", withPayload(`{"server":"s","user_id":"u"} {}`)},
		{"unknown field", withPayload(`{"server":"s","user_id":"u","token":"x"}`)},
		{"no account", withPayload(`{"server":"","user_id":""}`)},
		{"unknown kind", withPayload(`{"server":"s","user_id":"u","next_seq":5,"entries":[{"seq":1,"key":"k","kind":"password","set":{"a":1},"before":{"a":0}}]}`)},
		{"unknown field name", withPayload(`{"server":"s","user_id":"u","next_seq":5,"entries":[{"seq":1,"key":"k","kind":"profile","set":{"email":"x"},"before":{"email":"y"}}]}`)},
		{"sequence out of order", withPayload(`{"server":"s","user_id":"u","next_seq":5,"entries":[{"seq":2,"key":"k","kind":"profile","set":{"first_name":"a"},"before":{"first_name":"b"}},{"seq":2,"key":"k","kind":"profile","set":{"first_name":"a"},"before":{"first_name":"b"}}]}`)},
		{"sequence beyond next", withPayload(`{"server":"s","user_id":"u","next_seq":2,"entries":[{"seq":2,"key":"k","kind":"profile","set":{"first_name":"a"},"before":{"first_name":"b"}}]}`)},
		{"no key", withPayload(`{"server":"s","user_id":"u","next_seq":5,"entries":[{"seq":1,"key":"","kind":"profile","set":{"first_name":"a"},"before":{"first_name":"b"}}]}`)},
		{"empty entry", withPayload(`{"server":"s","user_id":"u","next_seq":5,"entries":[{"seq":1,"key":"k","kind":"profile","set":{},"before":{}}]}`)},
		{"before missing", withPayload(`{"server":"s","user_id":"u","next_seq":5,"entries":[{"seq":1,"key":"k","kind":"profile","set":{"first_name":"a"},"before":{"last_name":"b"}}]}`)},
		{"duplicate conflict", withPayload(`{"server":"s","user_id":"u","conflicts":[{"kind":"profile","field":"first_name","local":"a","server":"b"},{"kind":"profile","field":"first_name","local":"a","server":"c"}]}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := decodeState(tt.in); !errors.Is(err, ErrCorrupt) {
				t.Errorf("decodeState = %v, want ErrCorrupt", err)
			}
		})
	}
}

func TestSaveReplacesAtomically(t *testing.T) {
	dir := t.TempDir()
	s := newStore(dir, "https://a.example", "u1", nil)
	if st, err := s.load(); st != nil || err != nil {
		t.Fatalf("load of a missing file = %v, %v", st, err)
	}
	st := sampleState()
	must(t, s.save(st))
	st.Entries = st.Entries[:1]
	must(t, s.save(st))
	got, err := s.load()
	must(t, err)
	if len(got.Entries) != 1 {
		t.Errorf("loaded %d entries, want 1", len(got.Entries))
	}
	fi, err := os.Stat(s.path)
	must(t, err)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("outbox mode %v, want 0600", fi.Mode().Perm())
	}
	// A stale temporary file from a crash mid-save does not matter.
	must(t, os.WriteFile(s.path+".tmp", []byte("half"), 0o600))
	if _, err := s.load(); err != nil {
		t.Errorf("load with a leftover .tmp: %v", err)
	}
	must(t, s.save(st))
	if _, err := os.Stat(s.path + ".tmp"); !os.IsNotExist(err) {
		t.Error("save left the temporary file")
	}
	if filepath.Dir(s.path) != dir || newStore(dir, "https://a.example", "u2", nil).path == s.path || newStore(dir, "https://b.example", "u1", nil).path == s.path {
		t.Error("outbox files must be per server and user")
	}
}

func FuzzDecodeState(f *testing.F) {
	good, _ := encodeState(sampleState())
	f.Add(good)
	f.Add(good[headerLen:])
	f.Add([]byte(`{"server":"s","user_id":"u","next_seq":1}`))
	f.Add([]byte(`{"server":"s","user_id":"u","next_seq":3,"entries":[{"seq":1,"key":"k","kind":"profile","set":{"extra_info":[{"label":"a","value":"b"}]},"before":{"extra_info":null}}]}`))
	f.Add([]byte(fileMagic))
	f.Fuzz(func(t *testing.T, b []byte) {
		// As a whole file, and framed with a valid header and checksum so
		// the payload checks are reached too.
		fuzzDecode(t, b)
		fuzzDecode(t, withPayload(string(b)))
	})
}

func fuzzDecode(t *testing.T, b []byte) {
	st, err := decodeState(b)
	if err != nil {
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("error %v does not wrap ErrCorrupt", err)
		}
		return
	}
	// Whatever decodes must survive a save and load unchanged, and the
	// model must be able to derive its view from it and settle it.
	again, err := encodeState(st)
	if err != nil {
		t.Fatal(err)
	}
	st2, err := decodeState(again)
	if err != nil {
		t.Fatalf("re-encoded state does not decode: %v", err)
	}
	if normalise(t, st) != normalise(t, st2) {
		t.Fatal("state changed across a round trip")
	}
	m := &Model{st: st2}
	m.recompute()
	settleHead(st2)
	settled, err := encodeState(st2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := decodeState(settled); err != nil {
		t.Fatalf("settling made the state invalid: %v", err)
	}
}
