-- Calls (calls/blocks.h): the phone line kept in hour blocks instead of a row per event and
-- a row per call (021). A block's rows (segments, numbered by seq) each hold what one
-- import added to that hour: the calls' facts its lines gave (calls: fixed records, queue
-- and agent names interned; call_text: each call's id, caller, agent and person), the
-- lines' 64-bit hashes sorted (the duplicate check reads only these) and the lines as read
-- (each ended by a newline; zstd-compressed from 4 KiB). A block with many segments is
-- merged into one. The measured reason is in docs/DECISIONS.md.
CREATE TABLE call_blocks (
	start BIGINT NOT NULL,
	seq INTEGER NOT NULL,
	events INTEGER NOT NULL,
	calls BLOB,
	call_text BLOB,
	hashes BLOB,
	lines BLOB NOT NULL,
	PRIMARY KEY (start, seq)
);

-- 021's rows move here as they are: each event a segment of one line, with no hashes
-- (NULL: calls/blocks.c computes them and the calls from the line when it reads the
-- segment, and writes them when the block is next merged). The calls are what the events
-- say, so 021's calls table goes: its rows are built again from the same lines.
INSERT INTO call_blocks (start, seq, events, calls, call_text, hashes, lines)
	SELECT epoch - epoch % 3600,
	       ROW_NUMBER() OVER (PARTITION BY epoch - epoch % 3600 ORDER BY epoch, hash),
	       1, NULL, NULL, NULL,
	       CAST(epoch || '|' || callid || '|' || queue || '|' || agent || '|' || event || '|' ||
		    data AS BLOB)
	FROM call_events;
DROP TABLE calls;
DROP TABLE call_events;
