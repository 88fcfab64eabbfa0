-- The supervisor's outcome figures (GET /api/v1/stats/cases: closed, solved, solved in
-- time, first contact, ratings, reopen rate; cases/stats.c), each counted from one index
-- alone, as the figures of migration 006 are (tests/unit/test_stats.c checks the plans).
--
-- Per department and topic, in the order the figures group them; the creation range
-- is read in the index.
CREATE INDEX cases_outcomes ON cases(department_id, topic_id, created, status, answered_at,
	resolution_due, first_contact, unreached, reopen_count, rating);
-- Per person: the one who handles a case is its assignee, or while it has none the one
-- who opened it (an agent who answered on the call); grouped in this order, merged in C.
CREATE INDEX cases_handlers ON cases(assignee_id, created_by, department_id, topic_id,
	created, answered_at, resolution_due);
