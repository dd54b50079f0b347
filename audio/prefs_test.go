package audio

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestResolve(t *testing.T) {
	headsetMoved := fakeHeadset
	headsetMoved.ID = "07" // replugged: new ID, same name
	otherBackend := fakeHeadset
	otherBackend.Backend = "other"
	otherBackend.Name = "Other Headset"
	noDefault := fakeSpeakers
	noDefault.Default = false
	for _, tc := range []struct {
		name    string
		role    Role
		prefs   []DeviceRef
		devices []Device
		want    Selection
	}{
		{"no preference: default", Speaker, nil,
			[]Device{fakeHeadset, fakeSpeakers},
			Selection{Role: Speaker, Device: fakeSpeakers, Match: MatchDefault, Rank: -1}},
		{"preferred by ID", Speaker, []DeviceRef{fakeHeadset.Ref()},
			[]Device{fakeSpeakers, fakeHeadset},
			Selection{Role: Speaker, Device: fakeHeadset, Match: MatchID, Rank: 0}},
		{"preferred by name after its ID changed", Speaker, []DeviceRef{fakeHeadset.Ref()},
			[]Device{fakeSpeakers, headsetMoved},
			Selection{Role: Speaker, Device: headsetMoved, Match: MatchName, Rank: 0}},
		{"first present in rank order", Speaker, []DeviceRef{fakeUSB.Ref(), fakeHeadset.Ref(), fakeSpeakers.Ref()},
			[]Device{fakeSpeakers, fakeHeadset},
			Selection{Role: Speaker, Device: fakeHeadset, Match: MatchID, Rank: 1}},
		{"a higher rank by name beats a lower rank by ID", Speaker, []DeviceRef{fakeHeadset.Ref(), fakeSpeakers.Ref()},
			[]Device{fakeSpeakers, headsetMoved},
			Selection{Role: Speaker, Device: headsetMoved, Match: MatchName, Rank: 0}},
		{"the same ID on another backend is not the device", Speaker, []DeviceRef{{Backend: "other", ID: fakeHeadset.ID, Name: "Gone"}},
			[]Device{fakeSpeakers, fakeHeadset},
			Selection{Role: Speaker, Device: fakeSpeakers, Match: MatchDefault, Rank: -1, Fallback: true}},
		{"ID matches on its own backend", Speaker, []DeviceRef{otherBackend.Ref()},
			[]Device{fakeSpeakers, fakeHeadset, otherBackend},
			Selection{Role: Speaker, Device: otherBackend, Match: MatchID, Rank: 0}},
		{"none present: fallback to default", Speaker, []DeviceRef{fakeUSB.Ref()},
			[]Device{fakeHeadset, fakeSpeakers},
			Selection{Role: Speaker, Device: fakeSpeakers, Match: MatchDefault, Rank: -1, Fallback: true}},
		{"no default flagged: first device", Ringer, []DeviceRef{fakeUSB.Ref()},
			[]Device{fakeHeadset, noDefault},
			Selection{Role: Ringer, Device: fakeHeadset, Match: MatchDefault, Rank: -1, Fallback: true}},
		{"nothing of the kind: missing", Microphone, []DeviceRef{fakeHeadMic.Ref()},
			[]Device{fakeSpeakers, fakeHeadset},
			Selection{Role: Microphone, Match: MatchNone, Rank: -1, Missing: true}},
		{"a capture device never serves a playback role", Speaker, []DeviceRef{{Backend: "fake", ID: fakeHeadMic.ID, Name: fakeHeadMic.Name}},
			[]Device{fakeHeadMic, fakeSpeakers},
			Selection{Role: Speaker, Device: fakeSpeakers, Match: MatchDefault, Rank: -1, Fallback: true}},
		{"an empty name matches nothing", Microphone, []DeviceRef{{Backend: "fake", ID: "77"}},
			[]Device{{Kind: Capture, Backend: "fake", ID: "78"}, fakeLaptopMic},
			Selection{Role: Microphone, Device: fakeLaptopMic, Match: MatchDefault, Rank: -1, Fallback: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Resolve(tc.role, tc.prefs, tc.devices); got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func refs(ds ...Device) []DeviceRef {
	var out []DeviceRef
	for _, d := range ds {
		out = append(out, d.Ref())
	}
	return out
}

func TestPrefer(t *testing.T) {
	headsetMoved := fakeHeadset
	headsetMoved.ID = "07"
	many := func(n int) []DeviceRef {
		var out []DeviceRef
		for i := range n {
			out = append(out, DeviceRef{Backend: "fake", ID: string(rune('a' + i)), Name: string(rune('A' + i))})
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		before []DeviceRef
		pick   Device
		want   []DeviceRef
	}{
		{"first choice", nil, fakeHeadset, refs(fakeHeadset)},
		{"new choice heads the list", refs(fakeSpeakers), fakeHeadset, refs(fakeHeadset, fakeSpeakers)},
		{"re-picking moves it up", refs(fakeSpeakers, fakeHeadset, fakeUSB), fakeHeadset, refs(fakeHeadset, fakeSpeakers, fakeUSB)},
		{"same name, new ID replaces the old entry", refs(fakeSpeakers, fakeHeadset), headsetMoved, refs(headsetMoved, fakeSpeakers)},
		{"cut to MaxPrefs", many(MaxPrefs), fakeHeadset, append(refs(fakeHeadset), many(MaxPrefs-1)...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := Prefs{Speaker: tc.before, Microphone: refs(fakeHeadMic)}
			before := p.clone()
			got := p.Prefer(Speaker, tc.pick)
			if !reflect.DeepEqual(got.Speaker, tc.want) {
				t.Errorf("speaker list %v, want %v", got.Speaker, tc.want)
			}
			if !reflect.DeepEqual(got.Microphone, refs(fakeHeadMic)) || got.Ringer != nil {
				t.Errorf("other roles changed: %+v", got)
			}
			if !reflect.DeepEqual(p, before) {
				t.Errorf("Prefer modified its receiver: %+v", p)
			}
		})
	}
}

func TestPrefsJSON(t *testing.T) {
	p := Prefs{}.Prefer(Microphone, fakeHeadMic).Prefer(Ringer, fakeUSB)
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"microphone":[{"backend":"fake","id":"12","name":"Headset Mic"}],"ringer":[{"backend":"fake","id":"03","name":"USB Speaker"}]}`
	if string(b) != want {
		t.Errorf("JSON %s\nwant %s", b, want)
	}
	var back Prefs
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, p) {
		t.Errorf("round trip: %+v, %v", back, err)
	}
}

func TestRoleAndKindNames(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{Microphone.String(), "microphone"}, {Speaker.String(), "speaker"}, {Ringer.String(), "ringer"},
		{Role(9).String(), "unknown"}, {Playback.String(), "playback"}, {Capture.String(), "capture"},
		{Kind(0).String(), "unknown"}, {MatchID.String(), "id"}, {MatchName.String(), "name"},
		{MatchDefault.String(), "default"}, {MatchNone.String(), "none"},
		{Microphone.Kind().String(), "capture"}, {Ringer.Kind().String(), "playback"},
	} {
		if tc.got != tc.want {
			t.Errorf("%q, want %q", tc.got, tc.want)
		}
	}
}
