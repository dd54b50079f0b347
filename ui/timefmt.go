package ui

import (
	"time"

	"github.com/phoneset/phoneset/api"
)

// userZone is where the user's times are shown: their own time zone, else
// the organisation's, else the computer's.
func userZone(me api.Me) *time.Location {
	for _, name := range []string{me.Profile.TimeZone, me.Org.TimeZone} {
		if name == "" {
			continue
		}
		if loc, err := time.LoadLocation(name); err == nil {
			return loc
		}
	}
	return time.Local
}

// zoneFunc gives the zone to show times in, read when they are shown.
type zoneFunc func() *time.Location

func (z zoneFunc) stamp(t time.Time) string { return t.In(z()).Format("2006-01-02 15:04") }
func (z zoneFunc) date(t time.Time) string  { return t.In(z()).Format("2 January 2006") }
