/* staffing: how many agents a queue needs, by Erlang C (erlang.h), over HTTP.
 * GET /api/v1/calls/staffing?calls=N&interval_s=S&aht_s=A&target_sl=P&target_s=T
 * [&agents=K] answers what K agents would give, or without K the fewest agents that
 * reach P answered within T seconds: {agents, service_level, asa_s (null when the
 * queue grows without end), occupancy, traffic_erlangs, wait_probability}. No
 * database, no personal data. */
#ifndef TAMIN_STAFFING_STAFFING_H
#define TAMIN_STAFFING_STAFFING_H

#include "base/err.h"

struct req;

/* One query value as a number in [min, max] (an integer when integer is set): ASCII
 * digits with at most one decimal point, at most 20 characters, no sign, exponent or
 * space. 0, or -1 with e (400 naming field: missing_field when text is NULL,
 * invalid_field otherwise). Pure. */
int staffing_number(const char *text, const char *field, double min, double max, int integer,
		    double *out, struct err *e);

/* GET /api/v1/calls/staffing */
void staffing_h_get(struct req *r);

#endif
