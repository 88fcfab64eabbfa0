/* Contacts counted in memory, then written over a range (pulse.h): the one place a
 * contact becomes counts, for the refresh and for the benchmark's generator alike. */
#include "pulse/pulse.h"

#include <stdlib.h>
#include <string.h>

#include "base/jalali.h"
#include "store/store.h"

const char *const pulse_dim_names[PULSE_NDIMS] = {"all",    "topic",   "province",
						  "branch", "channel", "department"};
const char *const pulse_source_names[PULSE_NSOURCES] = {"call", "case", "service"};

int64_t pulse_bucket(int64_t t, int64_t span)
{
	int64_t c = t + TEHRAN_UTC_OFFSET;
	int64_t q = c / span;
	if (c % span < 0)
		q--;
	return q * span - TEHRAN_UTC_OFFSET;
}

/* A series (sub NULL: its hours) or a where (sub set: its days). */
struct entry {
	char *name; /* source \x1f dim \x1f key [\x1f sub], the hash key */
	int source, dim;
	char *key, *sub;
	int64_t *count; /* hours, or days */
};

struct pulse_tally {
	int64_t from, to;
	size_t days;
	struct entry *e;
	size_t n, cap;
	int *slot; /* open addressing over e: index + 1, 0 empty */
	size_t nslot;
};

struct pulse_tally *pulse_tally_new(int64_t from, int64_t to)
{
	struct pulse_tally *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->from = pulse_bucket(from, PULSE_DAY);
	t->to = to > t->from ? pulse_bucket(to - 1, PULSE_DAY) + PULSE_DAY : t->from;
	t->days = (size_t)((t->to - t->from) / PULSE_DAY);
	return t;
}

void pulse_tally_free(struct pulse_tally *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		free(t->e[i].name);
		free(t->e[i].count);
	}
	free(t->e);
	free(t->slot);
	free(t);
}

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static int grow_slots(struct pulse_tally *t)
{
	size_t ns = t->nslot ? t->nslot * 2 : 256;
	int *slot = calloc(ns, sizeof *slot);
	if (!slot)
		return -1;
	for (size_t i = 0; i < t->n; i++) {
		size_t h = (size_t)hash(t->e[i].name) & (ns - 1);
		while (slot[h])
			h = (h + 1) & (ns - 1);
		slot[h] = (int)i + 1;
	}
	free(t->slot);
	t->slot = slot;
	t->nslot = ns;
	return 0;
}

static int intern(struct pulse_tally *t, int source, int dim, const char *key, const char *sub)
{
	if (source < 0 || source >= PULSE_NSOURCES || dim < 0 || dim >= PULSE_NDIMS)
		return -1;
	if (!key)
		key = "";
	size_t lk = strlen(key), ls = sub ? strlen(sub) : 0;
	size_t len =
	    strlen(pulse_source_names[source]) + strlen(pulse_dim_names[dim]) + lk + ls + 4;
	char stack[256], *name = len <= sizeof stack ? stack : malloc(len);
	if (!name)
		return -1;
	char *p = name;
	p = stpcpy(p, pulse_source_names[source]);
	*p++ = '\x1f';
	p = stpcpy(p, pulse_dim_names[dim]);
	*p++ = '\x1f';
	p = stpcpy(p, key);
	if (sub) {
		*p++ = '\x1f';
		p = stpcpy(p, sub);
	}
	*p = 0;
	len = (size_t)(p - name) + 1;
	int id = -1;
	if ((t->n + 1) * 2 > t->nslot && grow_slots(t) < 0)
		goto out;
	size_t h = (size_t)hash(name) & (t->nslot - 1);
	while (t->slot[h]) {
		if (!strcmp(t->e[t->slot[h] - 1].name, name)) {
			id = t->slot[h] - 1;
			goto out;
		}
		h = (h + 1) & (t->nslot - 1);
	}
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 64;
		struct entry *ne = realloc(t->e, nc * sizeof *ne);
		if (!ne)
			goto out;
		t->e = ne;
		t->cap = nc;
	}
	struct entry *en = &t->e[t->n];
	size_t cells = sub ? t->days : t->days * 24;
	en->name = malloc(len + lk + ls + 2);
	en->count = calloc(cells ? cells : 1, sizeof *en->count);
	if (!en->name || !en->count) {
		free(en->name);
		free(en->count);
		goto out;
	}
	/* the hash key, then key and sub as strings of their own */
	memcpy(en->name, name, len);
	en->source = source;
	en->dim = dim;
	en->key = memcpy(en->name + len, key, lk + 1);
	en->sub = sub ? memcpy(en->key + lk + 1, sub, ls + 1) : NULL;
	t->slot[h] = (int)t->n + 1;
	id = (int)t->n++;
out:
	if (name != stack)
		free(name);
	return id;
}

int pulse_tally_series(struct pulse_tally *t, int source, int dim, const char *key)
{
	return intern(t, source, dim, dim == PULSE_ALL ? "" : key, NULL);
}

