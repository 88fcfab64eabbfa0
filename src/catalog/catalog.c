#include "catalog/catalog.h"

#include "base/jalali.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS 16

/* The departments and topics as of one moment: immutable once published (catalog.h). */
struct catalog_snapshot {
	uint64_t seq; /* the writer's order of edits; 0 for the start's sync */
	struct department *deps;
	int ndeps;
	struct topic *topics;
	int ntopics;
	char *json[2]; /* CATALOG_TOPICS, CATALOG_DEPARTMENTS */
	struct catalog_snapshot *retired; /* the list of replaced snapshots */
};

static _Atomic(struct catalog_snapshot *) current;

static struct {
	pthread_mutex_t mu; /* publishing: the swap and the retired list */
	struct catalog_snapshot *retired;
	atomic_uint_fast64_t seq; /* the last edit's number */
} pub = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* What does not change while serving. */
static struct {
	struct province *provs;
	int nprovs;
	struct channel *chans;
	int nchans;
	char *chans_json;
} fixed;

static const struct catalog_snapshot *snap(void)
{
	return atomic_load_explicit(&current, memory_order_acquire);
}

int tsv_read(const char *path, int (*row)(char **f, int n, void *arg, struct err *e), void *arg,
	     struct err *e)
{
	FILE *fp = fopen(path, "r");
	if (!fp)
		return err_set(e, 500, "data", "", "cannot read %s", path);
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int lineno = 0, rc = 0;
	while ((len = getline(&line, &cap, fp)) >= 0) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = 0;
		if (len == 0 || line[0] == '#')
			continue;
		/* fields past the last one read as "" so a short line is caught by count */
		static char none[] = "";
		char *f[MAX_FIELDS];
		for (int i = 0; i < MAX_FIELDS; i++)
			f[i] = none;
		int n = 0;
		char *p = line;
		while (n < MAX_FIELDS) {
			f[n++] = p;
			char *tab = strchr(p, '\t');
			if (!tab)
				break;
			*tab = 0;
			p = tab + 1;
		}
		if (row(f, n, arg, e) < 0) {
			char msg[sizeof e->message];
			snprintf(msg, sizeof msg, "%s", e->message);
			err_set(e, 500, "data", "", "%s line %d: %s", path, lineno, msg);
			rc = -1;
			break;
		}
	}
	free(line);
	fclose(fp);
	return rc;
}

static int need(int n, int want, struct err *e)
{
	if (n < want)
		return err_set(e, 500, "data", "", "expected %d fields, found %d", want, n);
	return 0;
}

static void *grow(void *arr, int n, size_t size)
{
	if ((n & (n - 1)) == 0) { /* at powers of two */
		arr = realloc(arr, (size_t)(n ? n * 2 : 16) * size);
		if (!arr)
			abort();
	}
	return arr;
}

static int int_field(const char *s, int *out, struct err *e)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < 0 || v > 100000000)
		return err_set(e, 500, "data", "", "not a number: %s", s);
	*out = (int)v;
	return 0;
}

static const struct department *dep_by_code(const struct catalog_snapshot *s, const char *code)
{
	for (int i = 0; s && code && i < s->ndeps; i++)
		if (strcmp(s->deps[i].code, code) == 0)
			return &s->deps[i];
	return NULL;
}

static const struct department *dep_by_id(const struct catalog_snapshot *s, int64_t id)
{
	for (int i = 0; s && i < s->ndeps; i++)
		if (s->deps[i].id == id)
			return &s->deps[i];
	return NULL;
}

static const struct topic *topic_by_code(const struct catalog_snapshot *s, const char *code)
{
	for (int i = 0; s && code && i < s->ntopics; i++)
		if (strcmp(s->topics[i].code, code) == 0)
			return &s->topics[i];
	return NULL;
}

static int dep_row(char **f, int n, void *arg, struct err *e)
{
	struct catalog_snapshot *s = arg;
	if (need(n, 4, e) < 0)
		return -1;
	if (dep_by_code(s, f[0]))
		return err_set(e, 500, "data", "", "department %s is listed twice", f[0]);
	s->deps = grow(s->deps, s->ndeps, sizeof *s->deps);
	struct department *d = &s->deps[s->ndeps++];
	memset(d, 0, sizeof *d);
	snprintf(d->code, sizeof d->code, "%s", f[0]);
	snprintf(d->name, sizeof d->name, "%s", f[1]);
	snprintf(d->name_en, sizeof d->name_en, "%s", f[2]);
	if (strcmp(f[3], "always") && strcmp(f[3], "office"))
		return err_set(e, 500, "data", "", "calendar must be office or always");
	d->always = strcmp(f[3], "always") == 0;
	d->id = s->ndeps; /* until synced, a department's id is its 1-based position */
	return 0;
}

