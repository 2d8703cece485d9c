-- The correspondence table (converted code <-> sealed insured and patient
-- numbers) and the reception-number counter. Times are Unix microseconds.
CREATE TABLE patient_link (
	id          BLOB PRIMARY KEY,   -- random; associated data of the sealed columns
	insured_key TEXT NOT NULL,      -- code key id of insured_tag
	insured_tag BLOB NOT NULL,      -- HMAC of the insured number: finds a renewed card's row
	insured     BLOB NOT NULL,      -- AES-256-GCM sealed insured number
	patient     BLOB NOT NULL,      -- AES-256-GCM sealed 診察券番号
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL,
	last_visit  INTEGER NOT NULL    -- 0: none recorded
);
CREATE INDEX patient_link_insured ON patient_link (insured_tag);

CREATE TABLE converted_code (
	key_id      TEXT NOT NULL,
	code        BLOB NOT NULL,
	link_id     BLOB NOT NULL REFERENCES patient_link (id) ON DELETE CASCADE,
	created_at  INTEGER NOT NULL,
	replaced_at INTEGER,            -- NULL while current; else kept as history
	PRIMARY KEY (key_id, code)
);
CREATE INDEX converted_code_link ON converted_code (link_id);
CREATE UNIQUE INDEX converted_code_current ON converted_code (link_id) WHERE replaced_at IS NULL;

CREATE TABLE ticket_counter (
	day         TEXT NOT NULL,      -- YYYY-MM-DD in the clinic's time zone
	department  TEXT NOT NULL,      -- '' where one counter serves the clinic
	last_number INTEGER NOT NULL,
	PRIMARY KEY (day, department)
);
