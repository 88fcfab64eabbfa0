/* The catalogue's admin edits: snapshots published after commit and in the writer's
 * order, discarded when the transaction fails, old pointers left intact, and the start's
 * sync keeping an edited row while still applying the files to the others. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/jalali.h"
#include "base/worktime.h"
#include "cases/cases.h"
#include "catalog/catalog.h"
#include "store/store.h"
#include "store/writer.h"

#include "dbfixture.h"

struct edit_job {
	struct catalog_edit edit;
	int topic;
	int fail_after; /* the job fails after its edit: the transaction rolls back */
};

static int edit_run(struct db *db, void *arg, struct err *e)
{
	struct edit_job *j = arg;
	int rc = j->topic ? catalog_topic_edit(db, &j->edit, e)
			  : catalog_department_edit(db, &j->edit, e);
	if (rc == 0 && j->fail_after) {
		catalog_discard(j->edit.next);
		j->edit.next = NULL;
		return err_set(e, 500, "test", "", "failing after the edit");
	}
	return rc;
}

/* Runs an edit in its own transaction; returns 0 or -1 with *e. Does not publish. */
static int run_edit(struct fx *f, struct edit_job *j, struct err *e)
{
	struct write_job job = {.run = edit_run, .arg = j};
	int rc = writer_run_now(f->db, &job);
	*e = job.err;
	return rc;
}

static int64_t col(struct fx *f, const char *sql, const char *code)
{
	struct db_stmt *s = db_prepare(f->db, sql);
	db_bind_text(s, 1, code);
	int64_t v = db_step(s) == 1 ? db_col_int(s, 0) : -1;
	db_done(s);
	return v;
}

static void test_edit_shows_after_publish(void **state)
{
	struct fx *f = *state;
	const struct topic *old = catalog_topic_by_code("general_info");
	int old_res = old->resolution_min;
	assert_int_not_equal(old_res, 77);
	struct edit_job j = {.topic = 1,
			     .edit = {.code = "general_info", .resolution_min = 77, .now = 1000}};
	struct err e;
	assert_int_equal(run_edit(f, &j, &e), 0);
	assert_non_null(j.edit.next);
	assert_string_equal(j.edit.change, "general_info: resolution_min 60 -> 77");
	/* committed but not yet published: readers still see the old snapshot */
	assert_int_equal(catalog_topic_by_code("general_info")->resolution_min, old_res);
	assert_int_equal(
	    col(f, "SELECT resolution_min FROM topics WHERE code = $1", "general_info"), 77);
	json_t *item = catalog_snapshot_item(j.edit.next, CATALOG_TOPICS, "general_info");
	assert_non_null(item);
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(item, "sla_minutes"), "resolution")),
	    77);
	assert_string_equal(json_string_value(json_object_get(item, "edited_at")),
			    "1970-01-01T00:16:40Z");
	json_decref(item);
	catalog_publish(j.edit.next);
	const struct topic *now = catalog_topic_by_code("general_info");
	assert_int_equal(now->resolution_min, 77);
	assert_int_equal(now->edited_at, 1000);
	assert_int_equal(now->first_response_min, old->first_response_min);
	/* the old snapshot is intact for whoever still holds it */
	assert_int_equal(old->resolution_min, old_res);
	assert_non_null(strstr(catalog_json(CATALOG_TOPICS), "\"resolution\":77"));
	/* a new case takes the new target */
	struct case_new c = {.topic = catalog_topic_by_code("general_info"), .now = 5000};
	case_new_schedule(&c, &f->app);
	assert_int_equal(c.resolution_due, 5000 + 77 * 60);
}

static void test_publish_in_writer_order(void **state)
{
	struct fx *f = *state;
	struct err e;
	struct edit_job a = {.topic = 1,
			     .edit = {.code = "pension_not_paid", .resolution_min = 1111}};
	struct edit_job b = {.topic = 1,
			     .edit = {.code = "pension_not_paid", .resolution_min = 2222}};
	assert_int_equal(run_edit(f, &a, &e), 0);
	assert_int_equal(run_edit(f, &b, &e), 0);
	/* the later edit's reply ran first: the earlier one must not undo it */
	catalog_publish(b.edit.next);
	catalog_publish(a.edit.next);
	assert_int_equal(catalog_topic_by_code("pension_not_paid")->resolution_min, 2222);
	assert_int_equal(
	    col(f, "SELECT resolution_min FROM topics WHERE code = $1", "pension_not_paid"), 2222);
	/* a department and a topic edit: the later snapshot holds both */
	const struct department *rec = catalog_department_by_code("records");
	struct edit_job d = {.edit = {.code = "records", .name = "سوابق"}};
	struct edit_job t = {.topic = 1,
			     .edit = {.code = "pension_not_paid", .department_id = rec->id}};
	assert_int_equal(run_edit(f, &d, &e), 0);
	assert_int_equal(run_edit(f, &t, &e), 0);
	catalog_publish(t.edit.next);
	catalog_publish(d.edit.next);
	assert_string_equal(catalog_department_by_code("records")->name, "سوابق");
	assert_int_equal(catalog_topic_by_code("pension_not_paid")->department_id, rec->id);
	assert_non_null(strstr(t.edit.change, "department pensions -> records"));
}

