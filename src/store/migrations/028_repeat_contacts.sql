-- First-contact resolution as the phone line's figures define it (issue 13): a contact is
-- resolved the first time unless the same person comes back on the same topic within 7
-- days. `repeated` = 1 on a case when the same person opened another case on the same
-- topic within 7 days (604,800 s) after it; cases/write.c sets it as the later case is
-- created. The figures count it from cases_outcomes alone, so the index takes the column.
ALTER TABLE cases ADD COLUMN repeated INTEGER NOT NULL DEFAULT 0;
UPDATE cases SET repeated = 1 WHERE EXISTS (
	SELECT 1 FROM cases l WHERE l.person_id = cases.person_id AND l.topic_id = cases.topic_id
	AND l.id <> cases.id AND l.created <= cases.created + 604800
	AND (l.created > cases.created OR (l.created = cases.created AND l.id > cases.id)));
DROP INDEX cases_outcomes;
CREATE INDEX cases_outcomes ON cases(department_id, topic_id, created, status, answered_at,
	resolution_due, first_contact, unreached, reopen_count, rating, repeated);
