package phonenumbers

import (
	"fmt"
	"os/exec"
	"reflect"
	"slices"
	"strings"
	"testing"

	upstream "github.com/nyaruka/phonenumbers"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

func embeddedMetadata(t testing.TB) []byte {
	raw, err := decodeUnzip(numberData)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestDecodeKnownValues(t *testing.T) {
	coll, err := decodeMetadata(embeddedMetadata(t))
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*PhoneMetadata{}
	for _, m := range coll.GetMetadata() {
		byID[m.GetId()] = m
	}
	gb, us, se := byID["GB"], byID["US"], byID["SE"]
	for _, tc := range []struct {
		name      string
		got, want any
	}{
		{"GB country code", gb.GetCountryCode(), int32(44)},
		{"GB national prefix for parsing", gb.GetNationalPrefixForParsing(), "0|180020"},
		{"GB main country for 44", gb.GetMainCountryForCode(), true},
		{"GB possible lengths", gb.GetGeneralDesc().GetPossibleLength(), []int32{7, 9, 10}},
		{"GB mobile example", gb.GetMobile().GetExampleNumber(), "7400123456"},
		{"GB first format's leading digits", gb.GetNumberFormat()[0].GetLeadingDigitsPattern(), []string{"800", "8001", "80011", "800111", "8001111"}},
		{"GB first format's national rule", gb.GetNumberFormat()[0].GetNationalPrefixFormattingRule(), "0$1"},
		{"US national prefix", us.GetNationalPrefix(), "1"},
		{"US international prefix", us.GetInternationalPrefix(), "011"},
		{"US first format", us.GetNumberFormat()[0].GetFormat(), "$1-$2"},
		{"US first format's prefix is optional", us.GetNumberFormat()[0].GetNationalPrefixOptionalWhenFormatting(), true},
		{"SE country code", se.GetCountryCode(), int32(46)},
		{"SE is not main for 46 (unset: the default)", se.GetMainCountryForCode(), false},
		{"SE second format's leading digits", se.GetNumberFormat()[1].GetLeadingDigitsPattern(), []string{"9(?:00|39|44|9)"}},
		{"regions and non-geographical entities", len(coll.GetMetadata()), 254},
	} {
		if !reflect.DeepEqual(tc.got, tc.want) {
			t.Errorf("%s: %#v, want %#v", tc.name, tc.got, tc.want)
		}
	}
}

// The decoder must read the embedded metadata exactly as proto.Unmarshal
// reads it into upstream's generated types, every field of every region.
func TestDecodeMatchesProtoUnmarshal(t *testing.T) {
	got, want := decodeBoth(t, embeddedMetadata(t))
	if got == nil {
		t.Fatal("the embedded metadata does not decode")
	}
	if len(want.GetMetadata()) < 250 {
		t.Fatalf("upstream decodes only %d regions", len(want.GetMetadata()))
	}
}

// The embedded data may not use every field, so each field of PhoneMetadata
// is set alone (messages in it with all their fields, every value different)
// and encoded with proto.Marshal: a field read under the wrong number, or
// into the wrong field, shows up as a difference.
func TestDecodeReadsEveryField(t *testing.T) {
	fields := (&upstream.PhoneMetadata{}).ProtoReflect().Descriptor().Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		t.Run(string(fd.Name()), func(t *testing.T) {
			m := &upstream.PhoneMetadata{Id: proto.String("XX")}
			seed := int32(0)
			setField(m.ProtoReflect(), fd, &seed)
			b, err := proto.Marshal(&upstream.PhoneMetadataCollection{Metadata: []*upstream.PhoneMetadata{m}})
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := decodeBoth(t, b); got == nil {
				t.Fatal("does not decode")
			}
		})
	}
}

func setField(m protoreflect.Message, fd protoreflect.FieldDescriptor, seed *int32) {
	if fd.IsList() {
		l := m.Mutable(fd).List()
		l.Append(testValue(fd, l.NewElement, seed))
		l.Append(testValue(fd, l.NewElement, seed))
		return
	}
	m.Set(fd, testValue(fd, func() protoreflect.Value { return m.NewField(fd) }, seed))
}

// testValue is a value for fd unlike any other in the message: numbers and
// strings count up, bools are true (false is the default), a message has all
// its fields set.
func testValue(fd protoreflect.FieldDescriptor, newMessage func() protoreflect.Value, seed *int32) protoreflect.Value {
	*seed++
	switch fd.Kind() {
	case protoreflect.StringKind:
		return protoreflect.ValueOfString(fmt.Sprint("s", *seed))
	case protoreflect.Int32Kind:
		return protoreflect.ValueOfInt32(*seed)
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(true)
	case protoreflect.MessageKind:
		v := newMessage()
		fields := v.Message().Descriptor().Fields()
		for i := range fields.Len() {
			setField(v.Message(), fields.Get(i), seed)
		}
		return v
	}
	panic(fmt.Sprintf("no test value for %s", fd.Kind()))
}

// wire builds protobuf input by hand, for what proto.Marshal never writes.
type wire []byte

func (w wire) varint(num protowire.Number, v uint64) wire {
	return protowire.AppendVarint(protowire.AppendTag(w, num, protowire.VarintType), v)
}

func (w wire) bytes(num protowire.Number, v []byte) wire {
	return protowire.AppendBytes(protowire.AppendTag(w, num, protowire.BytesType), v)
}

func (w wire) str(num protowire.Number, v string) wire { return w.bytes(num, []byte(v)) }

// region is a collection of one PhoneMetadata with id "XX" and fields.
func region(fields wire) []byte {
	return wire{}.bytes(1, wire{}.str(9, "XX").append(fields))
}

func (w wire) append(v wire) wire { return append(w, v...) }

func packed(vs ...uint64) []byte {
	var b []byte
	for _, v := range vs {
		b = protowire.AppendVarint(b, v)
	}
	return b
}

var wireCases = []struct {
	name    string
	in      []byte
	wantErr bool
	check   func(*PhoneMetadata) bool
}{
	{name: "empty", in: nil},
	{
		name: "lengths one by one",
		in:   region(wire{}.bytes(1, wire{}.varint(9, 7).varint(9, 10))),
		check: func(m *PhoneMetadata) bool {
			return slices.Equal(m.GetGeneralDesc().GetPossibleLength(), []int32{7, 10})
		},
	},
	{
		name: "lengths packed",
		in:   region(wire{}.bytes(1, wire{}.bytes(9, packed(7, 10)).bytes(10, packed(5)))),
		check: func(m *PhoneMetadata) bool {
			return slices.Equal(m.GetGeneralDesc().GetPossibleLength(), []int32{7, 10})
		},
	},
	{
		name: "lengths packed and not",
		in:   region(wire{}.bytes(1, wire{}.varint(9, 6).bytes(9, packed(7, 10)).bytes(9, nil).varint(9, 12))),
		check: func(m *PhoneMetadata) bool {
			return slices.Equal(m.GetGeneralDesc().GetPossibleLength(), []int32{6, 7, 10, 12})
		},
	},
	{
		name: "unknown fields are skipped",
		in: region(wire{}.varint(14, 1).str(99, "x").
			append(protowire.AppendFixed32(protowire.AppendTag(nil, 100, protowire.Fixed32Type), 1)).
			append(protowire.AppendTag(protowire.AppendTag(nil, 101, protowire.StartGroupType), 101, protowire.EndGroupType)).
			varint(10, 44)),
		check: func(m *PhoneMetadata) bool { return m.GetCountryCode() == 44 },
	},
	{
		name:  "a known field of another wire type is skipped",
		in:    region(wire{}.str(10, "44").varint(12, 0).bytes(1, wire{}.str(9, "7"))),
		check: func(m *PhoneMetadata) bool { return m.CountryCode == nil && m.NationalPrefix == nil },
	},
	{
		name: "the last value wins",
		in:   region(wire{}.varint(10, 1).varint(10, 44).varint(22, 1).varint(22, 0)),
		check: func(m *PhoneMetadata) bool {
			return m.GetCountryCode() == 44 && m.MainCountryForCode != nil && !*m.MainCountryForCode
		},
	},
	{
		name: "a message seen twice is merged",
		in:   region(wire{}.bytes(3, wire{}.str(2, "7\\d{9}")).bytes(3, wire{}.varint(9, 10))),
		check: func(m *PhoneMetadata) bool {
			return m.GetMobile().GetNationalNumberPattern() == "7\\d{9}" && slices.Equal(m.GetMobile().GetPossibleLength(), []int32{10})
		},
	},
	{
		name:  "int32 keeps the low 32 bits",
		in:    region(wire{}.varint(10, 1<<32+1<<20+44)),
		check: func(m *PhoneMetadata) bool { return m.GetCountryCode() == 1<<20+44 },
	},
	{
		name:  "negative int32",
		in:    region(wire{}.bytes(1, wire{}.varint(9, uint64(0xffffffff_fffffffb)))),
		check: func(m *PhoneMetadata) bool { return slices.Equal(m.GetGeneralDesc().GetPossibleLength(), []int32{-5}) },
	},
	{name: "no id", in: wire{}.bytes(1, wire{}.varint(10, 44)), wantErr: true},
	{name: "format without pattern", in: region(wire{}.bytes(19, wire{}.str(2, "$1"))), wantErr: true},
	{name: "format without format", in: region(wire{}.bytes(20, wire{}.str(1, "(\\d+)"))), wantErr: true},
	{name: "truncated tag", in: []byte{0x80}, wantErr: true},
	{name: "length past the end", in: []byte{0x0a, 0x05, 0x4a}, wantErr: true},
	{name: "varint of 11 bytes", in: region(append(protowire.AppendTag(nil, 10, protowire.VarintType), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01)), wantErr: true},
	{name: "broken packed run", in: region(wire{}.bytes(1, wire{}.bytes(9, []byte{0x87}))), wantErr: true},
	{name: "field number 0", in: []byte{0x02, 0x00}, wantErr: true},
	{name: "field number above the largest", in: region(protowire.AppendVarint(protowire.AppendTag(nil, protowire.MaxValidNumber+1, protowire.VarintType), 1)), wantErr: true},
	{name: "end of a group never started", in: protowire.AppendTag(nil, 5, protowire.EndGroupType), wantErr: true},
	{name: "reserved wire type", in: []byte{0x0e, 0x00}, wantErr: true},
	{name: "a broken region", in: wire{}.bytes(1, []byte{0x0a, 0x09}), wantErr: true},
}

func TestDecodeWire(t *testing.T) {
	for _, tc := range wireCases {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := decodeBoth(t, tc.in)
			if (got == nil) != tc.wantErr {
				t.Fatalf("decoded %v, want error %v", got != nil, tc.wantErr)
			}
			if tc.check != nil && (len(got.GetMetadata()) != 1 || !tc.check(got.GetMetadata()[0])) {
				t.Errorf("decoded %+v", got.GetMetadata())
			}
		})
	}
}

