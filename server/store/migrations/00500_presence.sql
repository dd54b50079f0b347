-- Timed statuses: the server ends a timed Unavailable at status_until
-- (microseconds; 0 = no timer) and sets status_then. The partial index
-- keeps the scheduler's scan to the running timers. Reason codes carry a
-- default duration and what follows it; org_presence holds what the app
-- does on lock and idle (no row = api.DefaultPresence).

-- +goose Up
ALTER TABLE users ADD COLUMN status_until BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN status_then TEXT NOT NULL DEFAULT '';
CREATE INDEX users_status_until ON users (status_until) WHERE status_until > 0;
ALTER TABLE reason_codes ADD COLUMN minutes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reason_codes ADD COLUMN then_availability TEXT NOT NULL DEFAULT 'online';
CREATE TABLE org_presence (
    org_id           TEXT PRIMARY KEY REFERENCES orgs(id) ON DELETE CASCADE,
    lock_away        BOOLEAN NOT NULL,
    away_reason_code TEXT NOT NULL,
    idle_minutes     INTEGER NOT NULL,
    auto_online      BOOLEAN NOT NULL,
    version          BIGINT NOT NULL
);

-- +goose Down
DROP TABLE org_presence;
ALTER TABLE reason_codes DROP COLUMN then_availability;
ALTER TABLE reason_codes DROP COLUMN minutes;
DROP INDEX users_status_until;
ALTER TABLE users DROP COLUMN status_then;
ALTER TABLE users DROP COLUMN status_until;
