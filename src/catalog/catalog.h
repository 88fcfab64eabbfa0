/* catalog: provinces, departments, topics and channels. Kept as data in the data/ TSV files,
 * synchronised into the database at start (codes are stable, names and SLA targets may
 * change), and held in memory, read-only, for the server's lifetime. */
#ifndef TAMIN_CATALOG_CATALOG_H
#define TAMIN_CATALOG_CATALOG_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "store/store.h"

struct department {
	int64_t id;
	char code[32];
	char name[128];
	char name_en[64];
	int always; /* 24/7 calendar rather than office hours */
};

struct topic {
	int64_t id;
	char code[48];
	char name[160];
	int64_t department_id;
	int first_response_min, resolution_min, report_back_min; /* working minutes */
	int demo_weight;
	char keywords[256];
};

struct province {
	char code[4];
	char name[64];
	char name_en[64];
	int population; /* thousands */
	char branches[512]; /* comma-separated */
};

struct channel {
	char code[24];
	char name[64];
	int demo_weight;
};

/* Reads data_dir's tsv files, upserts them into db (inside one transaction) and
 * loads the in-memory catalogue. 0 or -1 with e naming the file and line. */
int catalog_sync(struct db *db, const char *data_dir, struct err *e);
void catalog_release(void);

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
/* The list as the API's JSON ({"items":[...]}), written once by catalog_sync. */
const char *catalog_json(enum catalog_list which);

/* Reads a TAB-separated data file: calls row(fields, n, arg) for each non-comment line.
 * A row callback returns 0, or -1 after filling e. */
int tsv_read(const char *path, int (*row)(char **f, int n, void *arg, struct err *e), void *arg,
	     struct err *e);

#endif