int pulse_tally_where(struct pulse_tally *t, int source, int dim, const char *key, const char *sub)
{
	return intern(t, source, dim, dim == PULSE_ALL ? "" : key, sub ? sub : "");
}

void pulse_tally_add_ids(struct pulse_tally *t, int64_t at, const int *series, int ns,
			 const int *where, int nw, int64_t n)
{
	if (at < t->from || at >= t->to)
		return;
	size_t hour = (size_t)((at - t->from) / PULSE_HOUR), day = hour / 24;
	for (int i = 0; i < ns; i++)
		if (series[i] >= 0)
			t->e[series[i]].count[hour] += n;
	for (int i = 0; i < nw; i++)
		if (where[i] >= 0)
			t->e[where[i]].count[day] += n;
}

static int known(const char *k)
{
	return k && *k;
}

int pulse_tally_add(struct pulse_tally *t, const struct pulse_contact *c)
{
	if (c->at < t->from || c->at >= t->to)
		return 0;
	int series[PULSE_NDIMS], where[PULSE_NDIMS], ns = 0, nw = 0;
	const char *prov = c->key[PULSE_PROVINCE];
	for (int d = 0; d < PULSE_NDIMS; d++) {
		if (d != PULSE_ALL && !known(c->key[d]))
			continue;
		if ((series[ns++] = pulse_tally_series(t, c->source, d, c->key[d])) < 0)
			return -1;
		/* where: a province's contacts by branch; the others' by province */
		const char *sub = d == PULSE_PROVINCE ? c->key[PULSE_BRANCH] : prov;
		if (d != PULSE_BRANCH && known(sub) &&
		    (where[nw++] = pulse_tally_where(t, c->source, d, c->key[d], sub)) < 0)
			return -1;
	}
	pulse_tally_add_ids(t, c->at, series, ns, where, nw, 1);
	return 0;
}

/* One count: an hour's or a day's of a series for pulse_counts, or (an entry with a sub
 * key) a day's of a series in one place for pulse_where. */
static void put_count(struct db_bulk *to, const struct entry *en, int64_t span, int64_t at,
		      int64_t n)
{
	db_bulk_text(to, pulse_source_names[en->source]);
	db_bulk_text(to, pulse_dim_names[en->dim]);
	db_bulk_text(to, en->key);
	if (en->sub)
		db_bulk_text(to, en->sub);
	else
		db_bulk_int(to, span);
	db_bulk_int(to, at);
	db_bulk_int(to, n);
}

int pulse_tally_write(struct pulse_tally *t, struct db *db, struct err *e)
{
	/* pulse_counts_at and pulse_where_at serve these ranges */
	for (int src = 0; src < PULSE_NSOURCES; src++)
		for (int span = 0; span < 2; span++) {
			struct db_stmt *s = db_prepare(
			    db, "DELETE FROM pulse_counts WHERE span = $1 AND at >= $2 AND at < $3 "
				"AND source = $4");
			if (!s)
				return db_fail(db, e);
			db_bind_int(s, 1, span ? PULSE_DAY : PULSE_HOUR);
			db_bind_int(s, 2, t->from);
			db_bind_int(s, 3, t->to);
			db_bind_text(s, 4, pulse_source_names[src]);
			int rc = db_step(s);
			db_done(s);
			if (rc < 0)
				return db_fail(db, e);
		}
	struct db_stmt *s = db_prepare(db, "DELETE FROM pulse_where WHERE at >= $1 AND at < $2");
	if (!s)
		return db_fail(db, e);
	db_bind_int(s, 1, t->from);
	db_bind_int(s, 2, t->to);
	int rc = db_step(s);
	db_done(s);
	if (rc < 0)
		return db_fail(db, e);
	/* the series' counts, then the places' (one bulk at a time: COPY holds the
	 * connection) */
	for (int pass = 0; pass < 2; pass++) {
		struct db_bulk *bk =
		    pass ? db_bulk_begin(db, "pulse_where", "source, dim, key, sub, at, n", 6)
			 : db_bulk_begin(db, "pulse_counts", "source, dim, key, span, at, n", 6);
		if (!bk)
			return db_fail(db, e);
		for (size_t i = 0; i < t->n; i++) {
			const struct entry *en = &t->e[i];
			if ((en->sub != NULL) != pass)
				continue;
			for (size_t d = 0; d < t->days; d++) {
				int64_t day = en->sub ? en->count[d] : 0;
				for (size_t h = 0; !en->sub && h < 24; h++) {
					int64_t v = en->count[d * 24 + h];
					day += v;
					if (v)
						put_count(bk, en, PULSE_HOUR,
							  t->from +
							      (int64_t)(d * 24 + h) * PULSE_HOUR,
							  v);
				}
				if (day)
					put_count(bk, en, PULSE_DAY,
						  t->from + (int64_t)d * PULSE_DAY, day);
			}
		}
		if (db_bulk_end(bk) < 0)
			return db_fail(db, e);
	}
	return 0;
}
