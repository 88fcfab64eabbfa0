-- The case desk as a call centre works it (issue 12).
--
-- version: each change of a case adds one; GET returns it as the ETag, and an event sent
-- with If-Match that names another version is refused (409 stale_version): the second of
-- two people acting on one case is told, instead of overwriting the first.
--
-- Failed contact attempts count towards a close without reaching the citizen only when
-- they are spread out (cases/machine.c): contact_hours is a bit per Tehran hour of the
-- day (0-23) of the attempts made since the answer, contact_days how many Tehran days
-- they fell on, last_contact_day the latest of those days (days since 1970-01-01).
--
-- first_contact: the case was solved on the call that opened it (answer, report back by
-- the same call, close: one action). unreached: it was closed after failed contact
-- attempts, the outcome sent in writing. merged_into: the case this one was merged into.
ALTER TABLE cases ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE cases ADD COLUMN contact_hours INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN contact_days INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN last_contact_day INTEGER;
ALTER TABLE cases ADD COLUMN first_contact INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN unreached INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN merged_into INTEGER REFERENCES cases(id);
-- the follow-up mobile given on a case is searchable (GET /api/v1/cases?mobile=)
CREATE INDEX cases_mobile ON cases(mobile) WHERE mobile IS NOT NULL;
-- possible duplicates: the person's open cases on a topic
CREATE INDEX cases_person_topic_open ON cases(person_id, topic_id) WHERE status <> 'closed';