static int topic_row(char **f, int n, void *arg, struct err *e)
{
	struct catalog_snapshot *s = arg;
	if (need(n, 7, e) < 0)
		return -1;
	if (topic_by_code(s, f[0]))
		return err_set(e, 500, "data", "", "topic %s is listed twice", f[0]);
	s->topics = grow(s->topics, s->ntopics, sizeof *s->topics);
	struct topic *t = &s->topics[s->ntopics++];
	memset(t, 0, sizeof *t);
	snprintf(t->code, sizeof t->code, "%s", f[0]);
	snprintf(t->name, sizeof t->name, "%s", f[1]);
	const struct department *d = dep_by_code(s, f[2]);
	if (!d)
		return err_set(e, 500, "data", "", "unknown department %s", f[2]);
	t->department_id = d->id;
	if (int_field(f[3], &t->first_response_min, e) < 0 ||
	    int_field(f[4], &t->resolution_min, e) < 0 ||
	    int_field(f[5], &t->report_back_min, e) < 0 || int_field(f[6], &t->demo_weight, e) < 0)
		return -1;
	if (n > 7)
		snprintf(t->keywords, sizeof t->keywords, "%s", f[7]);
	t->contact_attempts = 3; /* CASE_CONTACT_ATTEMPTS, CASE_CONTACT_DAYS */
	t->contact_days = 2;
	if ((n > 8 && *f[8] && int_field(f[8], &t->contact_attempts, e) < 0) ||
	    (n > 9 && *f[9] && int_field(f[9], &t->contact_days, e) < 0))
		return -1;
	if (t->contact_attempts < 1 || t->contact_attempts > 24 || t->contact_days < 1 ||
	    t->contact_days > 30)
		return err_set(e, 500, "data", "", "topic %s: contact attempts 1-24, days 1-30",
			       f[0]);
	return 0;
}

static int prov_row(char **f, int n, void *arg, struct err *e)
{
	(void)arg;
	if (need(n, 5, e) < 0)
		return -1;
	fixed.provs = grow(fixed.provs, fixed.nprovs, sizeof *fixed.provs);
	struct province *p = &fixed.provs[fixed.nprovs++];
	memset(p, 0, sizeof *p);
	snprintf(p->code, sizeof p->code, "%s", f[0]);
	snprintf(p->name, sizeof p->name, "%s", f[1]);
	snprintf(p->name_en, sizeof p->name_en, "%s", f[2]);
	snprintf(p->branches, sizeof p->branches, "%s", f[4]);
	return int_field(f[3], &p->population, e);
}

static int chan_row(char **f, int n, void *arg, struct err *e)
{
	(void)arg;
	if (need(n, 3, e) < 0)
		return -1;
	fixed.chans = grow(fixed.chans, fixed.nchans, sizeof *fixed.chans);
	struct channel *c = &fixed.chans[fixed.nchans++];
	memset(c, 0, sizeof *c);
	snprintf(c->code, sizeof c->code, "%s", f[0]);
	snprintf(c->name, sizeof c->name, "%s", f[1]);
	return int_field(f[2], &c->demo_weight, e);
}

static int step_ok(struct db *db, struct db_stmt *s, struct err *e)
{
	int rc = s ? db_step(s) : -1;
	db_done(s);
	return rc < 0 ? err_set(e, 500, "data", "", "%s", db_errmsg(db)) : 0;
}

static int64_t id_of(struct db *db, const char *sql, const char *code)
{
	struct db_stmt *s = db_prepare(db, sql);
	db_bind_text(s, 1, code);
	int64_t id = db_step(s) == 1 ? db_col_int(s, 0) : 0;
	db_done(s);
	return id;
}

/* The files into the database: codes it lacks are inserted; a row no admin edited takes
 * the file's values; an edited row keeps its admin-editable fields (catalog.h). */
