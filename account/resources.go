package account

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"strings"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/api/client"
)

// Kinds of resource the outbox edits.
const (
	KindProfile       = "profile"
	KindNotifications = "notifications"
)

// resource adapts one versioned part of api.Me to field-wise edits. Fields
// are JSON names; values travel as raw JSON.
type resource struct {
	fields []string
	part   func(me *api.Me) any // pointer to the resource inside me
	// send writes set at the confirmed state's version and stores the
	// server's answer in confirmed.
	send func(ctx context.Context, c *client.Client, confirmed *api.Me, set map[string]json.RawMessage) error
	// derive recomputes fields that follow from others, for the local view.
	derive func(me *api.Me)
}

var resources = map[string]*resource{
	KindProfile: {
		fields: []string{api.FieldFirstName, api.FieldLastName, api.FieldDisplayName, api.FieldUsername, api.FieldLanguage, api.FieldTimeZone, api.FieldHideMobile, api.FieldHideFixed, api.FieldExtraInfo},
		part:   func(me *api.Me) any { return &me.Profile },
		send: func(ctx context.Context, c *client.Client, me *api.Me, set map[string]json.RawMessage) error {
			var p api.ProfilePatch
			if err := unmarshalFields(set, &p); err != nil {
				return err
			}
			got, err := c.UpdateProfile(ctx, me.Profile.Version, p)
			if err == nil {
				me.Profile = got
			}
			return err
		},
		derive: func(me *api.Me) {
			me.Profile.CallsViaMobileVoIP = api.CallsViaMobileVoIP(me.Profile.HideMobile, me.Profile.HideFixed)
		},
	},
	KindNotifications: {
		fields: []string{api.FieldEmailMissedCalls, api.FieldEmailVoicemails},
		part:   func(me *api.Me) any { return &me.Notifications },
		send: func(ctx context.Context, c *client.Client, me *api.Me, set map[string]json.RawMessage) error {
			n := me.Notifications
			if err := unmarshalFields(set, &n); err != nil {
				return err
			}
			got, err := c.UpdateNotifications(ctx, me.Notifications.Version, n)
			if err == nil {
				me.Notifications = got
			}
			return err
		},
		derive: func(*api.Me) {},
	},
}

func (r *resource) has(field string) bool { return slices.Contains(r.fields, field) }

// values returns the editable fields of the resource in me.
func (r *resource) values(me *api.Me) map[string]json.RawMessage {
	all := map[string]json.RawMessage{}
	b, _ := json.Marshal(r.part(me))
	_ = json.Unmarshal(b, &all)
	out := make(map[string]json.RawMessage, len(r.fields))
	for _, f := range r.fields {
		v, ok := all[f]
		if !ok {
			v = json.RawMessage("null")
		}
		out[f] = v
	}
	return out
}

// apply overlays set on the resource in me.
func (r *resource) apply(me *api.Me, set map[string]json.RawMessage) {
	if len(set) == 0 {
		return
	}
	_ = unmarshalFields(set, r.part(me))
	r.derive(me)
}

func unmarshalFields(set map[string]json.RawMessage, into any) error {
	b, err := json.Marshal(set)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, into)
}

// fieldsOf renders v's set fields (a patch struct with omitempty pointers,
// or a whole resource) as raw JSON.
func fieldsOf(v any) map[string]json.RawMessage {
	out := map[string]json.RawMessage{}
	b, _ := json.Marshal(v)
	_ = json.Unmarshal(b, &out)
	return out
}

// sameValue compares two JSON values by meaning: key order and spacing do
// not matter, and an absent list (null) equals an empty one.
func sameValue(a, b json.RawMessage) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(emptyNil(x), emptyNil(y))
}

func emptyNil(v any) any {
	if v == nil {
		return []any{}
	}
	return v
}

// display renders a field value for a person: strings as they are, lists
// of info fields as "label: value" lines.
func display(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	var infos []api.InfoField
	if json.Unmarshal(v, &infos) == nil {
		lines := make([]string, len(infos))
		for i, f := range infos {
			lines[i] = f.Label + ": " + f.Value
		}
		return strings.Join(lines, "\n")
	}
	return string(v)
}
