#include "calls/queuelog.h"

#include <string.h>

#include "base/jalali.h"

/* in enum order; min: data fields the event needs; num: a bit per data field that must be
 * a number when present */
static const struct {
	const char *name;
	int min;
	unsigned num;
} events[QL_NEVENTS] = {
    [QL_ENTERQUEUE] = {"ENTERQUEUE", 0, 1u << 2},
    [QL_CONNECT] = {"CONNECT", 1, 1u << 0 | 1u << 2},
    [QL_COMPLETEAGENT] = {"COMPLETEAGENT", 2, 7},
    [QL_COMPLETECALLER] = {"COMPLETECALLER", 2, 7},
    [QL_ABANDON] = {"ABANDON", 3, 7},
    [QL_EXITWITHTIMEOUT] = {"EXITWITHTIMEOUT", 1, 7},
    [QL_EXITWITHKEY] = {"EXITWITHKEY", 2, 7u << 1},
    [QL_EXITEMPTY] = {"EXITEMPTY", 3, 7},
    [QL_WITHDRAW] = {"WITHDRAW", 3, 7},
    [QL_RINGNOANSWER] = {"RINGNOANSWER", 1, 1},
    [QL_RINGCANCELED] = {"RINGCANCELED", 1, 1},
    [QL_TRANSFER] = {"TRANSFER", 4, 7u << 2},
    [QL_BLINDTRANSFER] = {"BLINDTRANSFER", 4, 7u << 2},
    [QL_ATTENDEDTRANSFER] = {"ATTENDEDTRANSFER", 4, 0}, /* its numbers are its last three */
    [QL_AGENTLOGIN] = {"AGENTLOGIN", 0, 0},
    [QL_AGENTLOGOFF] = {"AGENTLOGOFF", 0, 1u << 1},
    [QL_AGENTCALLBACKLOGIN] = {"AGENTCALLBACKLOGIN", 0, 0},
    [QL_AGENTCALLBACKLOGOFF] = {"AGENTCALLBACKLOGOFF", 0, 1u << 1},
    [QL_ADDMEMBER] = {"ADDMEMBER", 0, 0},
    [QL_REMOVEMEMBER] = {"REMOVEMEMBER", 0, 0},
    [QL_PAUSE] = {"PAUSE", 0, 0},
    [QL_UNPAUSE] = {"UNPAUSE", 0, 0},
    [QL_PAUSEALL] = {"PAUSEALL", 0, 0},
    [QL_UNPAUSEALL] = {"UNPAUSEALL", 0, 0},
    [QL_CONFIGRELOAD] = {"CONFIGRELOAD", 0, 0},
    [QL_QUEUESTART] = {"QUEUESTART", 0, 0},
    [QL_AGENTDUMP] = {"AGENTDUMP", 0, 0},
    [QL_SYSCOMPAT] = {"SYSCOMPAT", 0, 0},
    [QL_PENALTY] = {"PENALTY", 1, 1},
    [QL_RINGINUSE] = {"RINGINUSE", 1, 1},
};

static const char *const error_names[] = {
    [QL_OK] = "ok",
    [QL_E_EMPTY] = "empty",
    [QL_E_FIELDS] = "too_few_fields",
    [QL_E_TOO_MANY] = "too_many_fields",
    [QL_E_TIME] = "bad_time",
    [QL_E_IMPOSSIBLE] = "impossible_time",
    [QL_E_EVENT] = "unknown_event",
    [QL_E_UTF8] = "bad_utf8",
    [QL_E_LONG] = "field_too_long",
    [QL_E_BLANK] = "missing_field",
    [QL_E_DATA] = "bad_data",
};

const char *ql_error_name(enum ql_error e)
{
	return (unsigned)e < sizeof error_names / sizeof error_names[0] ? error_names[e] : "?";
}

const char *ql_event_name(enum ql_event ev)
{
	return ev > QL_NONE && ev < QL_NEVENTS ? events[ev].name : NULL;
}

int ql_is_call_event(enum ql_event ev) { return ev >= QL_ENTERQUEUE && ev <= QL_ATTENDEDTRANSFER; }

/* 2000-01-01 and 2100-01-01 UTC: a queue_log line outside is not a real call */
#define QL_EPOCH_MIN 946684800
#define QL_EPOCH_MAX 4102444800

