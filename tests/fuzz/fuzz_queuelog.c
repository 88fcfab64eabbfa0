/* calls/queuelog.c: one queue_log line parsed in place. Every answer is OK or a named
 * reason; an accepted line's strings lie inside the buffer, its time is in the range
 * ql_parse allows, and the same line parsed again (its padded data1..data5 form) gives
 * the same duplicate key. */
#include <stdint.h>

#include "calls/queuelog.h"
#include "fuzz.h"

static int inside(const char *p, const char *b, size_t n) { return !p || (p >= b && p <= b + n); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > QL_LINE_MAX + 16)
		return 0;
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = 0;
	struct ql_line l;
	enum ql_error e = ql_parse(s, size, &l);
	FUZZ_CHECK(strcmp(ql_error_name(e), "?") != 0);
	if (e == QL_OK) {
		FUZZ_CHECK(l.event > QL_NONE && l.event < QL_NEVENTS);
		FUZZ_CHECK(l.epoch >= 946684800 && l.epoch < 4102444800);
		FUZZ_CHECK(inside(l.callid, s, size) && inside(l.queue, s, size) &&
			   inside(l.agent, s, size) && inside(l.callerid, s, size));
		FUZZ_CHECK(l.ndata >= 0 && l.ndata <= QL_DATA_MAX);
		FUZZ_CHECK(l.callid[0] && !strcmp(l.event_name, ql_event_name(l.event)));
		/* the same fields written back with the realtime form's padding */
		char *again = malloc(QL_LINE_MAX + 64);
		if (!again)
			abort();
		int n = snprintf(again, QL_LINE_MAX + 64, "%lld|%s|%s|%s|%s", (long long)l.epoch,
				 l.callid, l.queue, l.agent, l.event_name);
		for (int i = 0; i < l.ndata && n < QL_LINE_MAX; i++)
			n += snprintf(again + n, (size_t)(QL_LINE_MAX + 64 - n), "|%s", l.data[i]);
		if (n + 4 < QL_LINE_MAX) {
			memcpy(again + n, "||||", 5);
			struct ql_line m;
			FUZZ_CHECK(ql_parse(again, (size_t)n + 4, &m) == QL_OK);
			FUZZ_CHECK(m.hash == l.hash && m.event == l.event && m.wait_s == l.wait_s);
		}
		free(again);
	}
	free(s);
	return 0;
}
