-- Rows imported from a clinic's CSV export have no converted code until the
-- card's first visit attaches one (found by insured_tag). patient_tag is a
-- keyed hash of the 診察券番号 (like insured_tag), so staff can unlink a
-- patient by number without the number being stored in the clear; empty
-- patient_key and NULL patient_tag: the row has no patient number.
ALTER TABLE patient_link ADD COLUMN patient_key TEXT NOT NULL DEFAULT '';
ALTER TABLE patient_link ADD COLUMN patient_tag BYTEA;
CREATE INDEX patient_link_patient ON patient_link (patient_tag);
