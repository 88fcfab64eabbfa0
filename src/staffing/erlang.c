/* Erlang C: see erlang.h. */
#include "staffing/erlang.h"

#include <math.h>

double erlang_traffic(double calls, double interval_s, double aht_s)
{
	return calls * aht_s / interval_s;
}

/* Erlang B for k agents from Erlang B for k - 1: always in (0, 1], so it neither
 * overflows nor, for the n near A that matter, underflows. */
static double b_next(double a, double b, int k)
{
	return a * b / (k + a * b);
}

static double c_of_b(double a, double b, int n)
{
	return n * b / (n - a * (1 - b));
}

double erlang_c(double a, int n)
{
	if (a <= 0)
		return 0;
	if (n <= a)
		return 1;
	double b = 1;
	for (int k = 1; k <= n; k++)
		b = b_next(a, b, k);
	return c_of_b(a, b, n);
}

/* The figures of n agents once P(W>0) is known. */
static void fill(const struct erlang_in *in, double a, int n, double c, struct erlang_out *out)
{
	out->agents = n;
	out->traffic = a;
	if (a <= 0) {
		*out = (struct erlang_out){.agents = n, .service_level = 1, .stable = 1};
		return;
	}
	if (n <= a) {
		out->wait_prob = 1;
		out->service_level = 0;
		out->asa_s = INFINITY;
		out->occupancy = 1;
		out->stable = 0;
		return;
	}
	out->wait_prob = c;
	out->service_level = 1 - c * exp(-(n - a) * in->target_s / in->aht_s);
	out->asa_s = c * in->aht_s / (n - a);
	out->occupancy = a / n;
	out->stable = 1;
}

void erlang_at(const struct erlang_in *in, int n, struct erlang_out *out)
{
	double a = erlang_traffic(in->calls, in->interval_s, in->aht_s);
	fill(in, a, n, erlang_c(a, n), out);
}

/* One pass of the recursion: B is carried from n to n + 1, so the search costs
 * O(answer), not O(answer^2). */
int erlang_agents(const struct erlang_in *in, struct erlang_out *out)
{
	double a = erlang_traffic(in->calls, in->interval_s, in->aht_s);
	if (a <= 0) {
		fill(in, a, 0, 0, out);
		return 0;
	}
	if (a >= ERLANG_MAX_AGENTS)
		return -1;
	double b = 1;
	for (int n = 1; n <= ERLANG_MAX_AGENTS; n++) {
		b = b_next(a, b, n);
		if (n <= a)
			continue;
		fill(in, a, n, c_of_b(a, b, n), out);
		if (out->service_level >= in->target_sl)
			return 0;
	}
	return -1;
}
