-- When a session's user last proved who they are (signed in or re-entered
-- the password), as Unix microseconds: account changes that lead to a
-- takeover (email, mobile) need that to be recent, so a stolen access token
-- alone cannot make them. Sessions from before this migration count as
-- never proven.

-- +goose Up
ALTER TABLE sessions ADD COLUMN authenticated_at BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE sessions DROP COLUMN authenticated_at;