static int sync_db(struct db *db, struct catalog_snapshot *file, struct err *e)
{
	for (int i = 0; i < file->ndeps; i++) {
		struct department *d = &file->deps[i];
		struct db_stmt *s = db_prepare(
			db, "INSERT INTO departments(code, name, name_en, calendar) VALUES ($1,$2,$3,$4)"
			    " ON CONFLICT(code) DO UPDATE SET name_en = excluded.name_en,"
			    " calendar = excluded.calendar, name = CASE WHEN departments.edited_at"
			    " IS NULL THEN excluded.name ELSE departments.name END");
		db_bind_text(s, 1, d->code);
		db_bind_text(s, 2, d->name);
		db_bind_text(s, 3, d->name_en);
		db_bind_text(s, 4, d->always ? "always" : "office");
		if (step_ok(db, s, e) < 0)
			return -1;
	}
	for (int i = 0; i < file->ntopics; i++) {
		struct topic *t = &file->topics[i];
		/* topics were read before ids were known: map the temporary index */
		const char *dep = file->deps[t->department_id - 1].code;
		int64_t dep_id = id_of(db, "SELECT id FROM departments WHERE code = $1", dep);
		struct db_stmt *s = db_prepare(
			db, "INSERT INTO topics(code, name, department_id, first_response_min,"
			    " resolution_min, report_back_min, keywords) VALUES ($1,$2,$3,$4,$5,$6,$7)"
			    " ON CONFLICT(code) DO UPDATE SET keywords = excluded.keywords,"
			    " name = CASE WHEN topics.edited_at IS NULL THEN excluded.name"
			    " ELSE topics.name END,"
			    " department_id = CASE WHEN topics.edited_at IS NULL"
			    " THEN excluded.department_id ELSE topics.department_id END,"
			    " first_response_min = CASE WHEN topics.edited_at IS NULL"
			    " THEN excluded.first_response_min ELSE topics.first_response_min END,"
			    " resolution_min = CASE WHEN topics.edited_at IS NULL"
			    " THEN excluded.resolution_min ELSE topics.resolution_min END,"
			    " report_back_min = CASE WHEN topics.edited_at IS NULL"
			    " THEN excluded.report_back_min ELSE topics.report_back_min END");
		db_bind_text(s, 1, t->code);
		db_bind_text(s, 2, t->name);
		db_bind_int(s, 3, dep_id);
		db_bind_int(s, 4, t->first_response_min);
		db_bind_int(s, 5, t->resolution_min);
		db_bind_int(s, 6, t->report_back_min);
		db_bind_text(s, 7, t->keywords);
		if (step_ok(db, s, e) < 0)
			return -1;
	}
	for (int i = 0; i < fixed.nprovs; i++) {
		struct province *p = &fixed.provs[i];
		struct db_stmt *s = db_prepare(
			db, "INSERT INTO provinces(code, name, name_en) VALUES ($1,$2,$3)"
			    " ON CONFLICT(code) DO UPDATE SET name = excluded.name,"
			    " name_en = excluded.name_en");
		db_bind_text(s, 1, p->code);
		db_bind_text(s, 2, p->name);
		db_bind_text(s, 3, p->name_en);
		if (step_ok(db, s, e) < 0)
			return -1;
		char *br = strdup(p->branches), *save = NULL;
		for (char *b = strtok_r(br, ",", &save); b; b = strtok_r(NULL, ",", &save)) {
			struct db_stmt *bs = db_prepare(
				db, "INSERT INTO branches(province, name) VALUES ($1, $2)"
				    " ON CONFLICT(province, name) DO NOTHING");
			db_bind_text(bs, 1, p->code);
			db_bind_text(bs, 2, b);
			if (step_ok(db, bs, e) < 0) {
				free(br);
				return -1;
			}
		}
		free(br);
	}
	return 0;
}

/* ---- snapshots ---- */

static void snap_free(struct catalog_snapshot *s)
{
	if (!s)
		return;
	free(s->json[0]);
	free(s->json[1]);
	free(s->deps);
	free(s->topics);
	free(s);
}

static void *dup_array(const void *a, size_t n, size_t size)
{
	void *c = malloc(n ? n * size : 1);
	if (!c)
		abort();
	if (n)
		memcpy(c, a, n * size);
	return c;
}