// The decoder must never panic, and must agree with proto.Unmarshal into
// upstream's types on whatever input: the same error or no error, the same
// values. The seeds are the embedded metadata, one region at a time: the
// fuzzer mutates (and minimizes) a 190 KB input thousands of times slower.
func FuzzDecodeMetadata(f *testing.F) {
	for b := embeddedMetadata(f); len(b) > 0; {
		_, _, n := protowire.ConsumeField(b)
		if n < 0 {
			f.Fatal(protowire.ParseError(n))
		}
		f.Add(b[:n])
		b = b[n:]
	}
	for _, tc := range wireCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, b []byte) { decodeBoth(t, b) })
}

// decodeBoth decodes b with decodeMetadata and with proto.Unmarshal into
// upstream's types and reports where they disagree. got is nil if the
// decoder failed.
func decodeBoth(t testing.TB, b []byte) (got *PhoneMetadataCollection, want *upstream.PhoneMetadataCollection) {
	t.Helper()
	got, err := decodeMetadata(b)
	want = &upstream.PhoneMetadataCollection{}
	wantErr := proto.Unmarshal(b, want)
	if (err == nil) != (wantErr == nil) {
		t.Fatalf("decoder's error %v, proto.Unmarshal's %v", err, wantErr)
	}
	if err != nil {
		return nil, nil
	}
	for _, d := range diff("metadata", reflect.ValueOf(got), reflect.ValueOf(want)) {
		t.Error(d)
	}
	return got, want
}

