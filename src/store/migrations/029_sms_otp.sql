-- Issue 14: outgoing text messages (sms/) and one-time login codes (otp/).
--
-- sms_outbox: every message waits here until it is delivered, whatever the gateway does.
-- sms_send inserts it in the caller's transaction, so a message exists exactly when the
-- event that caused it committed; the sender thread of `tamin serve` delivers the due ones
-- and writes each try's outcome back through the writer. state: 'queued' (next_try_ms is
-- when the next try is due, in milliseconds since the epoch), 'sent', or 'failed' (the
-- gateway refused it for good, or it was not delivered before valid_until: a login code
-- that arrives after it expired is worth nothing). last_error never holds the text.
CREATE TABLE sms_outbox (
	id INTEGER PRIMARY KEY,
	mobile TEXT NOT NULL,
	text TEXT NOT NULL,
	purpose TEXT NOT NULL,
	created INTEGER NOT NULL,
	valid_until INTEGER,
	attempts INTEGER NOT NULL DEFAULT 0,
	next_try_ms INTEGER NOT NULL,
	state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'failed')),
	done_at INTEGER,
	last_error TEXT
);
CREATE INDEX sms_outbox_due ON sms_outbox(next_try_ms) WHERE state = 'queued';

-- otp_codes: a login code asked for a national id and mobile, stored only as a keyed
-- BLAKE2b hash (the key lives in the server's memory, drawn at start). state: 'live',
-- 'used' (logged in), 'ended' (five wrong codes), 'expired', 'replaced' (a newer code was
-- sent to the same person and mobile).
CREATE TABLE otp_codes (
	id INTEGER PRIMARY KEY,
	person_id INTEGER NOT NULL REFERENCES people(id),
	user_id INTEGER NOT NULL REFERENCES users(id),
	mobile TEXT NOT NULL,
	code_hash BLOB NOT NULL,
	created INTEGER NOT NULL,
	expires INTEGER NOT NULL,
	wrong INTEGER NOT NULL DEFAULT 0,
	state TEXT NOT NULL DEFAULT 'live'
		CHECK (state IN ('live', 'used', 'ended', 'expired', 'replaced'))
);
CREATE INDEX otp_codes_person ON otp_codes(person_id, mobile, id);

-- otp_counts: starts and verifies per Tehran day (days since the epoch of Tehran midnight)
-- and outcome ("sent", "otp_mobile_not_theirs", "otp_guessed", "login", ...), counted in
-- the same job as each attempt. Every attempt, allowed or refused, so writes this file:
-- without it a refused start wrote the audit log's file alone and a code's start both
-- files, and its reply came 2 ms later one at a time (make bench step 15), which told
-- whether the mobile was the person's.
CREATE TABLE otp_counts (
	day INTEGER NOT NULL,
	outcome TEXT NOT NULL,
	n INTEGER NOT NULL,
	PRIMARY KEY (day, outcome)
);

-- The account a person logs in to by code (users_code_account, users/): found by person.
-- Without it every start read the whole users table (measured: 1,700 starts/s, most of
-- the time in that scan, with 20,000 accounts).
CREATE INDEX users_person ON users(person_id) WHERE person_id IS NOT NULL;
