-- zstd dictionaries for the blocks of a batch's lists (lists/dict.h).
--
-- A national month's lists are about 21 rows each: a block of 3.4 KB, too small for zstd
-- to learn from. On the demo's batch, a dictionary trained on its first 40,000 rows (64
-- KB) made the blocks 5.3 times smaller than their text instead of 3.4 times, and
-- compressing them a third cheaper (bench/README.md, step 9; the demo's names are few,
-- real lists vary more). A block names its dictionary in its zstd frame; the dictionary
-- is kept here for as long as the block, which is for ever.
CREATE TABLE zstd_dicts (
	id INTEGER PRIMARY KEY,		-- the dictionary's own id, as zstd frames name it
	data BLOB NOT NULL,
	created INTEGER NOT NULL
);
CREATE TRIGGER zstd_dicts_no_update BEFORE UPDATE ON zstd_dicts
BEGIN SELECT RAISE(ABORT, 'dictionaries are kept as they are'); END;
CREATE TRIGGER zstd_dicts_no_delete BEFORE DELETE ON zstd_dicts
BEGIN SELECT RAISE(ABORT, 'dictionaries are kept as they are'); END;
