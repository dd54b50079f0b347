-- An Idempotency-Key is reserved before its request runs: the row is
-- inserted with status 0 (pending), and the primary key lets only one of
-- several concurrent requests insert it. The winner stores its answer in
-- the row; the others wait for it and replay it. request_hash (SHA-256 of
-- the body, hex) refuses the same key sent with another body.

-- +goose Up
ALTER TABLE idempotency_keys ADD COLUMN request_hash TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE idempotency_keys DROP COLUMN request_hash;