// diff lists where got (this package's types) and want (upstream's generated
// ones) differ, field by field by name; both must have the same exported
// fields.
func diff(path string, got, want reflect.Value) []string {
	if got.Kind() != want.Kind() {
		return []string{fmt.Sprintf("%s: a %s here, a %s upstream", path, got.Type(), want.Type())}
	}
	switch want.Kind() {
	case reflect.Pointer:
		if got.IsNil() || want.IsNil() {
			if got.IsNil() != want.IsNil() {
				return []string{fmt.Sprintf("%s: set %v here, %v upstream", path, !got.IsNil(), !want.IsNil())}
			}
			return nil
		}
		return diff(path, got.Elem(), want.Elem())
	case reflect.Slice:
		if got.Len() != want.Len() {
			return []string{fmt.Sprintf("%s: %d values here, %d upstream", path, got.Len(), want.Len())}
		}
		var out []string
		for i := range want.Len() {
			out = append(out, diff(fmt.Sprintf("%s[%d]", path, i), got.Index(i), want.Index(i))...)
		}
		return out
	case reflect.Struct:
		if id := want.FieldByName("Id"); id.IsValid() && !id.IsNil() {
			path += "(" + id.Elem().String() + ")"
		}
		var out []string
		for _, f := range reflect.VisibleFields(got.Type()) {
			if _, ok := want.Type().FieldByName(f.Name); !ok {
				out = append(out, fmt.Sprintf("%s.%s: not upstream", path, f.Name))
			}
		}
		for _, f := range reflect.VisibleFields(want.Type()) {
			if !f.IsExported() {
				continue
			}
			g := got.FieldByName(f.Name)
			if !g.IsValid() {
				out = append(out, fmt.Sprintf("%s.%s: only upstream", path, f.Name))
				continue
			}
			out = append(out, diff(path+"."+f.Name, g, want.FieldByIndex(f.Index))...)
		}
		return out
	}
	if g, w := fmt.Sprint(got), fmt.Sprint(want); g != w {
		return []string{fmt.Sprintf("%s: %q here, %q upstream", path, g, w)}
	}
	return nil
}

