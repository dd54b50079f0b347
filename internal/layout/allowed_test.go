package layout

// allowed is, for every package of this module (by its path in the module),
// what it may import directly apart from the standard library: our packages
// by path, other modules by their root, "C" for cgo. Test files are not
// counted. A new import is a new row entry: TestImportsFollowTable prints the
// row to write, and TestTableFollowsDesign checks the row against the arrows.
var allowed = map[string][]string{
	"account":                      {"api", "api/client", "github.com/zalando/go-keyring"},
	"api":                          {"github.com/nyaruka/phonenumbers", "golang.org/x/text", "third_party/zxcvbn"},
	"api/client":                   {"api", "github.com/go-resty/resty/v2"},
	"assets":                       {},
	"audio":                        {"github.com/gen2brain/malgo"},
	"audio/internal/gen":           {"audio"},
	"cmd/phoneset":                 {"account", "api/client", "assets", "audio", "fyne.io/fyne/v2", "internal/userdir", "server/embedded", "ui"},
	"cmd/phoneset-server":          {"server", "server/mail"},
	"e2e":                          {},
	"internal/layout":              {},
	"internal/loadtest":            {"api", "server", "server/store"},
	"internal/testenv":             {},
	"internal/userdir":             {},
	"packaging":                    {},
	"photo":                        {"C", "github.com/clipperhouse/uax29/v2", "github.com/disintegration/imaging", "golang.org/x/image", "golang.org/x/text"},
	"photo/internal/photobench":    {"photo", "photo/internal/synth"},
	"photo/internal/synth":         {},
	"server":                       {"api", "golang.org/x/crypto", "golang.org/x/sync", "photo", "server/mail", "server/store"},
	"server/embedded":              {"server", "server/mail"},
	"server/mail":                  {},
	"server/servertest":            {"github.com/jackc/pgx/v5", "internal/testenv", "server"},
	"server/store":                 {"api", "github.com/jackc/pgx/v5", "github.com/pressly/goose/v3", "modernc.org/sqlite"},
	"third_party/zxcvbn":           {"github.com/ccojocar/zxcvbn-go", "third_party/zxcvbn/matching", "third_party/zxcvbn/scoring"},
	"third_party/zxcvbn/adjacency": {"github.com/ccojocar/zxcvbn-go"},
	"third_party/zxcvbn/entropy":   {"github.com/ccojocar/zxcvbn-go", "third_party/zxcvbn/adjacency"},
	"third_party/zxcvbn/frequency": {"github.com/ccojocar/zxcvbn-go"},
	"third_party/zxcvbn/matching":  {"github.com/ccojocar/zxcvbn-go", "third_party/zxcvbn/adjacency", "third_party/zxcvbn/entropy", "third_party/zxcvbn/frequency"},
	"third_party/zxcvbn/scoring":   {"github.com/ccojocar/zxcvbn-go", "third_party/zxcvbn/entropy"},
	"tools/benchbare":              {"fyne.io/fyne/v2"},
	"tools/firstframe":             {},
	"ui":                           {"account", "api", "api/client", "assets", "audio", "fyne.io/fyne/v2", "github.com/disintegration/imaging", "photo", "ui/widgets"},
	"ui/widgets":                   {"fyne.io/fyne/v2", "photo"},
}
