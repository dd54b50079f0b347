package account

import (
	"fmt"
	"testing"

	"github.com/phoneset/phoneset/api"
)

// BenchmarkUpdateProfile is the cost the UI pays per edit: validate, apply
// locally and wake the persister, which writes the outbox on its own
// goroutine. The server is down so the outbox grows as it would offline.
func BenchmarkUpdateProfile(b *testing.B) {
	for _, pending := range []int{0, 100} {
		b.Run(fmt.Sprintf("pending=%d", pending), func(b *testing.B) {
			h := newHarness(b)
			m := h.signedIn()
			h.srv.setDown(true)
			for i := range pending {
				if err := m.UpdateProfile(api.ProfilePatch{FirstName: ptr(fmt.Sprint("p", i))}); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				if err := m.UpdateProfile(api.ProfilePatch{DisplayName: ptr(fmt.Sprint("Name ", i))}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecodeState(b *testing.B) {
	st := sampleState()
	for i := range 100 {
		e := st.Entries[0]
		e.Seq = uint64(10 + i)
		st.Entries = append(st.Entries, e)
	}
	st.Entries = st.Entries[2:]
	st.NextSeq = 200
	data, err := encodeState(st)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := decodeState(data); err != nil {
			b.Fatal(err)
		}
	}
}
