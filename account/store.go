package account

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/phoneset/phoneset/api"
)

// The outbox file
//
// Each signed-in account (server + user ID) has one file in the data
// directory, named "outbox-<16 hex digits of SHA-256(server + "\n" + userID)>.psob".
// It holds the last account state the server confirmed and every edit not
// yet acknowledged, so the app starts offline with the user's edits intact.
//
//	offset  size  field
//	0       4     magic "PSOB"
//	4       1     format version (1)
//	5       4     payload length N, big-endian uint32
//	9       4     CRC-32C (Castagnoli) of the payload, big-endian
//	13      N     payload: UTF-8 JSON of fileState
//
// Nothing may follow the payload. The file is replaced atomically: the new
// contents go to "<name>.tmp", which is fsync'd, renamed over the old file,
// and the directory is fsync'd. A crash or a full disk therefore leaves
// either the old or the new file, never a mix. It never holds a token,
// password or API key: the session lives in the OS keyring.
const (
	fileMagic   = "PSOB"
	fileVersion = 1
	headerLen   = 13
	maxPayload  = 64 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// fileState is the payload of the outbox file.
type fileState struct {
	Server    string     `json:"server"`
	UserID    string     `json:"user_id"`
	Me        api.Me     `json:"me"` // as last confirmed by the server
	NextSeq   uint64     `json:"next_seq"`
	Entries   []entry    `json:"entries"`
	Conflicts []conflict `json:"conflicts"`
}

// entry is one pending edit: the fields it sets on a resource, and each
// field's value before the edit (what the server holds once the earlier
// entries land). Key is sent as the idempotency key; it changes whenever
// the entry's request body changes.
type entry struct {
	Seq    uint64                     `json:"seq"`
	Key    string                     `json:"key"`
	Kind   string                     `json:"kind"`
	Set    map[string]json.RawMessage `json:"set"`
	Before map[string]json.RawMessage `json:"before"`
	At     time.Time                  `json:"at"`
}

// conflict is a field the user changed while someone else changed it too.
type conflict struct {
	Kind   string          `json:"kind"`
	Field  string          `json:"field"`
	Local  json.RawMessage `json:"local"`
	Server json.RawMessage `json:"server"`
	At     time.Time       `json:"at"`
}

func (c conflict) id() string { return c.Kind + "." + c.Field }

// encodeState renders the whole file.
func encodeState(st *fileState) ([]byte, error) {
	payload, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	if len(payload) > maxPayload {
		return nil, fmt.Errorf("outbox: %d bytes is too large", len(payload))
	}
	buf := make([]byte, headerLen, headerLen+len(payload))
	copy(buf, fileMagic)
	buf[4] = fileVersion
	binary.BigEndian.PutUint32(buf[5:], uint32(len(payload)))
	binary.BigEndian.PutUint32(buf[9:], crc32.Checksum(payload, castagnoli))
	return append(buf, payload...), nil
}

// ErrCorrupt is returned for an outbox file that fails its checks.
var ErrCorrupt = errors.New("outbox file is corrupt")

func corrupt(why string) error { return fmt.Errorf("%w: %s", ErrCorrupt, why) }

// decodeState parses and checks a whole file.
func decodeState(b []byte) (*fileState, error) {
	if len(b) < headerLen {
		return nil, corrupt("short header")
	}
	if string(b[:4]) != fileMagic {
		return nil, corrupt("bad magic")
	}
	if b[4] != fileVersion {
		return nil, corrupt(fmt.Sprintf("unknown format version %d", b[4]))
	}
	n := binary.BigEndian.Uint32(b[5:])
	if n > maxPayload || int(n) != len(b)-headerLen {
		return nil, corrupt("length does not match")
	}
	payload := b[headerLen:]
	if crc32.Checksum(payload, castagnoli) != binary.BigEndian.Uint32(b[9:]) {
		return nil, corrupt("checksum mismatch")
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	var st fileState
	if err := dec.Decode(&st); err != nil {
		return nil, corrupt(err.Error())
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, corrupt("trailing data")
	}
	if err := st.check(); err != nil {
		return nil, err
	}
	return &st, nil
}

// check enforces what the model relies on: known kinds and fields, valid
// JSON values, strictly increasing sequence numbers below NextSeq.
func (st *fileState) check() error {
	if st.UserID == "" || st.Server == "" {
		return corrupt("missing account")
	}
	var last uint64
	for i, e := range st.Entries {
		r, ok := resources[e.Kind]
		switch {
		case !ok:
			return corrupt(fmt.Sprintf("entry %d: unknown kind %q", i, e.Kind))
		case e.Seq == 0 || e.Seq <= last || e.Seq >= st.NextSeq:
			return corrupt(fmt.Sprintf("entry %d: sequence %d out of order", i, e.Seq))
		case e.Key == "":
			return corrupt(fmt.Sprintf("entry %d: no key", i))
		case len(e.Set) == 0 || len(e.Set) != len(e.Before):
			return corrupt(fmt.Sprintf("entry %d: fields do not match", i))
		}
		last = e.Seq
		for f, v := range e.Set {
			b, ok := e.Before[f]
			if !r.has(f) || !ok || !json.Valid(v) || !json.Valid(b) {
				return corrupt(fmt.Sprintf("entry %d: bad field %q", i, f))
			}
		}
	}
	seen := map[string]bool{}
	for i, c := range st.Conflicts {
		r, ok := resources[c.Kind]
		if !ok || !r.has(c.Field) || seen[c.id()] || !json.Valid(c.Local) || !json.Valid(c.Server) {
			return corrupt(fmt.Sprintf("conflict %d is not valid", i))
		}
		seen[c.id()] = true
	}
	return nil
}

// outboxName is the file of one account in the data directory.
func outboxName(server, userID string) string {
	sum := sha256.Sum256([]byte(server + "\n" + userID))
	return "outbox-" + hex.EncodeToString(sum[:8]) + ".psob"
}

// store reads and atomically replaces one outbox file.
type store struct {
	path   string
	create func(name string) (OutboxFile, error)
}

// OutboxFile is the temporary file an outbox is written to before it
// replaces the old one.
type OutboxFile interface {
	io.Writer
	Sync() error
	Close() error
}

// createFile opens an outbox's temporary file on the OS's file system.
func createFile(name string) (OutboxFile, error) {
	return os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
}

// newStore is the store of one account's outbox; create nil: createFile.
func newStore(dir, server, userID string, create func(string) (OutboxFile, error)) *store {
	if create == nil {
		create = createFile
	}
	return &store{path: filepath.Join(dir, outboxName(server, userID)), create: create}
}

// load returns the saved state, or nil when there is none.
func (s *store) load() (*fileState, error) {
	b, err := os.ReadFile(s.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	st, err := decodeState(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.path, err)
	}
	return st, nil
}

// save replaces the file with st; on any error the old file is untouched.
func (s *store) save(st *fileState) error {
	b, err := encodeState(st)
	if err != nil {
		return err
	}
	tmp := s.path + ".tmp"
	f, err := s.create(tmp)
	if err != nil {
		return fmt.Errorf("saving outbox: %w", err)
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, s.path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("saving outbox: %w", err)
	}
	syncDir(filepath.Dir(s.path))
	return nil
}

// syncDir makes the rename durable. It is best effort: the new file is in
// place either way, and some systems cannot fsync a directory.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
