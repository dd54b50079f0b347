-- One schema for SQLite and PostgreSQL. ${IDENTITY} and ${BLOB} are the only
-- dialect-specific spellings; store.spell fills them in. Times are Unix
-- microseconds in BIGINT columns so both databases compare them the same way.
--
-- Every UPDATE of a users row bumps users.rev, and every change to an org or
-- its reason codes bumps orgs.version: GET /v1/me is cached on (rev, version).

-- +goose Up
CREATE TABLE orgs (
    id                    TEXT PRIMARY KEY,
    display_name          TEXT NOT NULL,
    time_zone             TEXT NOT NULL,
    language              TEXT NOT NULL,
    members_choose_avatar BOOLEAN NOT NULL DEFAULT TRUE,
    members_choose_cover  BOOLEAN NOT NULL DEFAULT TRUE,
    members_change_email  BOOLEAN NOT NULL DEFAULT TRUE,
    plan_name             TEXT NOT NULL DEFAULT '',
    cycle_day             INTEGER NOT NULL DEFAULT 1,
    version               BIGINT NOT NULL DEFAULT 1,
    created_at            BIGINT NOT NULL
);

CREATE TABLE plan_limits (
    org_id    TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    metric    TEXT NOT NULL,
    max_value BIGINT NOT NULL,
    PRIMARY KEY (org_id, metric)
);

CREATE TABLE reason_codes (
    org_id     TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    code       TEXT NOT NULL,
    label      TEXT NOT NULL,
    retired    BOOLEAN NOT NULL DEFAULT FALSE,
    sort_order INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, code)
);

CREATE TABLE users (
    id                    TEXT PRIMARY KEY,
    org_id                TEXT NOT NULL REFERENCES orgs(id),
    rev                   BIGINT NOT NULL DEFAULT 1,
    username              TEXT NOT NULL,
    username_norm         TEXT NOT NULL UNIQUE,
    email                 TEXT NOT NULL,
    email_norm            TEXT NOT NULL UNIQUE,
    password_hash         TEXT NOT NULL,
    password_changed_at   BIGINT NOT NULL,
    first_name            TEXT NOT NULL DEFAULT '',
    last_name             TEXT NOT NULL DEFAULT '',
    display_name          TEXT NOT NULL,
    language              TEXT NOT NULL,
    time_zone             TEXT NOT NULL,
    mobile                TEXT NOT NULL DEFAULT '',
    fixed_number          TEXT NOT NULL DEFAULT '',
    hide_mobile           BOOLEAN NOT NULL DEFAULT FALSE,
    hide_fixed            BOOLEAN NOT NULL DEFAULT FALSE,
    pending_email         TEXT NOT NULL DEFAULT '',
    pending_mobile        TEXT NOT NULL DEFAULT '',
    admin_info            TEXT NOT NULL DEFAULT '[]',
    extra_info            TEXT NOT NULL DEFAULT '[]',
    profile_version       BIGINT NOT NULL DEFAULT 1,
    availability          TEXT NOT NULL DEFAULT 'offline',
    reason_code           TEXT NOT NULL DEFAULT '',
    status_changed_by     TEXT NOT NULL DEFAULT '',
    status_changed_by_name TEXT NOT NULL DEFAULT '',
    status_changed_at     BIGINT NOT NULL DEFAULT 0,
    status_version        BIGINT NOT NULL DEFAULT 1,
    notify_missed_calls   BOOLEAN NOT NULL DEFAULT FALSE,
    notify_voicemails     BOOLEAN NOT NULL DEFAULT FALSE,
    notifications_version BIGINT NOT NULL DEFAULT 1,
    has_avatar            BOOLEAN NOT NULL DEFAULT FALSE,
    has_cover             BOOLEAN NOT NULL DEFAULT FALSE,
    photo_version         BIGINT NOT NULL DEFAULT 1,
    api_key_hash          TEXT UNIQUE,
    api_key_sealed        TEXT NOT NULL DEFAULT '',
    api_key_created_at    BIGINT NOT NULL DEFAULT 0,
    created_at            BIGINT NOT NULL
);
CREATE INDEX users_org ON users (org_id);

CREATE TABLE user_permissions (
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    permission TEXT NOT NULL,
    PRIMARY KEY (user_id, permission)
);

CREATE TABLE sessions (
    id                TEXT PRIMARY KEY,
    user_id           TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    access_hash       TEXT NOT NULL UNIQUE,
    access_expires_at BIGINT NOT NULL,
    refresh_hash      TEXT NOT NULL UNIQUE,
    prev_refresh_hash TEXT NOT NULL DEFAULT '',
    refreshed_at      BIGINT NOT NULL DEFAULT 0,
    expires_at        BIGINT NOT NULL,
    device            TEXT NOT NULL DEFAULT '',
    ip                TEXT NOT NULL DEFAULT '',
    created_at        BIGINT NOT NULL,
    last_seen_at      BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_prev_refresh ON sessions (prev_refresh_hash);

-- Pending proofs: email change links, mobile change codes, password resets.
-- One live proof per user and purpose; a new request replaces the old one.
CREATE TABLE verifications (
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose     TEXT NOT NULL,
    target      TEXT NOT NULL DEFAULT '',
    secret_hash TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    expires_at  BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (user_id, purpose)
);
CREATE INDEX verifications_secret ON verifications (secret_hash);

CREATE TABLE photos (
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    size         INTEGER NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    data         ${BLOB} NOT NULL,
    PRIMARY KEY (user_id, kind, size)
);

CREATE TABLE usage_counters (
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    cycle_start BIGINT NOT NULL,
    metric      TEXT NOT NULL,
    used        BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, cycle_start, metric)
);

-- Fixed-window counters shared by every server process (login throttling).
CREATE TABLE rate_counters (
    bucket       TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    hits         BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (bucket, window_start)
);

-- Responses of non-idempotent writes replayed for a repeated Idempotency-Key.
CREATE TABLE idempotency_keys (
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    idem_key   TEXT NOT NULL,
    method     TEXT NOT NULL,
    path       TEXT NOT NULL,
    status     INTEGER NOT NULL,
    etag       TEXT NOT NULL DEFAULT '',
    body       ${BLOB} NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, idem_key)
);

CREATE TABLE audit_events (
    id        ${IDENTITY},
    org_id    TEXT NOT NULL,
    at        BIGINT NOT NULL,
    actor_id  TEXT NOT NULL,
    actor     TEXT NOT NULL,
    ip        TEXT NOT NULL,
    action    TEXT NOT NULL,
    resource  TEXT NOT NULL,
    field     TEXT NOT NULL DEFAULT '',
    old_value TEXT NOT NULL DEFAULT '',
    new_value TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_org ON audit_events (org_id, id);
CREATE INDEX audit_resource ON audit_events (resource, id);

-- +goose Down
DROP TABLE audit_events;
DROP TABLE idempotency_keys;
DROP TABLE rate_counters;
DROP TABLE usage_counters;
DROP TABLE photos;
DROP TABLE verifications;
DROP TABLE sessions;
DROP TABLE user_permissions;
DROP TABLE users;
DROP TABLE reason_codes;
DROP TABLE plan_limits;
DROP TABLE orgs;
