-- People: invitations, deactivated accounts and organisations an operator
-- disabled. Same rules as 00001: one schema for SQLite and PostgreSQL, times
-- as Unix microseconds (0 = never), one ADD COLUMN per statement.

-- +goose Up
-- A deactivated user keeps their row, history and audit trail but can
-- neither sign in nor be authenticated by a token or API key.
ALTER TABLE users ADD COLUMN deactivated_at BIGINT NOT NULL DEFAULT 0;
-- A disabled organisation's members are all refused the same way.
ALTER TABLE orgs ADD COLUMN disabled_at BIGINT NOT NULL DEFAULT 0;

-- An admin's (or an operator's) invitation of someone by email. The link's
-- token is stored hashed; accepting deletes the row in the transaction that
-- creates the account, so a link works once. One invitation per address
-- across organisations, as an address names one account. license and
-- options (JSON: category ID -> option ID) are given to the new account;
-- owner makes it the organisation's owner and admin (organisations made by
-- an operator).
CREATE TABLE invitations (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    email        TEXT NOT NULL,
    email_norm   TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    license      TEXT NOT NULL DEFAULT '',
    options      TEXT NOT NULL DEFAULT '{}',
    owner        BOOLEAN NOT NULL DEFAULT FALSE,
    token_hash   TEXT NOT NULL UNIQUE,
    invited_by   TEXT NOT NULL,
    sent_count   INTEGER NOT NULL DEFAULT 1,
    created_at   BIGINT NOT NULL,
    sent_at      BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX invitations_org ON invitations (org_id, created_at);

-- +goose Down
DROP TABLE invitations;
ALTER TABLE orgs DROP COLUMN disabled_at;
ALTER TABLE users DROP COLUMN deactivated_at;
