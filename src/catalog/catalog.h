/* catalog: provinces, departments, topics and channels. Kept as data in the data/ TSV
 * files, synchronised into the database at start, held in memory for the server's
 * lifetime, and editable by an admin while serving (POST /api/v1/topics/{code},
 * POST /api/v1/departments/{code}).
 *
 * Who wins, the file or the admin. catalog_sync inserts the codes the files list that
 * the database lacks, and updates from the files only the rows no admin edited: an edit
 * sets the row's edited_by and edited_at (migration 007), and from then on the row's
 * admin-editable fields (a department's name; a topic's name, default department and
 * SLA minutes) keep the admin's values at every start. The other fields (a department's
 * English name and calendar, a topic's keywords) still follow the files. To hand an
 * edited row back to the file, clear its edited_at in the database. Which codes exist,
 * and their order, is always the files': a code removed from a file is no longer
 * offered, though old cases keep it.
 *
 * Threads. The departments, topics and their prebuilt JSON live in an immutable
 * snapshot; readers (every event loop, the writer thread) take the current one with an
 * atomic acquire load and never lock. An edit runs on the writer thread inside the
 * group's transaction: it updates the row and builds a new snapshot from the database
 * (so it holds every edit committed before it, and its own), numbered in the writer's
 * order. Once the group has committed, the request's loop publishes it: under a mutex,
 * it replaces the current snapshot only if its number is higher, so two edits whose
 * replies run on different loops cannot leave the older one in place. A snapshot whose
 * transaction failed is discarded unseen. A replaced snapshot is kept, not freed, until
 * catalog_release at exit: a pointer a reader took (a request holds a struct topic
 * across its write job) stays valid without any reader bookkeeping. Each edit so keeps
 * about 100 KiB until exit, nothing at the rate SLA targets change. Provinces and
 * channels do not change while serving. */
#ifndef TAMIN_CATALOG_CATALOG_H
#define TAMIN_CATALOG_CATALOG_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "store/store.h"

#define CATALOG_NAME_CHARS 160	   /* an admin's name for a topic or department */
#define CATALOG_MINUTES_MAX 525600 /* an SLA target: at most a year of minutes */

struct department {
	int64_t id;
	char code[32];
	char name[CATALOG_NAME_CHARS * 4 + 1];
	char name_en[64];
	int always;	    /* 24/7 calendar rather than office hours */
	int64_t edited_at;  /* 0: as data/departments.tsv has it */
	char edited_by[64]; /* the admin's login, "" if never edited */
};

struct topic {
	int64_t id;
	char code[48];
	char name[CATALOG_NAME_CHARS * 4 + 1];
	int64_t department_id; /* where a new case of this topic goes */
	int first_response_min, resolution_min, report_back_min; /* working minutes */
	int demo_weight;
	char keywords[256];
	/* failed contacts before a case closes without reaching the citizen, at different
	 * hours over at least contact_days days (data/topics.tsv's optional 9th and 10th
	 * columns; cases.h's defaults when absent) */
	int contact_attempts, contact_days;
	int64_t edited_at;  /* 0: as data/topics.tsv has it */
	char edited_by[64]; /* the admin's login, "" if never edited */
};

struct province {
	char code[4];
	char name[64];
	char name_en[64];
	int population;	    /* thousands */
	char branches[512]; /* comma-separated */
};

struct channel {
	char code[24];
	char name[64];
	int demo_weight;
};

/* Reads data_dir's tsv files, syncs them into db (inside one transaction, as the header
 * says: missing codes inserted, unedited rows updated) and loads the in-memory catalogue
 * from the database. 0 or -1 with e naming the file and line. Not thread-safe: call it
 * before the server's threads start. */
int catalog_sync(struct db *db, const char *data_dir, struct err *e);
/* Frees every snapshot; at exit, when no thread reads the catalogue any more. */
void catalog_release(void);

/* Lookups in the current snapshot. The pointers stay valid until catalog_release. */
const struct department *catalog_department_by_code(const char *code);
const struct department *catalog_department_by_id(int64_t id);
const struct topic *catalog_topic_by_code(const char *code);
const struct topic *catalog_topic_by_id(int64_t id);
const struct province *catalog_province_by_code(const char *code);
const struct channel *catalog_channel_by_code(const char *code);

int catalog_topics(const struct topic **out);
int catalog_departments(const struct department **out);
int catalog_provinces(const struct province **out);
int catalog_channels(const struct channel **out);

enum catalog_list { CATALOG_TOPICS, CATALOG_DEPARTMENTS, CATALOG_CHANNELS };
/* The list as the API's JSON ({"items":[...]}) of the current snapshot, written when the
 * snapshot was built. A topic item: {"code","name","department","sla_minutes":
 * {"first_response","resolution","report_back"},"keywords","edited_at","edited_by"};
 * a department item: {"code","name","name_en","calendar","edited_at","edited_by"}. */
const char *catalog_json(enum catalog_list which);

/* ---- admin edits (writer side) ---- */

struct catalog_snapshot;

/* One edit of a topic or a department. Fields left NULL or 0 keep their value. */
struct catalog_edit {
	const char *code;
	const char *name;
	int64_t department_id; /* topics: the default department (one of the catalogue's) */
	int first_response_min, resolution_min, report_back_min;
	int64_t user_id, now; /* the admin, recorded as edited_by and edited_at */
	/* results */
	struct catalog_snapshot *next; /* to publish once the transaction committed */
	char change[2048]; /* what changed, "code: field old -> new, ...", for the audit */
};

/* Runs inside a transaction (a writer job): updates the row and builds the snapshot
 * that will hold it into c->next. 0, or -1 with e (404 unknown code, field "code";
 * 400 on values out of range, naming the field) and c->next NULL. */
int catalog_topic_edit(struct db *db, struct catalog_edit *c, struct err *e);
int catalog_department_edit(struct db *db, struct catalog_edit *c, struct err *e);
/* After the transaction committed: makes s current unless a later edit's snapshot is
 * already current (then s is freed). Any thread. */
void catalog_publish(struct catalog_snapshot *s);
/* The transaction failed: frees s, never seen by a reader. NULL is ignored. */
void catalog_discard(struct catalog_snapshot *s);
/* One item of s as the lists show it (the topic or department of `code`): a new
 * reference, or NULL if s has no such item. */
json_t *catalog_snapshot_item(const struct catalog_snapshot *s, enum catalog_list which,
			      const char *code);

/* Reads a TAB-separated data file: calls row(fields, n, arg) for each non-comment line.
 * A row callback returns 0, or -1 after filling e. */
int tsv_read(const char *path, int (*row)(char **f, int n, void *arg, struct err *e), void *arg,
	     struct err *e);

/* The routes (catalog/http.c): admin edits. */
struct req;
void catalog_h_topic_edit(struct req *r);      /* POST /api/v1/topics/{code} */
void catalog_h_department_edit(struct req *r); /* POST /api/v1/departments/{code} */

#endif