/* The same codes in the same order, for snap_fill to refresh from the database. */
static struct catalog_snapshot *snap_copy(const struct catalog_snapshot *s)
{
	struct catalog_snapshot *c = calloc(1, sizeof *c);
	if (!c)
		abort();
	c->ndeps = s->ndeps;
	c->deps = dup_array(s->deps, (size_t)s->ndeps, sizeof *s->deps);
	c->ntopics = s->ntopics;
	c->topics = dup_array(s->topics, (size_t)s->ntopics, sizeof *s->topics);
	return c;
}

static void copy_text(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

static json_t *edited_json(int64_t at)
{
	if (!at)
		return json_null();
	char iso[21];
	iso_format(at, iso);
	return json_string(iso);
}

static json_t *topic_json(const struct catalog_snapshot *s, const struct topic *t)
{
	const struct department *d = dep_by_id(s, t->department_id);
	return json_pack("{s:s,s:s,s:s,s:{s:i,s:i,s:i},s:{s:i,s:i},s:s,s:o,s:s?}", "code",
			 t->code, "name", t->name, "department", d ? d->code : "", "sla_minutes",
			 "first_response", t->first_response_min, "resolution", t->resolution_min,
			 "report_back", t->report_back_min, "contact_attempts", "attempts",
			 t->contact_attempts, "days", t->contact_days, "keywords", t->keywords,
			 "edited_at",
			 edited_json(t->edited_at), "edited_by",
			 t->edited_by[0] ? t->edited_by : NULL);
}

static json_t *department_json(const struct department *d)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:o,s:s?}", "code", d->code, "name", d->name, "name_en",
			 d->name_en, "calendar", d->always ? "always" : "office", "edited_at",
			 edited_json(d->edited_at), "edited_by",
			 d->edited_by[0] ? d->edited_by : NULL);
}

static char *dump_items(json_t *a)
{
	json_t *j = json_pack("{s:o}", "items", a);
	char *s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (!s)
		abort();
	return s;
}

static void snap_write_json(struct catalog_snapshot *s)
{
	json_t *a = json_array();
	for (int i = 0; i < s->ntopics; i++)
		json_array_append_new(a, topic_json(s, &s->topics[i]));
	s->json[CATALOG_TOPICS] = dump_items(a);
	a = json_array();
	for (int i = 0; i < s->ndeps; i++)
		json_array_append_new(a, department_json(&s->deps[i]));
	s->json[CATALOG_DEPARTMENTS] = dump_items(a);
}

/* Refreshes every department and topic of s from the database, then its JSON. */
static int snap_fill(struct db *db, struct catalog_snapshot *s, struct err *e)
{
	for (int i = 0; i < s->ndeps; i++) {
		struct department *d = &s->deps[i];
		struct db_stmt *q = db_prepare(
			db, "SELECT d.id, d.name, d.name_en, d.calendar, d.edited_at, u.login"
			    " FROM departments d LEFT JOIN users u ON u.id = d.edited_by"
			    " WHERE d.code = $1");
		if (!q)
			return err_set(e, 500, "data", "", "%s", db_errmsg(db));
		db_bind_text(q, 1, d->code);
		int rc = db_step(q);
		if (rc == 1) {
			d->id = db_col_int(q, 0);
			copy_text(d->name, sizeof d->name, db_col_text(q, 1));
			copy_text(d->name_en, sizeof d->name_en, db_col_text(q, 2));
			const char *cal = db_col_text(q, 3);
			d->always = cal && strcmp(cal, "always") == 0;
			d->edited_at = db_col_int(q, 4);
			copy_text(d->edited_by, sizeof d->edited_by, db_col_text(q, 5));
		}
		db_done(q);
		if (rc != 1)
			return err_set(e, 500, "data", "", "department %s is not in the database",
				       d->code);
	}
	for (int i = 0; i < s->ntopics; i++) {
		struct topic *t = &s->topics[i];
		struct db_stmt *q = db_prepare(
			db, "SELECT t.id, t.name, t.department_id, t.first_response_min,"
			    " t.resolution_min, t.report_back_min, t.keywords, t.edited_at, u.login"
			    " FROM topics t LEFT JOIN users u ON u.id = t.edited_by WHERE t.code = $1");
		if (!q)
			return err_set(e, 500, "data", "", "%s", db_errmsg(db));
		db_bind_text(q, 1, t->code);
		int rc = db_step(q);
		if (rc == 1) {
			t->id = db_col_int(q, 0);
			copy_text(t->name, sizeof t->name, db_col_text(q, 1));
			t->department_id = db_col_int(q, 2);
			t->first_response_min = (int)db_col_int(q, 3);
			t->resolution_min = (int)db_col_int(q, 4);
			t->report_back_min = (int)db_col_int(q, 5);
			copy_text(t->keywords, sizeof t->keywords, db_col_text(q, 6));
			t->edited_at = db_col_int(q, 7);
			copy_text(t->edited_by, sizeof t->edited_by, db_col_text(q, 8));
		}
		db_done(q);
		if (rc != 1)
			return err_set(e, 500, "data", "", "topic %s is not in the database",
				       t->code);
	}
	free(s->json[0]);
	free(s->json[1]);
	s->json[0] = s->json[1] = NULL;
	snap_write_json(s);
	return 0;
}

