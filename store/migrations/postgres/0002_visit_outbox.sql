-- The kiosk's outbox of visit records (受診記録) for the visit-history
-- service: written before anything is sent, deleted after a 2xx answer,
-- set aside (dead_at) when the service refuses a record as malformed.
-- Times are Unix microseconds.
CREATE TABLE visit_outbox (
	id          BYTEA PRIMARY KEY,  -- the record's random id, sent with it
	payload     BYTEA NOT NULL,     -- the record's JSON form, sent as these bytes every time
	queued_at   BIGINT NOT NULL,
	attempts    INTEGER NOT NULL DEFAULT 0,
	dead_at     BIGINT,             -- NULL while queued; set when refused
	dead_reason TEXT
);
CREATE INDEX visit_outbox_pending ON visit_outbox (queued_at) WHERE dead_at IS NULL;
