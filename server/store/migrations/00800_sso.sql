-- Single sign-on (OpenID Connect): an organisation's provider, the email
-- domains that sign in through it, the provider identities linked to
-- accounts, and sign-ins under way (each consumed once, by its state).

-- +goose Up
CREATE TABLE org_sso (
    org_id        TEXT PRIMARY KEY REFERENCES orgs(id) ON DELETE CASCADE,
    enabled       BOOLEAN NOT NULL DEFAULT FALSE,
    issuer        TEXT NOT NULL DEFAULT '',
    client_id     TEXT NOT NULL DEFAULT '',
    -- sealed with the server secret (AES-256-GCM), never sent back
    client_secret TEXT NOT NULL DEFAULT '',
    sso_only      BOOLEAN NOT NULL DEFAULT FALSE,
    just_in_time  BOOLEAN NOT NULL DEFAULT FALSE,
    version       BIGINT NOT NULL DEFAULT 1
);

-- A domain belongs to one organisation: it picks the provider at sign-in.
CREATE TABLE sso_domains (
    domain TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE
);
CREATE INDEX sso_domains_org ON sso_domains (org_id);

CREATE TABLE sso_identities (
    issuer     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX sso_identities_user ON sso_identities (user_id);

CREATE TABLE sso_logins (
    state_hash    TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    nonce         TEXT NOT NULL,
    challenge     TEXT NOT NULL,
    redirect_uri  TEXT NOT NULL,
    expires_at    BIGINT NOT NULL
);

-- +goose Down
DROP TABLE sso_logins;
DROP TABLE sso_identities;
DROP TABLE sso_domains;
DROP TABLE org_sso;
