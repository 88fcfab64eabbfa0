-- Full-text entries wait here until the writer's group is done: an FTS5 table
-- touched inside a savepoint flushes its pending index at every savepoint, which
-- cost a quarter of the time of opening a case.
CREATE TABLE text_pending (
	kind TEXT NOT NULL,
	id INTEGER NOT NULL,
	body TEXT NOT NULL
);

-- The overdue sweep looks only at cases it may still escalate, through one partial
-- index per kind of due date (it scanned the whole table every minute before).
DROP INDEX cases_open_due;
CREATE INDEX cases_due_resolution ON cases(resolution_due)
	WHERE overdue = 0 AND status IN ('new', 'assigned', 'in_progress', 'waiting');
CREATE INDEX cases_due_first_response ON cases(first_response_due)
	WHERE overdue = 0 AND first_response_at IS NULL AND status IN ('new', 'assigned');
CREATE INDEX cases_due_report_back ON cases(report_back_due)
	WHERE overdue = 0 AND status = 'answered';
