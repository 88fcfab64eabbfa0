#include "catalog/catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void write_json(void);

#define MAX_FIELDS 16

static struct {
	struct department *deps;
	int ndeps;
	struct topic *topics;
	int ntopics;
	struct province *provs;
	int nprovs;
	struct channel *chans;
	int nchans;
	char *json[3]; /* by enum catalog_list */
} cat;

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

static int dep_row(char **f, int n, void *arg, struct err *e)
{
	(void)arg;
	if (need(n, 4, e) < 0)
		return -1;
	cat.deps = grow(cat.deps, cat.ndeps, sizeof *cat.deps);
	struct department *d = &cat.deps[cat.ndeps++];
	memset(d, 0, sizeof *d);
	snprintf(d->code, sizeof d->code, "%s", f[0]);
	snprintf(d->name, sizeof d->name, "%s", f[1]);
	snprintf(d->name_en, sizeof d->name_en, "%s", f[2]);
	if (strcmp(f[3], "always") && strcmp(f[3], "office"))
		return err_set(e, 500, "data", "", "calendar must be office or always");
	d->always = strcmp(f[3], "always") == 0;
	return 0;
}

static int topic_row(char **f, int n, void *arg, struct err *e)
{
	(void)arg;
	if (need(n, 7, e) < 0)
		return -1;
	cat.topics = grow(cat.topics, cat.ntopics, sizeof *cat.topics);
	struct topic *t = &cat.topics[cat.ntopics++];
	memset(t, 0, sizeof *t);
	snprintf(t->code, sizeof t->code, "%s", f[0]);
	snprintf(t->name, sizeof t->name, "%s", f[1]);
	const struct department *d = catalog_department_by_code(f[2]);
	if (!d)
		return err_set(e, 500, "data", "", "unknown department %s", f[2]);
	t->department_id = d->id;
	if (int_field(f[3], &t->first_response_min, e) < 0 ||
	    int_field(f[4], &t->resolution_min, e) < 0 ||
	    int_field(f[5], &t->report_back_min, e) < 0 || int_field(f[6], &t->demo_weight, e) < 0)
		return -1;
	if (n > 7)
		snprintf(t->keywords, sizeof t->keywords, "%s", f[7]);
	return 0;
}

