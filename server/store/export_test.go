package store

// Test hooks for the external tests: the parser and the spelled migration
// files, so goose itself can migrate a database to compare with.
var (
	ParseMigration = parseMigration
	Spell          = spell
	MigrationFiles = migrationFiles
)

// Statements returns m's statements, for tests.
func (m migration) Statements() []string { return m.stmts }
