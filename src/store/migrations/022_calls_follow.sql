-- Calls (calls/): where `tamin calls follow` has read a queue_log to, one row per path it
-- follows: the file (device and inode, to see a rotation), the bytes consumed (whole lines
-- only) and their line count. Written in the same transaction as the lines it covers, so
-- a crash neither loses nor repeats a line.
CREATE TABLE calls_follow (
	path TEXT PRIMARY KEY,
	dev INTEGER NOT NULL,
	ino INTEGER NOT NULL,
	pos INTEGER NOT NULL,
	line INTEGER NOT NULL,
	updated INTEGER NOT NULL
);