static void write_fixed_json(void)
{
	json_t *a = json_array();
	for (int i = 0; i < fixed.nchans; i++)
		json_array_append_new(a, json_pack("{s:s,s:s}", "code", fixed.chans[i].code, "name",
						   fixed.chans[i].name));
	fixed.chans_json = dump_items(a);
}

int catalog_sync(struct db *db, const char *data_dir, struct err *e)
{
	catalog_release();
	struct catalog_snapshot *file = calloc(1, sizeof *file);
	if (!file)
		abort();
	char path[1024];
	snprintf(path, sizeof path, "%s/departments.tsv", data_dir);
	if (tsv_read(path, dep_row, file, e) < 0)
		goto fail;
	snprintf(path, sizeof path, "%s/topics.tsv", data_dir);
	if (tsv_read(path, topic_row, file, e) < 0)
		goto fail;
	snprintf(path, sizeof path, "%s/provinces.tsv", data_dir);
	if (tsv_read(path, prov_row, NULL, e) < 0)
		goto fail;
	snprintf(path, sizeof path, "%s/channels.tsv", data_dir);
	if (tsv_read(path, chan_row, NULL, e) < 0)
		goto fail;
	if (db_begin(db) < 0) {
		err_set(e, 500, "data", "", "%s", db_errmsg(db));
		goto fail;
	}
	err_clear(e);
	if (sync_db(db, file, e) < 0 || snap_fill(db, file, e) < 0 || db_commit(db) < 0) {
		if (!e->message[0])
			err_set(e, 500, "data", "", "%s", db_errmsg(db));
		db_rollback(db);
		goto fail;
	}
	write_fixed_json();
	atomic_store_explicit(&current, file, memory_order_release);
	return 0;
fail:
	snap_free(file);
	return -1;
}

void catalog_release(void)
{
	snap_free(atomic_exchange(&current, NULL));
	while (pub.retired) {
		struct catalog_snapshot *next = pub.retired->retired;
		snap_free(pub.retired);
		pub.retired = next;
	}
	atomic_store(&pub.seq, 0);
	free(fixed.provs);
	free(fixed.chans);
	free(fixed.chans_json);
	memset(&fixed, 0, sizeof fixed);
}

/* ---- lookups ---- */

const struct department *catalog_department_by_code(const char *code)
{
	return dep_by_code(snap(), code);
}

const struct department *catalog_department_by_id(int64_t id)
{
	return dep_by_id(snap(), id);
}

const struct topic *catalog_topic_by_code(const char *code)
{
	return topic_by_code(snap(), code);
}

const struct topic *catalog_topic_by_id(int64_t id)
{
	const struct catalog_snapshot *s = snap();
	for (int i = 0; s && i < s->ntopics; i++)
		if (s->topics[i].id == id)
			return &s->topics[i];
	return NULL;
}

const struct province *catalog_province_by_code(const char *code)
{
	for (int i = 0; code && i < fixed.nprovs; i++)
		if (strcmp(fixed.provs[i].code, code) == 0)
			return &fixed.provs[i];
	return NULL;
}

const struct channel *catalog_channel_by_code(const char *code)
{
	for (int i = 0; code && i < fixed.nchans; i++)
		if (strcmp(fixed.chans[i].code, code) == 0)
			return &fixed.chans[i];
	return NULL;
}

