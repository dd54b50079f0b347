package store

// MigrationFS is migrationFS, for tests that step through migrations.
var MigrationFS = migrationFS