/* 1 when s[0..n) is UTF-8 without control characters (a tab is one too: none is written) */
static int utf8_ok(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		/* eight plain ASCII bytes at a time: none over 0x7e, none under 0x20 */
		while (i + 8 <= n) {
			uint64_t w;
			memcpy(&w, s + i, 8);
			const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
			if ((w | ((w + ones) & high) | (w - 0x20 * ones)) & high)
				break;
			i += 8;
		}
		if (i >= n)
			break;
		unsigned c = s[i];
		if (c < 0x80) {
			if (c < 0x20 || c == 0x7f)
				return 0;
			i++;
			continue;
		}
		size_t k;
		unsigned min;
		if (c >= 0xc2 && c <= 0xdf)
			k = 1, min = 0x80;
		else if (c >= 0xe0 && c <= 0xef)
			k = 2, min = 0x800;
		else if (c >= 0xf0 && c <= 0xf4)
			k = 3, min = 0x10000;
		else
			return 0;
		if (n - i <= k)
			return 0;
		unsigned cp = c & (0x3fu >> k);
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + j] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += k + 1;
	}
	return 1;
}

/* s as a whole non-negative number of at most 18 digits: 0, or -1 */
static int number(const char *s, int64_t *out)
{
	int64_t v = 0;
	size_t n = 0;
	for (; s[n]; n++) {
		if (s[n] < '0' || s[n] > '9' || n >= 18)
			return -1;
		v = v * 10 + (s[n] - '0');
	}
	if (!n)
		return -1;
	*out = v;
	return 0;
}

/* "YYYY-MM-DD HH:MM:SS" with an optional fraction, taken as UTC */
static enum ql_error datetime(const char *s, int64_t *out)
{
	size_t n = strlen(s);
	if (n < 19)
		return QL_E_TIME;
	if (n > 19) { /* the fraction: 1-9 digits */
		if (s[19] != '.' || n == 20 || n > 29 || strspn(s + 20, "0123456789") != n - 20)
			return QL_E_TIME;
	}
	char head[20];
	memcpy(head, s, 19);
	head[19] = 0;
	int rc = civil_datetime_parse(head, out);
	return rc == -1 ? QL_E_TIME : rc == -2 ? QL_E_IMPOSSIBLE : QL_OK;
}

/* The bytes s[0..n) into h, eight at a time (a multiply and a shift each, as in
 * wyhash/xxh3's mixing); n itself too, so that a shorter text padded with NULs differs. */
static uint64_t mix(uint64_t h, const char *s, size_t n)
{
	const uint64_t k = 0x9e3779b97f4a7c15ull;
	h ^= n * k;
	for (; n >= 8; s += 8, n -= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = (h ^ w) * k;
		h ^= h >> 29;
	}
	if (n) {
		uint64_t w = 0;
		memcpy(&w, s, n);
		h = (h ^ w) * k;
		h ^= h >> 29;
	}
	h *= 0xbf58476d1ce4e5b9ull;
	return h ^ h >> 32;
}

static enum ql_event lookup(const char *name)
{
	for (int i = 1; i < QL_NEVENTS; i++)
		if (events[i].name[0] == name[0] && !strcmp(events[i].name, name))
			return (enum ql_event)i;
	return QL_NONE;
}

/* data[i] as a number into *v when present (else -1): 0, or -1 when not a number */
static int opt_num(const struct ql_line *l, int i, int64_t *v)
{
	*v = -1;
	return i < l->ndata && l->data[i][0] ? number(l->data[i], v) : 0;
}

enum ql_error ql_parse(char *line, size_t len, struct ql_line *out)
{
	if (len && line[len - 1] == '\r')
		len--;
	if (len > QL_LINE_MAX)
		return QL_E_LONG;
	size_t lead = 0;
	while (lead < len && (line[lead] == ' ' || line[lead] == '\t'))
		lead++;
	if (lead == len)
		return QL_E_EMPTY;
	if (!utf8_ok((const unsigned char *)line, len))
		return QL_E_UTF8;
	line[len] = '\0'; /* the caller's buffer holds len + 1 bytes: see ql_parse's callers */

	const char *f[5 + QL_DATA_MAX + 8]; /* room for the data1..data5 form's padding */
	int nf = 0;
	char *p = line, *end = line + len;
	for (;;) {
		char *bar = memchr(p, '|', (size_t)(end - p));
		if (nf == (int)(sizeof f / sizeof f[0]))
			return QL_E_TOO_MANY;
		f[nf++] = p;
		if (!bar) {
			if (end - p > QL_FIELD_MAX)
				return QL_E_LONG;
			break;
		}
		if (bar - p > QL_FIELD_MAX)
			return QL_E_LONG;
		*bar = '\0';
		p = bar + 1;
	}
	while (nf > 5 && !f[nf - 1][0])
		nf--; /* the data1..data5 form's empty columns, and the file's trailing '|' */
	if (nf < 5)
		return QL_E_FIELDS;
	if (nf > 5 + QL_DATA_MAX)
		return QL_E_TOO_MANY;

