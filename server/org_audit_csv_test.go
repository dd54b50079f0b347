package server

import (
	"bytes"
	"testing"
)

func TestCell(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"Ada Admin", "Ada Admin"},
		{"2026-12-06T05:00:00Z", "2026-12-06T05:00:00Z"},
		{"Jean-Luc +46", "Jean-Luc +46"}, // no cell starts at the - or +
		{"=1+1", "'=1+1"},
		{"+46701234567", "'+46701234567"},
		{"-5", "'-5"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t'=1"},
		{"\r=1", "'\r'=1"},
		{" =1+1", " '=1+1"},
		{`"=1+1"`, `"'=1+1"`},
		{"x;=1+1;", "x;'=1+1;"},
		{"x,=1+1,", "x,'=1+1,"},
		{"x; =1+1", "x; '=1+1"},
		{`x;"=1+1`, `x;"'=1+1`},
		{"x\n@A1", "x\n'@A1"},
		{"a;b,c", "a;b,c"},
		{"x;-1;+1;@1", "x;'-1;'+1;'@1"},
	} {
		if got := cell(tt.in); got != tt.want {
			t.Errorf("cell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCSVWriterQuotesEveryField(t *testing.T) {
	var b bytes.Buffer
	w := newCSVWriter(&b)
	w.Write("1", "", `say "hi"`, "x;=1")
	w.Write("a,b")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if want := "\"1\",\"\",\"say \"\"hi\"\"\",\"x;'=1\"\n\"a,b\"\n"; b.String() != want {
		t.Errorf("wrote %q, want %q", b.String(), want)
	}
}
