-- Organisation settings run by admins (permission "account"). Same rules as
-- 00001: one schema for SQLite and PostgreSQL, ${BLOB} filled in per dialect,
-- times as Unix microseconds, one ADD COLUMN per statement (SQLite's limit).
--
-- Sections an admin edits carry their own version for If-Match:
-- orgs.settings_version (profile, time zone, language, photos, switches),
-- orgs.package_version, orgs.sms_version, and a version per cost center,
-- reason code and structure category. Every org change also bumps
-- orgs.version, which GET /v1/me is cached on.

-- +goose Up
ALTER TABLE orgs ADD COLUMN company_name TEXT NOT NULL DEFAULT '';
ALTER TABLE orgs ADD COLUMN org_number TEXT NOT NULL DEFAULT '';
ALTER TABLE orgs ADD COLUMN address_street TEXT NOT NULL DEFAULT '';
ALTER TABLE orgs ADD COLUMN address_postal_code TEXT NOT NULL DEFAULT '';
ALTER TABLE orgs ADD COLUMN address_city TEXT NOT NULL DEFAULT '';
ALTER TABLE orgs ADD COLUMN address_country TEXT NOT NULL DEFAULT '';
ALTER TABLE orgs ADD COLUMN owner_id TEXT NOT NULL DEFAULT '';
ALTER TABLE orgs ADD COLUMN cost_centers_enabled BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE orgs ADD COLUMN settings_version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE orgs ADD COLUMN contract_started_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orgs ADD COLUMN contract_ends_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orgs ADD COLUMN binding_ends_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orgs ADD COLUMN package_version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE orgs ADD COLUMN sms_version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE reason_codes ADD COLUMN version BIGINT NOT NULL DEFAULT 1;

-- Company avatar and default cover, in the same fixed sizes as users' photos.
CREATE TABLE org_photos (
    org_id       TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    size         INTEGER NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    data         ${BLOB} NOT NULL,
    PRIMARY KEY (org_id, kind, size)
);

-- What the org may buy, at its contract prices (minor currency units).
-- kind is 'license' (assignable to users) or 'addon'.
CREATE TABLE org_products (
    org_id     TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    sku        TEXT NOT NULL,
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL,
    unit_price BIGINT NOT NULL,
    currency   TEXT NOT NULL,
    sort_order INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, sku)
);

-- How many of each product the org holds: licenses bought, add-ons owned.
CREATE TABLE org_holdings (
    org_id   TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    sku      TEXT NOT NULL,
    quantity BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, sku)
);

-- Purchases, recorded at the prices of the day; no payment is taken here.
CREATE TABLE org_orders (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    ordered_by      TEXT NOT NULL,
    ordered_by_name TEXT NOT NULL,
    ordered_at      BIGINT NOT NULL,
    currency        TEXT NOT NULL,
    total           BIGINT NOT NULL
);
CREATE INDEX org_orders_org ON org_orders (org_id, ordered_at);

CREATE TABLE org_order_lines (
    order_id   TEXT NOT NULL REFERENCES org_orders(id) ON DELETE CASCADE,
    line       INTEGER NOT NULL,
    sku        TEXT NOT NULL,
    name       TEXT NOT NULL,
    quantity   BIGINT NOT NULL,
    unit_price BIGINT NOT NULL,
    PRIMARY KEY (order_id, line)
);

CREATE TABLE user_licenses (
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    sku         TEXT NOT NULL,
    assigned_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, sku)
);

-- System SMS: a row per enabled zone; scope 'all' or 'selected' (then the
-- users are in sms_zone_users). A row in sms_message_types allows the type.
CREATE TABLE sms_zones (
    org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    zone   TEXT NOT NULL,
    scope  TEXT NOT NULL,
    PRIMARY KEY (org_id, zone)
);

CREATE TABLE sms_zone_users (
    org_id  TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    zone    TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (org_id, zone, user_id)
);

CREATE TABLE sms_message_types (
    org_id   TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    msg_type TEXT NOT NULL,
    PRIMARY KEY (org_id, msg_type)
);

-- Names are unique per org case-insensitively (name_norm).
CREATE TABLE cost_centers (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    name_norm  TEXT NOT NULL,
    version    BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    UNIQUE (org_id, name_norm)
);

-- A user is in at most one cost center.
CREATE TABLE cost_center_users (
    user_id        TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    cost_center_id TEXT NOT NULL REFERENCES cost_centers(id) ON DELETE CASCADE
);
CREATE INDEX cost_center_users_center ON cost_center_users (cost_center_id);

-- Organisation structure: categories (e.g. "Office") with options
-- ("Stockholm", "Malmö"); a user holds at most one option per category.
CREATE TABLE org_categories (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    name_norm  TEXT NOT NULL,
    version    BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    UNIQUE (org_id, name_norm)
);

CREATE TABLE org_options (
    id          TEXT PRIMARY KEY,
    category_id TEXT NOT NULL REFERENCES org_categories(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    name_norm   TEXT NOT NULL,
    sort_order  INTEGER NOT NULL DEFAULT 0,
    UNIQUE (category_id, name_norm)
);

CREATE TABLE user_options (
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    category_id TEXT NOT NULL REFERENCES org_categories(id) ON DELETE CASCADE,
    option_id   TEXT NOT NULL REFERENCES org_options(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, category_id)
);
CREATE INDEX user_options_option ON user_options (option_id);

-- The audit log's filters: by actor and by date.
CREATE INDEX audit_org_actor ON audit_events (org_id, actor_id, id);
CREATE INDEX audit_org_at ON audit_events (org_id, at);

-- +goose Down
DROP INDEX audit_org_at;
DROP INDEX audit_org_actor;
DROP TABLE user_options;
DROP TABLE org_options;
DROP TABLE org_categories;
DROP TABLE cost_center_users;
DROP TABLE cost_centers;
DROP TABLE sms_message_types;
DROP TABLE sms_zone_users;
DROP TABLE sms_zones;
DROP TABLE user_licenses;
DROP TABLE org_order_lines;
DROP TABLE org_orders;
DROP TABLE org_holdings;
DROP TABLE org_products;
DROP TABLE org_photos;
ALTER TABLE reason_codes DROP COLUMN version;
ALTER TABLE orgs DROP COLUMN sms_version;
ALTER TABLE orgs DROP COLUMN package_version;
ALTER TABLE orgs DROP COLUMN binding_ends_at;
ALTER TABLE orgs DROP COLUMN contract_ends_at;
ALTER TABLE orgs DROP COLUMN contract_started_at;
ALTER TABLE orgs DROP COLUMN settings_version;
ALTER TABLE orgs DROP COLUMN cost_centers_enabled;
ALTER TABLE orgs DROP COLUMN owner_id;
ALTER TABLE orgs DROP COLUMN address_country;
ALTER TABLE orgs DROP COLUMN address_city;
ALTER TABLE orgs DROP COLUMN address_postal_code;
ALTER TABLE orgs DROP COLUMN address_street;
ALTER TABLE orgs DROP COLUMN org_number;
ALTER TABLE orgs DROP COLUMN company_name;
