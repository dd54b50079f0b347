package audio

// Role is what a device is used for during calls.
type Role int

const (
	Microphone Role = iota
	Speaker
	// Ringer is an extra device that rings together with the speaker (for example
	// the laptop speakers while the headset is on the desk).
	Ringer
)

// Roles lists every role, in display order.
var Roles = []Role{Microphone, Speaker, Ringer}

func (r Role) String() string {
	switch r {
	case Microphone:
		return "microphone"
	case Speaker:
		return "speaker"
	case Ringer:
		return "ringer"
	}
	return "unknown"
}

// Kind is the device kind the role uses.
func (r Role) Kind() Kind {
	if r == Microphone {
		return Capture
	}
	return Playback
}

// DeviceRef remembers a device across runs: backend, ID and the name shown to the user.
type DeviceRef struct {
	Backend string `json:"backend"`
	ID      string `json:"id"`
	Name    string `json:"name"`
}

// MaxPrefs is how many devices a role remembers.
const MaxPrefs = 5

// Prefs holds each role's devices, most preferred first. It is JSON serialisable.
type Prefs struct {
	Microphone []DeviceRef `json:"microphone,omitempty"`
	Speaker    []DeviceRef `json:"speaker,omitempty"`
	Ringer     []DeviceRef `json:"ringer,omitempty"`
}

// For returns the role's ranked list.
func (p Prefs) For(r Role) []DeviceRef {
	switch r {
	case Microphone:
		return p.Microphone
	case Speaker:
		return p.Speaker
	case Ringer:
		return p.Ringer
	}
	return nil
}

func (p *Prefs) set(r Role, refs []DeviceRef) {
	switch r {
	case Microphone:
		p.Microphone = refs
	case Speaker:
		p.Speaker = refs
	case Ringer:
		p.Ringer = refs
	}
}

// Prefer returns a copy of p where d heads the role's list. Earlier choices stay
// as fallbacks; an entry for the same device (same backend and ID, or same name)
// is replaced, and the list is cut to MaxPrefs.
func (p Prefs) Prefer(r Role, d Device) Prefs {
	ref := d.Ref()
	refs := []DeviceRef{ref}
	for _, old := range p.For(r) {
		sameID := old.Backend == ref.Backend && old.ID == ref.ID
		if sameID || old.Name == ref.Name {
			continue
		}
		refs = append(refs, old)
	}
	if len(refs) > MaxPrefs {
		refs = refs[:MaxPrefs]
	}
	out := p.clone()
	out.set(r, refs)
	return out
}

func (p Prefs) clone() Prefs {
	return Prefs{
		Microphone: append([]DeviceRef(nil), p.Microphone...),
		Speaker:    append([]DeviceRef(nil), p.Speaker...),
		Ringer:     append([]DeviceRef(nil), p.Ringer...),
	}
}

// Match says how a role's device was found.
type Match int

const (
	MatchNone    Match = iota // no device of the role's kind is present
	MatchID                   // a preferred device, found by backend and ID
	MatchName                 // a preferred device, found by name (its ID changed)
	MatchDefault              // the system default (no preference, or none present)
)

func (m Match) String() string {
	switch m {
	case MatchID:
		return "id"
	case MatchName:
		return "name"
	case MatchDefault:
		return "default"
	}
	return "none"
}

// Selection is the device a role uses right now.
type Selection struct {
	Role   Role
	Device Device // zero when Missing
	Match  Match
	// Rank is the index of the matching entry in the role's preference list, -1 if none.
	Rank int
	// Fallback: the role has preferences but none is present, so the system
	// default is used. The UI should say so.
	Fallback bool
	// Missing: there is no device of this kind at all.
	Missing bool
}

// Resolve picks the role's device from the present devices: the first preference
// that is present (by backend and ID, then by name), else the system default
// (or the first device if none is marked default).
func Resolve(r Role, prefs []DeviceRef, devices []Device) Selection {
	var present []Device
	for _, d := range devices {
		if d.Kind == r.Kind() {
			present = append(present, d)
		}
	}
	if len(present) == 0 {
		return Selection{Role: r, Match: MatchNone, Rank: -1, Missing: true}
	}
	for rank, ref := range prefs {
		if d, ok := findByID(present, ref); ok {
			return Selection{Role: r, Device: d, Match: MatchID, Rank: rank}
		}
		if d, ok := findByName(present, ref); ok {
			return Selection{Role: r, Device: d, Match: MatchName, Rank: rank}
		}
	}
	def := present[0]
	for _, d := range present {
		if d.Default {
			def = d
			break
		}
	}
	return Selection{Role: r, Device: def, Match: MatchDefault, Rank: -1, Fallback: len(prefs) > 0}
}

func findByID(devices []Device, ref DeviceRef) (Device, bool) {
	for _, d := range devices {
		if string(d.Backend) == ref.Backend && d.ID == ref.ID {
			return d, true
		}
	}
	return Device{}, false
}

func findByName(devices []Device, ref DeviceRef) (Device, bool) {
	if ref.Name == "" {
		return Device{}, false
	}
	for _, d := range devices {
		if d.Name == ref.Name {
			return d, true
		}
	}
	return Device{}, false
}
