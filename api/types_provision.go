package api

import "time"

// Wire types of bulk import (POST /v1/org/users/import/check and
// /v1/org/users/import) and of the SCIM tokens an admin gives an
// identity provider (/v1/org/scim/tokens).

// ImportColumns are the CSV import's known columns besides one per
// structure category (named by the category, holding an option's name).
// Only email is required; license is a license SKU.
var ImportColumns = []string{"email", "first_name", "last_name", "display_name", "license"}

// MaxImportRows is the most rows one import file may have.
const MaxImportRows = 10_000

// ImportProblem is one thing wrong in an import file: its line (1 is the
// header), the column and why.
type ImportProblem struct {
	Line   int     `json:"line"`
	Column string  `json:"column"`
	Reason *Reason `json:"reason"`
}

// ImportReport is the result of checking (or, with Created, importing) a
// CSV file: how many people it holds and every problem, by line.
type ImportReport struct {
	Rows     int             `json:"rows"`
	Problems []ImportProblem `json:"problems"`
	// Created is how many invitations an import sent; 0 for a check.
	Created int `json:"created"`
}

// SCIMToken is a bearer token an identity provider provisions with. Its
// secret is shown once, when it is created.
type SCIMToken struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	CreatedBy  string     `json:"created_by"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

// SCIMTokens is GET /v1/org/scim/tokens. Available is false when this
// server has no SCIM endpoint (the desktop app's embedded backend);
// Path is the endpoint's path, e.g. /scim/v2.
type SCIMTokens struct {
	Available bool        `json:"available"`
	Path      string      `json:"path"`
	Tokens    []SCIMToken `json:"tokens"`
}

// SCIMTokenCreated is the answer to POST /v1/org/scim/tokens (body: a
// NameRequest): the token and its secret, which is never shown again.
type SCIMTokenCreated struct {
	Token  SCIMToken `json:"token"`
	Secret string    `json:"secret"`
}
