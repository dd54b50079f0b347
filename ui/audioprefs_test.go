package ui

import (
	"reflect"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/phoneset/phoneset/audio"
)

func TestAppPrefsStoreRoundTrip(t *testing.T) {
	setup(t)
	s := AppPrefsStore{fyne.CurrentApp().Preferences()}
	if got := s.Load(); !reflect.DeepEqual(got, audio.Prefs{}) {
		t.Fatalf("empty store gave %+v", got)
	}
	want := audio.Prefs{}.Prefer(audio.Microphone, audio.Device{Kind: audio.Capture, Backend: "pulse", ID: "0a1b", Name: "USB Headset"})
	s.Save(want)
	if got := s.Load(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Load = %+v, want %+v", got, want)
	}
	fyne.CurrentApp().Preferences().SetString(audioPrefsKey, "{not json")
	if got := s.Load(); !reflect.DeepEqual(got, audio.Prefs{}) {
		t.Fatalf("corrupt preferences gave %+v, want system defaults", got)
	}
}
