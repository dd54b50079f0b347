package phonenumbers

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	upstream "github.com/nyaruka/phonenumbers"
)

// clone stands for proto.Merge into a new message: every field copied, none
// shared with the original, and an empty message for nil.
func TestClone(t *testing.T) {
	number, format := &PhoneNumber{}, &NumberFormat{}
	fillFields(reflect.ValueOf(number).Elem())
	fillFields(reflect.ValueOf(format).Elem())
	for _, tc := range []struct{ orig, copy any }{
		{number, number.clone()},
		{format, format.clone()},
		{&PhoneNumber{}, (*PhoneNumber)(nil).clone()},
		{&NumberFormat{}, (*NumberFormat)(nil).clone()},
	} {
		if !reflect.DeepEqual(tc.orig, tc.copy) {
			t.Errorf("clone of %+v is %+v", tc.orig, tc.copy)
		}
		o, c := reflect.ValueOf(tc.orig).Elem(), reflect.ValueOf(tc.copy).Elem()
		for i := range o.NumField() {
			if f := o.Field(i); !f.IsZero() && f.UnsafePointer() == c.Field(i).UnsafePointer() {
				t.Errorf("%T.%s is shared with the clone", tc.orig, o.Type().Field(i).Name)
			}
		}
	}
}

// fillFields sets every exported pointer field of the struct v to a value
// made from the field's name (its length for numbers) and gives every slice
// field one: a struct of this package and upstream's twin are filled alike.
func fillFields(v reflect.Value) {
	for _, sf := range reflect.VisibleFields(v.Type()) {
		if !sf.IsExported() {
			continue
		}
		f := v.FieldByIndex(sf.Index)
		elem := reflect.New(f.Type().Elem()).Elem()
		switch elem.Kind() {
		case reflect.String:
			elem.SetString(sf.Name)
		case reflect.Bool:
			elem.SetBool(true)
		case reflect.Int32:
			elem.SetInt(int64(len(sf.Name)))
		case reflect.Uint64:
			elem.SetUint(uint64(len(sf.Name)))
		}
		if f.Kind() == reflect.Slice {
			f.Set(reflect.Append(f, elem))
		} else {
			f.Set(elem.Addr())
		}
	}
}

// The getters must give what upstream's generated ones give: the proto2
// defaults for a nil or empty message (NumberOfLeadingZeros is 1), the
// values once set, and every upstream getter must be here.
func TestGettersLikeUpstream(t *testing.T) {
	for _, pair := range [][2]any{
		{&PhoneNumber{}, &upstream.PhoneNumber{}},
		{&NumberFormat{}, &upstream.NumberFormat{}},
		{&PhoneNumberDesc{}, &upstream.PhoneNumberDesc{}},
		{&PhoneMetadata{}, &upstream.PhoneMetadata{}},
		{&PhoneMetadataCollection{}, &upstream.PhoneMetadataCollection{}},
	} {
		ours, theirs := reflect.ValueOf(pair[0]), reflect.ValueOf(pair[1])
		filledOurs, filledTheirs := reflect.New(ours.Type().Elem()), reflect.New(theirs.Type().Elem())
		fillFields(filledOurs.Elem())
		fillFields(filledTheirs.Elem())
		for i := range theirs.NumMethod() {
			name := theirs.Type().Method(i).Name
			if !strings.HasPrefix(name, "Get") {
				continue
			}
			m := ours.MethodByName(name)
			if !m.IsValid() {
				t.Errorf("%T has no %s", pair[0], name)
				continue
			}
			if k := m.Type().Out(0).Kind(); k == reflect.Pointer || k == reflect.Slice && m.Type().Out(0).Elem().Kind() == reflect.Pointer {
				continue // messages: upstream's print their protobuf state too
			}
			for _, recv := range [][2]reflect.Value{
				{reflect.Zero(ours.Type()), reflect.Zero(theirs.Type())},
				{ours, theirs},
				{filledOurs, filledTheirs},
			} {
				got := fmt.Sprint(recv[0].MethodByName(name).Call(nil)[0])
				want := fmt.Sprint(recv[1].MethodByName(name).Call(nil)[0])
				if got != want {
					t.Errorf("(%T).%s() = %s, upstream %s", recv[0].Interface(), name, got, want)
				}
			}
		}
	}
	for _, v := range []int32{0, 1, 5, 10, 20, 3} {
		if got, want := PhoneNumber_CountryCodeSource(v).String(), upstream.PhoneNumber_CountryCodeSource(v).String(); got != want {
			t.Errorf("CountryCodeSource(%d) is %q, upstream %q", v, got, want)
		}
	}
}
