/* The audit spool's recovery (audit/spool.h): at start, the spool imports what a crash
 * left in its two files, each up to its first incomplete, damaged or older line. The
 * input is file a's head, the separator below, and file b's head; each is written over
 * the start of its file (the rest of the file is zeros, as the spool leaves it), the
 * last imported sequence of the database is set back to 0, and the spool is started
 * (which imports) and stopped. Starting must not fail, whatever the files hold, and no
 * more rows are imported than the input has whole lines.
 *
 * The database is migrated once in the scratch folder (served.h), with a writer. */
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>

#include "audit/spool.h"
#include "cli/cli.h"
#include "fuzz.h"
#include "served.h"
#include "store/store.h"
#include "store/writer.h"

#define SEP "\n@@SPOOL-B@@\n"

static char db_path[300];
static struct db *db;
static struct writer *writer;
static size_t written[2]; /* bytes of each file the last input wrote over */

static int64_t count_rows(void)
{
	struct db_stmt *s = db_prepare(db, "SELECT count(*) FROM journal.audit");
	int64_t n = s && db_step(s) == 1 ? db_col_int(s, 0) : -1;
	db_done(s);
	FUZZ_CHECK(n >= 0);
	return n;
}

static void start(void)
{
	if (db)
		return;
	snprintf(db_path, sizeof db_path, "%s/spool.db", served_dir());
	if (cli_open(db_path, cli_data_default(), &db) < 0)
		exit(2);
	struct err e = {0};
	writer = writer_start(db_path, &e);
	/* the first start makes both files, zeros of their full size */
	struct audit_spool *s = writer ? audit_spool_start(db_path, NULL, writer, &e) : NULL;
	if (!s) {
		fprintf(stderr, "fuzz_spool: %s\n", e.message);
		exit(2);
	}
	audit_spool_stop(s);
}

/* Writes data over the head of spool file `which`, zeros over what the last input wrote
 * past it. */
static void put(int which, const uint8_t *data, size_t n)
{
	char path[400];
	FUZZ_CHECK(audit_spool_path(db_path, which, path, sizeof path) == 0);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	FUZZ_CHECK(fd >= 0 && pwrite(fd, data, n, 0) == (ssize_t)n);
	if (written[which] > n) {
		size_t z = written[which] - n;
		char *zeros = calloc(1, z);
		FUZZ_CHECK(zeros && pwrite(fd, zeros, z, (off_t)n) == (ssize_t)z);
		free(zeros);
	}
	written[which] = n;
	close(fd);
}

static size_t whole_lines(const uint8_t *p, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += p[i] == '\n';
	return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	start();
	const uint8_t *sep = memmem(data, size, SEP, sizeof SEP - 1);
	size_t alen = sep ? (size_t)(sep - data) : size;
	const uint8_t *b = sep ? sep + sizeof SEP - 1 : data + size;
	size_t blen = (size_t)(data + size - b);
	put(0, data, alen);
	put(1, b, blen);
	FUZZ_CHECK(db_exec(db, "UPDATE journal.audit_spool SET seq = 0") == 0);
	int64_t before = count_rows();
	struct err e = {0};
	struct audit_spool *s = audit_spool_start(db_path, NULL, writer, &e);
	if (!s) {
		fprintf(stderr, "fuzz_spool: the spool does not start: %s\n", e.message);
		FUZZ_CHECK(!"the spool starts whatever its files hold");
	}
	audit_spool_stop(s);
	int64_t added = count_rows() - before;
	FUZZ_CHECK(added >= 0 && (size_t)added <= whole_lines(data, alen) + whole_lines(b, blen));
	return 0;
}
