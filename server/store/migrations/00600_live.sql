-- Supervisors and time in status (helper "live"). Same rules as 00001.
--
-- A supervisor (permission "supervisor") sees and sets the status of the
-- agents who hold any of the structure options in their scope; an option
-- that goes takes its scope rows with it.
--
-- status_history has one row per status a user entered, written in the
-- same transaction as the status itself (store.SaveStatus), so "time in
-- status today" is the gaps between rows. Every user starts with a row for
-- the status they have now.

-- +goose Up
CREATE TABLE supervisor_scopes (
    user_id   TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    option_id TEXT NOT NULL REFERENCES org_options(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, option_id)
);
CREATE INDEX supervisor_scopes_option ON supervisor_scopes (option_id);

CREATE TABLE status_history (
    id           ${IDENTITY},
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    availability TEXT NOT NULL,
    reason_code  TEXT NOT NULL DEFAULT '',
    started_at   BIGINT NOT NULL
);
CREATE INDEX status_history_user ON status_history (user_id, started_at);

INSERT INTO status_history (user_id, availability, reason_code, started_at)
    SELECT id, availability, reason_code, CASE WHEN status_changed_at > 0 THEN status_changed_at ELSE created_at END FROM users;

-- +goose Down
DROP TABLE status_history;
DROP TABLE supervisor_scopes;
