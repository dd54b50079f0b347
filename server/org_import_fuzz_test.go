package server

import (
	"testing"

	"github.com/phoneset/phoneset/api"
)

// FuzzImportCSV feeds parseImport any file: it must not panic, every
// problem names a line of the file, and every row it passes has an
// address that validates.
func FuzzImportCSV(f *testing.F) {
	for _, seed := range []string{
		"email,first_name,last_name,display_name,license,Office\nann@example.com,Ann,Berg,,pro,Malmö\n",
		"\uFEFFemail;Office\nbo@example.com;Stockholm\n",
		"email\n\"q\"\"uote@example.com\"\n\"open\n",
		"email,email\n",
		"email\n=1+1@example.com\n\n,\n",
	} {
		f.Add([]byte(seed), 1)
	}
	book := &importBook{
		categories: map[string]api.Category{"office": {ID: "cat", Name: "Office",
			Options: []api.CategoryOption{{ID: "o1", Name: "Stockholm"}, {ID: "o2", Name: "Malmö"}}}},
		licenses: map[string]api.LicenseCount{"pro": {SKU: "pro", Name: "Pro", Unassigned: 3}},
	}
	f.Fuzz(func(t *testing.T, body []byte, firstLine int) {
		if firstLine < 1 || firstLine > 1_000_000 {
			firstLine = 1
		}
		rows, probs := parseImport(body, firstLine, book)
		if len(rows) > api.MaxImportRows {
			t.Fatalf("%d rows", len(rows))
		}
		for _, p := range probs {
			if p.Line < firstLine || p.Reason == nil || api.ReasonText(p.Reason.Code) == "" {
				t.Fatalf("problem %+v", p)
			}
		}
		for _, r := range rows {
			if !r.bad && api.ValidateEmail(r.email) != nil {
				t.Fatalf("row %+v passed", r)
			}
		}
	})
}
