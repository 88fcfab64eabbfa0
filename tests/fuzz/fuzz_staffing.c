/* Staffing (staffing/staffing.h, staffing/erlang.h): the input split at '&' into the
 * query values of GET /api/v1/calls/staffing. Each is read by staffing_number (a 400
 * naming its field, or a number within its range); when all are numbers, Erlang C's
 * answer must be a probability, a finite ASA for a stable queue, and the fewest agents
 * (the target met, one fewer short of it). */
#include <math.h>
#include <stdint.h>

#include "fuzz.h"
#include "staffing/erlang.h"
#include "staffing/staffing.h"

static const struct {
	const char *name;
	double min, max;
	int integer;
} F[] = {{"calls", 0, 1e5, 0},	 {"interval_s", 60, 86400, 0}, {"aht_s", 1, 36000, 0},
	 {"target_sl", 0, 1, 0}, {"target_s", 1, 3600, 0},     {"agents", 1, 2000, 1}};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), *p = s;
	double v[6];
	int all = 1;
	for (int i = 0; i < 6; i++) {
		char *amp = p ? strchr(p, '&') : NULL;
		if (amp)
			*amp = 0;
		struct err e = {0};
		int rc = staffing_number(p, F[i].name, F[i].min, F[i].max, F[i].integer, &v[i], &e);
		FUZZ_CHECK(rc == 0 ? v[i] >= F[i].min && v[i] <= F[i].max &&
					 (!F[i].integer || v[i] == floor(v[i]))
				   : e.status == 400 && !strcmp(e.field, F[i].name));
		all &= rc == 0;
		p = amp ? amp + 1 : NULL;
	}
	/* calls bounded above so that one input stays fast (ERLANG_MAX_AGENTS steps at most) */
	if (all && v[3] > 0 && v[3] < 1) {
		struct erlang_in in = {v[0], v[1], v[2], v[3], v[4]};
		struct erlang_out o, less;
		erlang_at(&in, (int)v[5], &o);
		FUZZ_CHECK(o.service_level >= 0 && o.service_level <= 1 && o.wait_prob >= 0 &&
			   o.wait_prob <= 1 && o.occupancy >= 0 && o.occupancy <= 1);
		FUZZ_CHECK(o.stable ? isfinite(o.asa_s) && o.asa_s >= 0 : o.service_level == 0);
		if (erlang_agents(&in, &o) == 0) {
			FUZZ_CHECK(o.service_level >= in.target_sl && o.stable);
			if (o.agents > 0) {
				erlang_at(&in, o.agents - 1, &less);
				FUZZ_CHECK(less.service_level < in.target_sl);
			}
		}
	}
	free(s);
	return 0;
}
