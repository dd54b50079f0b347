package phonenumbers_test

import (
	"slices"
	"testing"

	upstream "github.com/nyaruka/phonenumbers"

	"github.com/phoneset/phoneset/third_party/phonenumbers"
)

// The fork only loads its metadata later and leaves out geocoding, carriers,
// time zones and short numbers: for every region's example numbers and for
// hand-picked input it must parse, check and format as upstream does.
func TestBehavesLikeUpstream(t *testing.T) {
	inputs := []struct{ number, region string }{
		{"+46 70-123 45 67", "ZZ"},
		{"+46701234567", "ZZ"},
		{"070-123 45 67", "SE"},
		{"08-123 456 78", "SE"},
		{"+1 (650) 253-0000 ext. 123", "ZZ"},
		{"+44 20 7946 0958", "ZZ"},
		{"+49 1512 3456789", "ZZ"},
		{"+800 1234 5678", "ZZ"}, // non-geographical
		{"+881 6 1234 5678", "ZZ"},
		{"+91 98765 43210", "ZZ"},
		{"+46 900 123 45", "ZZ"}, // premium rate
		{"tel:+46-70-123-45-67", "ZZ"},
		{"+46 70 12", "ZZ"},     // too short
		{"+999 1234", "ZZ"},     // no such country
		{"1-800-FLOWERS", "US"}, // letters
		{"+٤٦٧٠١٢٣٤٥٦٧", "ZZ"},  // Arabic-Indic digits
		{"０７０-１２３ ４５ ６７", "SE"}, // full-width digits
		{"", "ZZ"},
		{"abc", "ZZ"},
	}
	regions := sortedKeys(upstream.GetSupportedRegions())
	if got := sortedKeys(phonenumbers.GetSupportedRegions()); !slices.Equal(got, regions) {
		t.Fatalf("supported regions differ: %d in the fork, %d upstream", len(got), len(regions))
	}
	for _, region := range regions {
		for typ := upstream.FIXED_LINE; typ <= upstream.VOICEMAIL; typ++ {
			if n := upstream.GetExampleNumberForType(region, typ); n != nil {
				inputs = append(inputs,
					struct{ number, region string }{upstream.Format(n, upstream.E164), "ZZ"},
					struct{ number, region string }{upstream.Format(n, upstream.NATIONAL), region})
			}
		}
	}
	for _, in := range inputs {
		got, want := describe(in.number, in.region), describeUpstream(in.number, in.region)
		if got != want {
			t.Errorf("%q in %s:\n fork     %+v\n upstream %+v", in.number, in.region, got, want)
		}
	}
	t.Logf("%d regions, %d numbers", len(regions), len(inputs))
}

type result struct {
	err                                   string
	valid, possible                       bool
	typ                                   int
	region, e164, intl, national, rfc3966 string
}

func describe(number, region string) result {
	n, err := phonenumbers.Parse(number, region)
	if err != nil {
		return result{err: err.Error()}
	}
	return result{
		valid:    phonenumbers.IsValidNumber(n),
		possible: phonenumbers.IsPossibleNumber(n),
		typ:      int(phonenumbers.GetNumberType(n)),
		region:   phonenumbers.GetRegionCodeForNumber(n),
		e164:     phonenumbers.Format(n, phonenumbers.E164),
		intl:     phonenumbers.Format(n, phonenumbers.INTERNATIONAL),
		national: phonenumbers.Format(n, phonenumbers.NATIONAL),
		rfc3966:  phonenumbers.Format(n, phonenumbers.RFC3966),
	}
}

func describeUpstream(number, region string) result {
	n, err := upstream.Parse(number, region)
	if err != nil {
		return result{err: err.Error()}
	}
	return result{
		valid:    upstream.IsValidNumber(n),
		possible: upstream.IsPossibleNumber(n),
		typ:      int(upstream.GetNumberType(n)),
		region:   upstream.GetRegionCodeForNumber(n),
		e164:     upstream.Format(n, upstream.E164),
		intl:     upstream.Format(n, upstream.INTERNATIONAL),
		national: upstream.Format(n, upstream.NATIONAL),
		rfc3966:  upstream.Format(n, upstream.RFC3966),
	}
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
