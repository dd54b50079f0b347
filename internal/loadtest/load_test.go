package loadtest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/phoneset/phoneset/internal/testenv"
	"github.com/phoneset/phoneset/server/servertest"
)

// TestLoadShort is the quick proof make test runs: 50 clients for 5 s on
// each database, with no 5xx and no lost write.
func TestLoadShort(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		if db == "postgres" {
			testenv.Require(t, servertest.PostgresEnv, "PostgreSQL")
		}
		runLoad(t, db, 50, 5*time.Second)
	})
}

// TestLoadFull is the 60 s × 200 clients scenario of make bench
// (scripts/bench-load.sh); it runs only with PHONESET_LOAD=1.
func TestLoadFull(t *testing.T) {
	if os.Getenv("PHONESET_LOAD") != "1" {
		t.Skip("set PHONESET_LOAD=1 to run 200 clients for 60 s per database")
	}
	eachDB(t, func(t *testing.T, db string) {
		if db == "postgres" {
			testenv.Require(t, servertest.PostgresEnv, "PostgreSQL")
		}
		runLoad(t, db, 200, 60*time.Second)
	})
}

func runLoad(t *testing.T, db string, clients int, d time.Duration) {
	b := newBackend(t, db, clients)
	r, err := New(Config{BaseURL: b.proc.URL(), Users: b.users})
	if err != nil {
		t.Fatal(err)
	}
	rep := r.Run(context.Background(), d)
	checkRun(t, r, rep, db, faults{})
}
