-- Two-factor sign-in (TOTP, RFC 6238).
--
-- second_factors holds a user's TOTP secret, sealed with the server's
-- secret (AES-GCM), never in the clear. confirmed_at is 0 while an
-- enrolment waits for its first code. last_step is the highest time step
-- (Unix time / 30 s) a code was accepted for: a code is only accepted for a
-- later step, so each is used once.
-- recovery_codes are single-use codes, stored as SHA-256 hashes.
-- trusted_devices are remembered devices (token hashes) that skip the
-- second factor until expires_at.
-- orgs.second_factor_policy: optional, admins or everyone.

-- +goose Up
CREATE TABLE second_factors (
    user_id       TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    secret_sealed TEXT NOT NULL,
    confirmed_at  BIGINT NOT NULL DEFAULT 0,
    last_step     BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL
);

CREATE TABLE recovery_codes (
    user_id   TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE trusted_devices (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX trusted_devices_user ON trusted_devices (user_id);

ALTER TABLE orgs ADD COLUMN second_factor_policy TEXT NOT NULL DEFAULT 'optional';
ALTER TABLE orgs ADD COLUMN second_factor_version BIGINT NOT NULL DEFAULT 1;

-- +goose Down
ALTER TABLE orgs DROP COLUMN second_factor_version;
ALTER TABLE orgs DROP COLUMN second_factor_policy;
DROP TABLE trusted_devices;
DROP TABLE recovery_codes;
DROP TABLE second_factors;