	memset(out, 0, sizeof *out);
	const char *t = f[0];
	if (number(t, &out->epoch) == 0) {
		if (out->epoch < QL_EPOCH_MIN || out->epoch >= QL_EPOCH_MAX)
			return QL_E_IMPOSSIBLE;
	} else {
		enum ql_error te = datetime(t, &out->epoch);
		if (te)
			return te;
		if (out->epoch < QL_EPOCH_MIN || out->epoch >= QL_EPOCH_MAX)
			return QL_E_IMPOSSIBLE;
	}
	out->callid = f[1];
	out->queue = f[2];
	out->agent = f[3];
	out->event_name = f[4];
	if (!out->callid[0] || !out->event_name[0])
		return QL_E_BLANK;
	out->event = lookup(out->event_name);
	if (out->event == QL_NONE)
		return QL_E_EVENT;
	out->ndata = nf - 5;
	for (int i = 0; i < out->ndata; i++)
		out->data[i] = f[5 + i];

	/* the numbers the event needs, and those it may have */
	int min = events[out->event].min;
	if (out->ndata < min)
		return QL_E_DATA;
	for (int i = 0; i < out->ndata && i < 32; i++) {
		int64_t v;
		if ((events[out->event].num >> i & 1) && out->data[i][0] && number(out->data[i], &v))
			return QL_E_DATA;
		if ((events[out->event].num >> i & 1) && i < min && !out->data[i][0])
			return QL_E_DATA;
	}
	out->wait_s = out->talk_s = out->ring_ms = out->position = out->origposition = -1;
	const struct ql_line *l = out;
	switch (out->event) {
	case QL_ENTERQUEUE:
		out->callerid = l->ndata > 1 && l->data[1][0] ? l->data[1] : NULL;
		opt_num(l, 2, &out->position);
		break;
	case QL_CONNECT:
		opt_num(l, 0, &out->wait_s);
		opt_num(l, 2, &out->ring_ms);
		if (out->ring_ms >= 0)
			out->ring_ms *= 1000;
		break;
	case QL_COMPLETEAGENT:
	case QL_COMPLETECALLER:
		opt_num(l, 0, &out->wait_s);
		opt_num(l, 1, &out->talk_s);
		opt_num(l, 2, &out->origposition);
		break;
	case QL_ABANDON:
	case QL_EXITWITHTIMEOUT:
	case QL_EXITEMPTY:
	case QL_WITHDRAW:
		opt_num(l, 0, &out->position);
		opt_num(l, 1, &out->origposition);
		opt_num(l, 2, &out->wait_s);
		break;
	case QL_EXITWITHKEY:
		out->key = l->data[0];
		opt_num(l, 1, &out->position);
		opt_num(l, 2, &out->origposition);
		opt_num(l, 3, &out->wait_s);
		break;
	case QL_RINGNOANSWER:
	case QL_RINGCANCELED:
		opt_num(l, 0, &out->ring_ms);
		break;
	case QL_TRANSFER:
	case QL_BLINDTRANSFER:
		opt_num(l, 2, &out->wait_s);
		opt_num(l, 3, &out->talk_s);
		opt_num(l, 4, &out->origposition);
		break;
	case QL_ATTENDEDTRANSFER: {
		/* BRIDGE|uid, APP|app or LINK|a|b: the numbers are the last three fields */
		int n = l->ndata;
		if (number(l->data[n - 3], &out->wait_s) || number(l->data[n - 2], &out->talk_s) ||
		    number(l->data[n - 1], &out->origposition))
			return QL_E_DATA;
		break;
	}
	case QL_PAUSE:
	case QL_UNPAUSE:
	case QL_PAUSEALL:
	case QL_UNPAUSEALL:
		out->reason = l->ndata ? l->data[0] : NULL;
		break;
	case QL_AGENTCALLBACKLOGOFF:
		out->reason = l->ndata > 2 ? l->data[2] : NULL;
		break;
	default:
		break;
	}

	/* the fields after the time lie one after the other, each ended by the NUL its '|'
	 * became (so "a|bc" and "ab|c" differ): hashed as one run of bytes, the trailing
	 * empty fields the two forms differ by left out */
	const char *last = f[nf - 1];
	out->hash = mix((uint64_t)out->epoch * 0x100000001b3ull, f[1],
			(size_t)(last + strlen(last) - f[1]));
	return QL_OK;
}
