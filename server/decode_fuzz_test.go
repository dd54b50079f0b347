package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"testing"

	"github.com/phoneset/phoneset/api"
)

// FuzzDecodeJSON holds the strict decoder to its contract: it refuses with
// a 400, never anything else, and what it accepts encoding/json reads the
// same way, so nothing in an accepted body was left to a guess (which of
// two equal names wins, which case matches, what a lone surrogate means).
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{
		`{"display_name":"Ada","extra_info":[{"label":"Desk","value":"4B"}],"hide_mobile":true}`,
		`{"display_name":"Smile \ud83d\ude00","first_name":null}`,
		`{"display_name":"Ada","display_name":"Eve"}`,
		`{"extra_info":[{"label":"a","value":"b","label":"c"}]}`,
		`{"DISPLAY_NAME":"Eve"}`, `{"Display_Name":"Eve"}`,
		`{"display_name":"A\ud800B"}`, `{"display_name":"\udc00"}`, `{"display_name":"\q"}`,
		`{"display_name":1}`, `{"extra_info":{}}`, `{} {}`, `[]`, `null`, ` `,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := decodeJSON[api.ProfilePatch](bytes.NewReader(b))
		if err != nil {
			var ae *api.Error
			if !errors.As(err, &ae) || ae.Status != http.StatusBadRequest || ae.Code != api.CodeInvalid {
				t.Fatalf("%q: refused with %v, want a 400", b, err)
			}
			return
		}
		var lenient api.ProfilePatch
		if err := json.Unmarshal(b, &lenient); err != nil {
			t.Fatalf("%q: accepted, but encoding/json refuses it: %v", b, err)
		}
		if !reflect.DeepEqual(got, lenient) {
			t.Fatalf("%q: read as %+v, encoding/json reads %+v", b, got, lenient)
		}
	})
}