int catalog_topics(const struct topic **out)
{
	const struct catalog_snapshot *s = snap();
	*out = s ? s->topics : NULL;
	return s ? s->ntopics : 0;
}
int catalog_departments(const struct department **out)
{
	const struct catalog_snapshot *s = snap();
	*out = s ? s->deps : NULL;
	return s ? s->ndeps : 0;
}
int catalog_provinces(const struct province **out)
{
	*out = fixed.provs;
	return fixed.nprovs;
}
int catalog_channels(const struct channel **out)
{
	*out = fixed.chans;
	return fixed.nchans;
}

const char *catalog_json(enum catalog_list which)
{
	const struct catalog_snapshot *s = snap();
	const char *j = NULL;
	if (which == CATALOG_CHANNELS)
		j = fixed.chans_json;
	else if ((which == CATALOG_TOPICS || which == CATALOG_DEPARTMENTS) && s)
		j = s->json[which];
	return j ? j : "{\"items\":[]}";
}

/* ---- admin edits ---- */

/* Appends "field old -> new" to the edit's change text. */
static void change_add(struct catalog_edit *c, const char *field, const char *from, const char *to)
{
	size_t n = strlen(c->change);
	const char *sep = n && c->change[n - 1] == ':' ? " " : ", ";
	snprintf(c->change + n, sizeof c->change - n, "%s%s %s -> %s", sep, field, from, to);
}

static void change_int(struct catalog_edit *c, const char *field, int from, int to)
{
	char a[16], b[16];
	snprintf(a, sizeof a, "%d", from);
	snprintf(b, sizeof b, "%d", to);
	change_add(c, field, a, b);
}

static int minutes_ok(int v, const char *field, struct err *e)
{
	if (v < 0 || v > CATALOG_MINUTES_MAX)
		return err_set(e, 400, "invalid_field", field, "%s must be from 1 to %d", field,
			       CATALOG_MINUTES_MAX);
	return 0;
}

/* After the row changed: the snapshot that holds it, numbered in the writer's order. */
static int build_next(struct db *db, struct catalog_edit *c, struct err *e)
{
	size_t n = strlen(c->change);
	if (n && c->change[n - 1] == ':')
		snprintf(c->change + n, sizeof c->change - n, " no change");
	const struct catalog_snapshot *now = snap();
	if (!now)
		return err_set(e, 500, "internal", "", "the catalogue is not loaded");
	struct catalog_snapshot *s = snap_copy(now);
	if (snap_fill(db, s, e) < 0) {
		snap_free(s);
		return -1;
	}
	s->seq = atomic_fetch_add(&pub.seq, 1) + 1;
	c->next = s;
	return 0;
}

static int name_ok(const char *name, struct err *e)
{
	size_t chars = 0;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		chars += (*p & 0xc0) != 0x80;
	if (!chars || chars > CATALOG_NAME_CHARS)
		return err_set(e, 400, "invalid_field", "name", "name must be 1-%d characters",
			       CATALOG_NAME_CHARS);
	return 0;
}

