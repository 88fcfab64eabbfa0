/* GET /api/v1/calls/staffing: staffing.h. */
#include "staffing/staffing.h"

#include "http/http.h"
#include "staffing/erlang.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int staffing_number(const char *text, const char *field, double min, double max, int integer,
		    double *out, struct err *e)
{
	if (!text)
		return err_set(e, 400, "missing_field", field, "%s is required", field);
	size_t len = strlen(text), digits = strspn(text, "0123456789");
	int ok = digits > 0 && len <= 20;
	if (ok && digits < len)
		ok = !integer && text[digits] == '.' &&
		     strspn(text + digits + 1, "0123456789") == len - digits - 1;
	/* strtod only once the text is known to be plain decimal: it would take "inf",
	 * "0x1p3", " 5" and "1e9" */
	double v = ok ? strtod(text, NULL) : 0;
	if (!ok || !(v >= min && v <= max))
		return err_set(e, 400, "invalid_field", field, "%s must be a number from %g to %g",
			       field, min, max);
	*out = v;
	return 0;
}

/* 4 places: what a planner reads (0.8884) */
static json_t *fixed(double x, double places)
{
	return json_real(round(x * places) / places);
}

void staffing_h_get(struct req *r)
{
	struct err e = {0};
	struct erlang_in in = {0};
	double agents = 0;
	/* target_sl is an open interval: 0 and 1 are no target (1 needs infinite agents) */
	if (staffing_number(req_query(r, "calls"), "calls", 0, 1e7, 0, &in.calls, &e) < 0 ||
	    staffing_number(req_query(r, "interval_s"), "interval_s", 60, 86400, 0, &in.interval_s,
			    &e) < 0 ||
	    staffing_number(req_query(r, "aht_s"), "aht_s", 1, 36000, 0, &in.aht_s, &e) < 0 ||
	    staffing_number(req_query(r, "target_sl"), "target_sl", 0, 1, 0, &in.target_sl, &e) <
		0 ||
	    staffing_number(req_query(r, "target_s"), "target_s", 1, 3600, 0, &in.target_s, &e) < 0)
		goto fail;
	if (!(in.target_sl > 0 && in.target_sl < 1)) {
		err_set(&e, 400, "invalid_field", "target_sl",
			"target_sl must be a fraction above 0 and below 1 (0.8 for 80%%)");
		goto fail;
	}
	const char *k = req_query(r, "agents");
	if (k && staffing_number(k, "agents", 1, ERLANG_MAX_AGENTS, 1, &agents, &e) < 0)
		goto fail;
	struct erlang_out o = {0};
	if (k) {
		erlang_at(&in, (int)agents, &o);
	} else if (erlang_agents(&in, &o) < 0) {
		err_set(&e, 400, "invalid_field", "calls",
			"%.0f Erlangs need more than %d agents for %g%% in %g s",
			erlang_traffic(in.calls, in.interval_s, in.aht_s), ERLANG_MAX_AGENTS,
			in.target_sl * 100, in.target_s);
		goto fail;
	}
	reply_json(r, 200,
		   json_pack("{s:i,s:o,s:o,s:o,s:o,s:o}", "agents", o.agents, "service_level",
			     fixed(o.service_level, 1e4), "asa_s",
			     o.stable ? fixed(o.asa_s, 1e2) : json_null(), "occupancy",
			     fixed(o.occupancy, 1e4), "traffic_erlangs", fixed(o.traffic, 1e4),
			     "wait_probability", fixed(o.wait_prob, 1e4)));
	return;
fail:
	reply_error(r, &e);
}
