-- Provisioning from identity providers (SCIM 2.0) and bulk import.
--
-- scim_tokens: an organisation's bearer tokens for its identity provider,
-- stored as SHA-256 hashes (the secret is shown once). A revoked token
-- keeps its row, so the audit log's actor ID still names something.
--
-- users.scim_user_name is the userName the identity provider gave (often
-- a UPN like ann@example.com, which our usernames cannot hold); empty for
-- people made in Phoneset, whose SCIM userName is their username.
-- users.scim_external_id is the provider's externalId.

-- +goose Up
CREATE TABLE scim_tokens (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    token_hash      TEXT NOT NULL UNIQUE,
    created_by      TEXT NOT NULL,
    created_by_name TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    last_used_at    BIGINT NOT NULL DEFAULT 0,
    revoked_at      BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX scim_tokens_org ON scim_tokens (org_id);
ALTER TABLE users ADD COLUMN scim_user_name TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN scim_user_name_norm TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN scim_external_id TEXT NOT NULL DEFAULT '';
CREATE INDEX users_scim_user_name ON users (org_id, scim_user_name_norm);

-- +goose Down
DROP INDEX users_scim_user_name;
ALTER TABLE users DROP COLUMN scim_external_id;
ALTER TABLE users DROP COLUMN scim_user_name_norm;
ALTER TABLE users DROP COLUMN scim_user_name;
DROP INDEX scim_tokens_org;
DROP TABLE scim_tokens;
