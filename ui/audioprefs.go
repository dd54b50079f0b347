package ui

import (
	"encoding/json"

	"fyne.io/fyne/v2"

	"github.com/phoneset/phoneset/audio"
)

// audioPrefsKey is where device preferences live in the app's preferences.
const audioPrefsKey = "audio.devices"

// AppPrefsStore keeps device preferences in Fyne's preferences as JSON:
// they belong to this computer, not to the account.
type AppPrefsStore struct{ P fyne.Preferences }

// Load returns the stored preferences; none (or unreadable ones) mean the
// system defaults.
func (s AppPrefsStore) Load() audio.Prefs {
	var p audio.Prefs
	if raw := s.P.String(audioPrefsKey); raw != "" {
		if err := json.Unmarshal([]byte(raw), &p); err != nil {
			fyne.LogError("device preferences unreadable; using system defaults", err)
			return audio.Prefs{}
		}
	}
	return p
}

// Save stores p.
func (s AppPrefsStore) Save(p audio.Prefs) {
	raw, err := json.Marshal(p)
	if err != nil {
		fyne.LogError("device preferences", err)
		return
	}
	s.P.SetString(audioPrefsKey, string(raw))
}
