-- The supervisor's figures (GET /api/v1/stats/cases) on a million cases, and the lists
-- behind them (GET /api/v1/cases). Each statement's plan is checked by tests/unit/test_stats.c.
--
-- Cases by creation time: the daily series of created cases, and the totals over a
-- from/to range. With the department and topic in the index, both are counted from the
-- index alone, whatever the scope.
CREATE INDEX cases_created ON cases(created, department_id, topic_id);
-- Cases of a topic: the count of a topic's figures, and the list of a topic's cases
-- newest first (?topic=, which read the table from its newest row before).
CREATE INDEX cases_topic ON cases(topic_id, id);
-- Cases by the time they closed, for the daily series of closed cases (closed_at is
-- NULL while a case is open, and again after a reopen).
CREATE INDEX cases_closed ON cases(closed_at, department_id, topic_id)
	WHERE closed_at IS NOT NULL;
-- The open cases' figures (open: not closed, as the list's open=1) per department and
-- topic, counted from this index alone; it holds only the open cases, a small part of
-- a year's. Its WHERE must stay word for word the figures' and the list's condition.
CREATE INDEX cases_open_stats ON cases(department_id, topic_id, status, overdue,
	reopen_count, created) WHERE status <> 'closed';
-- The lists behind the rarest figures, newest first (?reopened=1, ?status=waiting): a
-- query for a handful of cases read every row of the table to find them.
CREATE INDEX cases_reopened ON cases(id) WHERE reopen_count > 0;
CREATE INDEX cases_waiting ON cases(id) WHERE status = 'waiting';