int catalog_topic_edit(struct db *db, struct catalog_edit *c, struct err *e)
{
	c->next = NULL;
	snprintf(c->change, sizeof c->change, "%s:", c->code ? c->code : "");
	if (!topic_by_code(snap(), c->code))
		return err_set(e, 404, "not_found", "code", "no topic %s", c->code ? c->code : "");
	if ((c->name && name_ok(c->name, e) < 0) ||
	    minutes_ok(c->first_response_min, "first_response_min", e) < 0 ||
	    minutes_ok(c->resolution_min, "resolution_min", e) < 0 ||
	    minutes_ok(c->report_back_min, "report_back_min", e) < 0)
		return -1;
	if (c->department_id && !dep_by_id(snap(), c->department_id))
		return err_set(e, 400, "unknown_department", "department", "unknown department");
	struct db_stmt *s = db_prepare(
		db, "SELECT t.id, t.name, t.department_id, t.first_response_min, t.resolution_min,"
		    " t.report_back_min, d.code FROM topics t JOIN departments d"
		    " ON d.id = t.department_id WHERE t.code = $1");
	if (!s)
		return db_fail(db, e);
	db_bind_text(s, 1, c->code);
	if (db_step(s) != 1) {
		db_done(s);
		return err_set(e, 404, "not_found", "code", "no topic %s", c->code);
	}
	int64_t id = db_col_int(s, 0);
	char name[sizeof((struct topic *)0)->name], dep[32];
	copy_text(name, sizeof name, db_col_text(s, 1));
	int64_t dep_id = db_col_int(s, 2);
	int fr = (int)db_col_int(s, 3), res = (int)db_col_int(s, 4), rb = (int)db_col_int(s, 5);
	copy_text(dep, sizeof dep, db_col_text(s, 6));
	db_done(s);
	if (c->name && strcmp(c->name, name) != 0) {
		change_add(c, "name", name, c->name);
		copy_text(name, sizeof name, c->name);
	}
	if (c->department_id && c->department_id != dep_id) {
		change_add(c, "department", dep, dep_by_id(snap(), c->department_id)->code);
		dep_id = c->department_id;
	}
	if (c->first_response_min && c->first_response_min != fr) {
		change_int(c, "first_response_min", fr, c->first_response_min);
		fr = c->first_response_min;
	}
	if (c->resolution_min && c->resolution_min != res) {
		change_int(c, "resolution_min", res, c->resolution_min);
		res = c->resolution_min;
	}
	if (c->report_back_min && c->report_back_min != rb) {
		change_int(c, "report_back_min", rb, c->report_back_min);
		rb = c->report_back_min;
	}
	s = db_prepare(db, "UPDATE topics SET name = $2, department_id = $3,"
			   " first_response_min = $4, resolution_min = $5, report_back_min = $6,"
			   " edited_by = $7, edited_at = $8 WHERE id = $1");
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, name);
	db_bind_int(s, 3, dep_id);
	db_bind_int(s, 4, fr);
	db_bind_int(s, 5, res);
	db_bind_int(s, 6, rb);
	if (c->user_id)
		db_bind_int(s, 7, c->user_id);
	db_bind_int(s, 8, c->now);
	if (step_ok(db, s, e) < 0)
		return db_fail(db, e);
	return build_next(db, c, e);
}

int catalog_department_edit(struct db *db, struct catalog_edit *c, struct err *e)
{
	c->next = NULL;
	snprintf(c->change, sizeof c->change, "%s:", c->code ? c->code : "");
	if (!dep_by_code(snap(), c->code))
		return err_set(e, 404, "not_found", "code", "no department %s",
			       c->code ? c->code : "");
	if (c->name && name_ok(c->name, e) < 0)
		return -1;
	struct db_stmt *s = db_prepare(db, "SELECT id, name FROM departments WHERE code = $1");
	if (!s)
		return db_fail(db, e);
	db_bind_text(s, 1, c->code);
	if (db_step(s) != 1) {
		db_done(s);
		return err_set(e, 404, "not_found", "code", "no department %s", c->code);
	}
	int64_t id = db_col_int(s, 0);
	char name[sizeof((struct department *)0)->name];
	copy_text(name, sizeof name, db_col_text(s, 1));
	db_done(s);
	if (c->name && strcmp(c->name, name) != 0) {
		change_add(c, "name", name, c->name);
		copy_text(name, sizeof name, c->name);
	}
	s = db_prepare(db, "UPDATE departments SET name = $2, edited_by = $3, edited_at = $4"
			   " WHERE id = $1");
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, name);
	if (c->user_id)
		db_bind_int(s, 3, c->user_id);
	db_bind_int(s, 4, c->now);
	if (step_ok(db, s, e) < 0)
		return db_fail(db, e);
	return build_next(db, c, e);
}

void catalog_publish(struct catalog_snapshot *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&pub.mu);
	struct catalog_snapshot *old = atomic_load_explicit(&current, memory_order_relaxed);
	if (old && old->seq >= s->seq) {
		/* a later edit is current already, and holds this one */
		pthread_mutex_unlock(&pub.mu);
		snap_free(s);
		return;
	}
	atomic_store_explicit(&current, s, memory_order_release);
	if (old) {
		old->retired = pub.retired;
		pub.retired = old;
	}
	pthread_mutex_unlock(&pub.mu);
}

void catalog_discard(struct catalog_snapshot *s)
{
	snap_free(s);
}

json_t *catalog_snapshot_item(const struct catalog_snapshot *s, enum catalog_list which,
			      const char *code)
{
	if (which == CATALOG_TOPICS) {
		const struct topic *t = topic_by_code(s, code);
		return t ? topic_json(s, t) : NULL;
	}
	if (which == CATALOG_DEPARTMENTS) {
		const struct department *d = dep_by_code(s, code);
		return d ? department_json(d) : NULL;
	}
	return NULL;
}
