/* The wallboard (calls/board.c) fed the input's queue_log lines: no crash, the board's
 * JSON parses, a line fed twice changes nothing (the whole input again gives the same
 * board, byte for byte), and the callers waiting are never fewer than none; and the
 * staffing forecast's query (staffing_forecast_parse) from the last line split at '&':
 * a 400 naming one of its fields, or values within their ranges. */
#include <jansson.h>
#include <stdint.h>

#include "base/jw.h"
#include "calls/board.h"
#include "calls/queuelog.h"
#include "fuzz.h"
#include "staffing/staffing.h"

static const struct board_queue_conf queues[] = {{"pensions", "مستمری", 60}, {"q", NULL, 0}};

/* Each line of s fed to b; the latest time seen in *latest. */
static void feed_all(struct board *b, const char *s, int64_t *latest)
{
	char line[QL_LINE_MAX + 1];
	for (const char *p = s; *p;) {
		size_t n = strcspn(p, "\n");
		if (n <= QL_LINE_MAX) {
			memcpy(line, p, n);
			struct ql_line l;
			if (ql_parse(line, n, &l) == QL_OK) {
				board_feed(b, &l);
				if (l.epoch > *latest)
					*latest = l.epoch;
			}
		}
		p += n + (p[n] == '\n');
	}
}

static char *board_json(struct board *b, int64_t now)
{
	struct jw w;
	jw_init(&w);
	board_write(b, now, 1, &w);
	size_t len;
	return jw_take(&w, &len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	int64_t latest = 946684800, ignored = 0;
	struct board *once = board_new(queues, 2, 20, 5), *twice = board_new(queues, 2, 20, 5);
	feed_all(once, s, &latest);
	feed_all(twice, s, &ignored);
	feed_all(twice, s, &ignored);
	char *a = board_json(once, latest), *b = board_json(twice, latest);
	FUZZ_CHECK(!strcmp(a, b));
	json_error_t je;
	json_t *j = json_loads(a, 0, &je);
	FUZZ_CHECK(j);
	json_t *totals = json_object_get(j, "totals");
	FUZZ_CHECK(json_integer_value(json_object_get(totals, "waiting")) >= 0);
	json_decref(j);
	free(a);
	free(b);
	board_free(once);
	board_free(twice);

	/* the forecast's query: from&weeks&interval_s&target_sl&target_s&aht_s&queue */
	const char *last = strrchr(s, '\n');
	char *q = strdup(last ? last + 1 : s), *f[7] = {0}, *p = q;
	for (int i = 0; i < 7 && p; i++) {
		f[i] = p;
		char *amp = strchr(p, '&');
		if (amp)
			*amp = 0;
		p = amp ? amp + 1 : NULL;
	}
	struct staffing_forecast_query fq;
	struct err e = {0};
	static const char *const names[] = {"from",	"weeks", "interval_s", "target_sl",
					    "target_s", "aht_s", "queue"};
	if (staffing_forecast_parse(f[0], f[1], f[2], f[3], f[4], f[5], f[6], latest, &fq, &e) <
	    0) {
		int named = 0;
		for (int i = 0; i < 7; i++)
			named |= !strcmp(e.field, names[i]);
		FUZZ_CHECK(e.status == 400 && named);
	} else {
		FUZZ_CHECK(fq.weeks >= 1 && fq.weeks <= 12);
		FUZZ_CHECK(fq.interval_s == 900 || fq.interval_s == 1800 || fq.interval_s == 3600);
		FUZZ_CHECK(fq.target_sl > 0 && fq.target_sl < 1 && fq.target_s >= 1);
		FUZZ_CHECK(fq.from % 60 == 0 && (fq.from + 12600) % 86400 == 0);
	}
	free(q);
	free(s);
	return 0;
}
