-- Notifications between processes on SQLite (helper "presence"). Same
-- rules as 00001.
--
-- PostgreSQL passes live changes between server processes with
-- LISTEN/NOTIFY. SQLite has no such thing, yet a second process does write
-- to a server's file: the operator's command (phoneset-server org disable),
-- whose change must end streams at once. On SQLite, Notify writes a row
-- here and Listen reads the rows written since it last looked, whenever
-- PRAGMA data_version says another connection committed. Rows older than
-- some minutes are deleted as new ones come. PostgreSQL leaves it empty.

-- +goose Up
CREATE TABLE live_notifications (
    id      ${IDENTITY},
    channel TEXT NOT NULL,
    payload TEXT NOT NULL,
    sent_at BIGINT NOT NULL
);
CREATE INDEX live_notifications_sent ON live_notifications (sent_at);

-- +goose Down
DROP TABLE live_notifications;