static void test_failed_edit_is_discarded(void **state)
{
	struct fx *f = *state;
	struct err e;
	int before = catalog_topic_by_code("general_info")->resolution_min;
	struct edit_job j = {
	    .topic = 1, .fail_after = 1, .edit = {.code = "general_info", .resolution_min = 5}};
	assert_int_equal(run_edit(f, &j, &e), -1);
	assert_null(j.edit.next);
	assert_int_equal(catalog_topic_by_code("general_info")->resolution_min, before);
	assert_int_equal(
	    col(f, "SELECT resolution_min FROM topics WHERE code = $1", "general_info"), before);
	assert_int_equal(
	    col(f, "SELECT edited_at IS NULL FROM topics WHERE code = $1", "general_info"), 1);
	/* and refusals name what is wrong */
	struct edit_job u = {.topic = 1, .edit = {.code = "no_such", .resolution_min = 5}};
	assert_int_equal(run_edit(f, &u, &e), -1);
	assert_int_equal(e.status, 404);
	struct edit_job m = {.topic = 1,
			     .edit = {.code = "general_info", .resolution_min = 525601}};
	assert_int_equal(run_edit(f, &m, &e), -1);
	assert_int_equal(e.status, 400);
	assert_string_equal(e.field, "resolution_min");
	struct edit_job dep = {.topic = 1,
			       .edit = {.code = "general_info", .department_id = 99999}};
	assert_int_equal(run_edit(f, &dep, &e), -1);
	assert_string_equal(e.field, "department");
	char longname[700];
	memset(longname, 'a', 161);
	longname[161] = 0;
	struct edit_job n = {.edit = {.code = "records", .name = longname}};
	assert_int_equal(run_edit(f, &n, &e), -1);
	assert_string_equal(e.field, "name");
	assert_null(n.edit.next);
}

static void test_sync_keeps_edited_rows(void **state)
{
	struct fx *f = *state;
	struct err e = {0};
	struct edit_job t = {.topic = 1,
			     .edit = {.code = "general_info",
				      .name = "راهنما",
				      .resolution_min = 77,
				      .user_id = 0,
				      .now = 42}};
	struct edit_job d = {.edit = {.code = "records", .name = "سوابق", .now = 43}};
	assert_int_equal(run_edit(f, &t, &e), 0);
	assert_int_equal(run_edit(f, &d, &e), 0);
	catalog_publish(t.edit.next);
	catalog_publish(d.edit.next);
	/* the files and the database now disagree on an edited and an unedited row */
	int file_res = catalog_topic_by_code("pension_increase")->resolution_min;
	assert_int_equal(db_exec(f->db, "UPDATE topics SET resolution_min = 3, keywords = 'x'"
					" WHERE code IN ('pension_increase', 'general_info')"),
			 0);
	assert_int_equal(db_exec(f->db, "UPDATE departments SET name_en = 'x'"
					" WHERE code = 'records'"),
			 0);
	assert_int_equal(catalog_sync(f->db, data_dir(), &e), 0);
	const struct topic *g = catalog_topic_by_code("general_info");
	assert_int_equal(g->resolution_min, 3); /* the admin's (here: the database's) value */
	assert_string_equal(g->name, "راهنما");
	assert_int_equal(g->edited_at, 42);
	assert_string_not_equal(g->keywords, "x"); /* keywords still follow the file */
	const struct topic *p = catalog_topic_by_code("pension_increase");
	assert_int_equal(p->resolution_min, file_res); /* unedited: the file's value again */
	assert_int_equal(p->edited_at, 0);
	const struct department *r = catalog_department_by_code("records");
	assert_string_equal(r->name, "سوابق");
	assert_string_not_equal(r->name_en, "x");
	/* clearing edited_at hands the row back to the file */
	assert_int_equal(db_exec(f->db, "UPDATE topics SET edited_at = NULL"
					" WHERE code = 'general_info'"),
			 0);
	assert_int_equal(catalog_sync(f->db, data_dir(), &e), 0);
	assert_int_equal(catalog_topic_by_code("general_info")->resolution_min, 60);
	assert_string_not_equal(catalog_topic_by_code("general_info")->name, "راهنما");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_edit_shows_after_publish, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_publish_in_writer_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failed_edit_is_discarded, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sync_keeps_edited_rows, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