static int prov_row(char **f, int n, void *arg, struct err *e)
{
	(void)arg;
	if (need(n, 5, e) < 0)
		return -1;
	cat.provs = grow(cat.provs, cat.nprovs, sizeof *cat.provs);
	struct province *p = &cat.provs[cat.nprovs++];
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
	cat.chans = grow(cat.chans, cat.nchans, sizeof *cat.chans);
	struct channel *c = &cat.chans[cat.nchans++];
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

static int sync_db(struct db *db, struct err *e)
{
	for (int i = 0; i < cat.ndeps; i++) {
		struct department *d = &cat.deps[i];
		struct db_stmt *s = db_prepare(
			db, "INSERT INTO departments(code, name, name_en, calendar) VALUES ($1,$2,$3,$4)"
			    " ON CONFLICT(code) DO UPDATE SET name = excluded.name,"
			    " name_en = excluded.name_en, calendar = excluded.calendar");
		db_bind_text(s, 1, d->code);
		db_bind_text(s, 2, d->name);
		db_bind_text(s, 3, d->name_en);
		db_bind_text(s, 4, d->always ? "always" : "office");
		if (step_ok(db, s, e) < 0)
			return -1;
		d->id = id_of(db, "SELECT id FROM departments WHERE code = $1", d->code);
	}
	for (int i = 0; i < cat.ntopics; i++) {
		struct topic *t = &cat.topics[i];
		/* topics were read before ids were known: map the temporary index */
		t->department_id = cat.deps[t->department_id - 1].id;
		struct db_stmt *s = db_prepare(
			db, "INSERT INTO topics(code, name, department_id, first_response_min,"
			    " resolution_min, report_back_min, keywords) VALUES ($1,$2,$3,$4,$5,$6,$7)"
			    " ON CONFLICT(code) DO UPDATE SET name = excluded.name,"
			    " department_id = excluded.department_id,"
			    " first_response_min = excluded.first_response_min,"
			    " resolution_min = excluded.resolution_min,"
			    " report_back_min = excluded.report_back_min, keywords = excluded.keywords");
		db_bind_text(s, 1, t->code);
		db_bind_text(s, 2, t->name);
		db_bind_int(s, 3, t->department_id);
		db_bind_int(s, 4, t->first_response_min);
		db_bind_int(s, 5, t->resolution_min);
		db_bind_int(s, 6, t->report_back_min);
		db_bind_text(s, 7, t->keywords);
		if (step_ok(db, s, e) < 0)
			return -1;
		t->id = id_of(db, "SELECT id FROM topics WHERE code = $1", t->code);
	}
	for (int i = 0; i < cat.nprovs; i++) {
		struct province *p = &cat.provs[i];
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

int catalog_sync(struct db *db, const char *data_dir, struct err *e)
{
	catalog_release();
	char path[1024];
	snprintf(path, sizeof path, "%s/departments.tsv", data_dir);
	if (tsv_read(path, dep_row, NULL, e) < 0)
		return -1;
	/* until synced, a department's id is its 1-based position */
	for (int i = 0; i < cat.ndeps; i++)
		cat.deps[i].id = i + 1;
	snprintf(path, sizeof path, "%s/topics.tsv", data_dir);
	if (tsv_read(path, topic_row, NULL, e) < 0)
		return -1;
	snprintf(path, sizeof path, "%s/provinces.tsv", data_dir);
	if (tsv_read(path, prov_row, NULL, e) < 0)
		return -1;
	snprintf(path, sizeof path, "%s/channels.tsv", data_dir);
	if (tsv_read(path, chan_row, NULL, e) < 0)
		return -1;
	if (db_begin(db) < 0)
		return err_set(e, 500, "data", "", "%s", db_errmsg(db));
	if (sync_db(db, e) < 0 || db_commit(db) < 0) {
		if (!e->message[0])
			err_set(e, 500, "data", "", "%s", db_errmsg(db));
		db_rollback(db);
		return -1;
	}
	write_json();
	return 0;
}

void catalog_release(void)
{
	for (int i = 0; i < 3; i++)
		free(cat.json[i]);
	free(cat.deps);
	free(cat.topics);
	free(cat.provs);
	free(cat.chans);
	memset(&cat, 0, sizeof cat);
}

const struct department *catalog_department_by_code(const char *code)
{
	for (int i = 0; code && i < cat.ndeps; i++)
		if (strcmp(cat.deps[i].code, code) == 0)
			return &cat.deps[i];
	return NULL;
}

const struct department *catalog_department_by_id(int64_t id)
{
	for (int i = 0; i < cat.ndeps; i++)
		if (cat.deps[i].id == id)
			return &cat.deps[i];
	return NULL;
}

const struct topic *catalog_topic_by_code(const char *code)
{
	for (int i = 0; code && i < cat.ntopics; i++)
		if (strcmp(cat.topics[i].code, code) == 0)
			return &cat.topics[i];
	return NULL;
}

const struct topic *catalog_topic_by_id(int64_t id)
{
	for (int i = 0; i < cat.ntopics; i++)
		if (cat.topics[i].id == id)
			return &cat.topics[i];
	return NULL;
}

const struct province *catalog_province_by_code(const char *code)
{
	for (int i = 0; code && i < cat.nprovs; i++)
		if (strcmp(cat.provs[i].code, code) == 0)
			return &cat.provs[i];
	return NULL;
}

const struct channel *catalog_channel_by_code(const char *code)
{
	for (int i = 0; code && i < cat.nchans; i++)
		if (strcmp(cat.chans[i].code, code) == 0)
			return &cat.chans[i];
	return NULL;
}

int catalog_topics(const struct topic **out)
{
	*out = cat.topics;
	return cat.ntopics;
}
int catalog_departments(const struct department **out)
{
	*out = cat.deps;
	return cat.ndeps;
}
int catalog_provinces(const struct province **out)
{
	*out = cat.provs;
	return cat.nprovs;
}
int catalog_channels(const struct channel **out)
{
	*out = cat.chans;
	return cat.nchans;
}

static json_t *catalog_topics_json(void)
{
	json_t *a = json_array();
	for (int i = 0; i < cat.ntopics; i++) {
		const struct topic *t = &cat.topics[i];
		const struct department *d = catalog_department_by_id(t->department_id);
		json_array_append_new(
			a, json_pack("{s:s,s:s,s:s,s:{s:i,s:i,s:i},s:s}", "code", t->code, "name",
				     t->name, "department", d ? d->code : "", "sla_minutes",
				     "first_response", t->first_response_min, "resolution",
				     t->resolution_min, "report_back", t->report_back_min, "keywords",
				     t->keywords));
	}
	return json_pack("{s:o}", "items", a);
}

static json_t *catalog_departments_json(void)
{
	json_t *a = json_array();
	for (int i = 0; i < cat.ndeps; i++) {
		const struct department *d = &cat.deps[i];
		json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:s}", "code", d->code, "name",
						   d->name, "name_en", d->name_en, "calendar",
						   d->always ? "always" : "office"));
	}
	return json_pack("{s:o}", "items", a);
}

static json_t *catalog_channels_json(void)
{
	json_t *a = json_array();
	for (int i = 0; i < cat.nchans; i++)
		json_array_append_new(a, json_pack("{s:s,s:s}", "code", cat.chans[i].code, "name",
						   cat.chans[i].name));
	return json_pack("{s:o}", "items", a);
}

const char *catalog_json(enum catalog_list which)
{
	return which >= CATALOG_TOPICS && which <= CATALOG_CHANNELS && cat.json[which]
		       ? cat.json[which]
		       : "{\"items\":[]}";
}

static char *dump(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return s;
}

static void write_json(void)
{
	cat.json[CATALOG_TOPICS] = dump(catalog_topics_json());
	cat.json[CATALOG_DEPARTMENTS] = dump(catalog_departments_json());
	cat.json[CATALOG_CHANNELS] = dump(catalog_channels_json());
}