// TestDiffSeesDifferences shows diff is not blind: a changed value, a
// missing message and an extra list entry are each reported.
func TestDiffSeesDifferences(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*PhoneMetadata)
	}{
		{"value", func(m *PhoneMetadata) { m.CountryCode = ptr(m.GetCountryCode() + 1) }},
		{"message", func(m *PhoneMetadata) { m.GeneralDesc = nil }},
		{"list", func(m *PhoneMetadata) { m.NumberFormat = append(m.NumberFormat, &NumberFormat{}) }},
		{"bool", func(m *PhoneMetadata) { m.LeadingZeroPossible = ptr(false) }},
	} {
		b := embeddedMetadata(t)
		want := &upstream.PhoneMetadataCollection{}
		if err := proto.Unmarshal(b, want); err != nil {
			t.Fatal(err)
		}
		got, err := decodeMetadata(b)
		if err != nil {
			t.Fatal(err)
		}
		tc.change(got.Metadata[len(got.Metadata)/2])
		if d := diff("metadata", reflect.ValueOf(got), reflect.ValueOf(want)); len(d) != 1 {
			t.Errorf("%s: changed one thing, diff says %q", tc.name, d)
		}
	}
}

// The point of the decoder: the package links protowire, not the protobuf
// runtime (protowire's own two small imports are fine).
func TestLinksOnlyProtowire(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	allowed := []string{
		"google.golang.org/protobuf/encoding/protowire",
		"google.golang.org/protobuf/internal/errors",
		"google.golang.org/protobuf/internal/detrand",
	}
	n := 0
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "google.golang.org/protobuf/") {
			n++
			if !slices.Contains(allowed, pkg) {
				t.Errorf("links %s", pkg)
			}
		}
	}
	if n == 0 {
		t.Error("links no protobuf package at all: is the listing right?")
	}
}
