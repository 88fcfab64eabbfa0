-- The pulse (pulse/): contacts counted per Tehran hour and per Tehran day, for every
-- source (call, case; service once e-services exist), dimension (all, topic, province,
-- branch, channel, department) and key. at: the UTC second the Tehran hour or day began;
-- span: 3600 or 86400. Filled by pulse_refresh, which counts a range of whole days again
-- and replaces what was there (idempotent). Keyed so that one series over a time range is
-- one range of the primary key; pulse_counts_at (covering) gives the movers every daily
-- row of a few weeks, and the refresh the rows it replaces, as one range too.
-- WITHOUT ROWID (SQLite's; PostgreSQL's schema drops the words) keeps it one tree.
CREATE TABLE pulse_counts (
	source TEXT NOT NULL,
	dim TEXT NOT NULL,
	key TEXT NOT NULL,
	span INTEGER NOT NULL,
	at INTEGER NOT NULL,
	n INTEGER NOT NULL,
	PRIMARY KEY (source, dim, key, span, at)
) WITHOUT ROWID;
CREATE INDEX pulse_counts_at ON pulse_counts(span, at, source, dim, key, n);

-- Where a series' contacts came from, per Tehran day: a topic's, a channel's, a
-- department's (or all) contacts by province (sub), a province's by branch. What the
-- movers' "where" reads; never a series of its own.
CREATE TABLE pulse_where (
	source TEXT NOT NULL,
	dim TEXT NOT NULL,
	key TEXT NOT NULL,
	sub TEXT NOT NULL,
	at INTEGER NOT NULL,
	n INTEGER NOT NULL,
	PRIMARY KEY (source, dim, key, at, sub)
) WITHOUT ROWID;
CREATE INDEX pulse_where_at ON pulse_where(at);
