/* erlang: Erlang C (the M/M/n queue), pure, no database. Calls arrive at random
 * (Poisson), handle times are exponential, n agents serve one queue first come first
 * served, and no caller ever hangs up. From the calls of an interval, its length and
 * the average handle time (AHT): the traffic A = calls * AHT / interval (Erlangs); for
 * n agents the probability a call waits P(W>0), the service level within t seconds
 * SL(t) = 1 - P(W>0) * exp(-(n - A) * t / AHT), the average speed of answer
 * ASA = P(W>0) * AHT / (n - A) and the occupancy A / n; and the fewest agents whose
 * service level reaches a target.
 *
 * P(W>0) comes from Erlang B's recursion B(k) = A B(k-1) / (k + A B(k-1)), B(0) = 1,
 * then C = n B / (n - A (1 - B)): no factorial, no power, O(n), stable for thousands
 * of Erlangs. With n <= A the queue grows without end: P(W>0) = 1, service level 0,
 * ASA infinite (stable = 0), occupancy 1 (the agents are never idle).
 *
 * What it does not know: callers who abandon (it overstates the wait and the agents
 * needed when many hang up; Erlang A would model them), retrials, breaks and other
 * shrinkage (the agents are those on the phone). docs/DECISIONS.md. */
#ifndef TAMIN_STAFFING_ERLANG_H
#define TAMIN_STAFFING_ERLANG_H

#define ERLANG_MAX_AGENTS 100000 /* the most agents a question may name or be answered */

struct erlang_in {
	double calls;	   /* offered in the interval, >= 0 */
	double interval_s; /* > 0 */
	double aht_s;	   /* > 0 */
	double target_sl;  /* a fraction, 0 < target_sl < 1 */
	double target_s;   /* answered within this many seconds, >= 0 */
};

struct erlang_out {
	int agents;
	double traffic;	      /* A, Erlangs */
	double wait_prob;     /* P(W>0) */
	double service_level; /* SL(target_s) */
	double asa_s;	      /* meaningless when !stable */
	double occupancy;     /* A / n, at most 1; 0 with no agent and no call */
	int stable;	      /* n > A, or no call at all */
};

/* calls * aht_s / interval_s */
double erlang_traffic(double calls, double interval_s, double aht_s);

/* P(W>0) for traffic a (>= 0) and n (>= 1) agents: 1 when n <= a, 0 when a is 0. */
double erlang_c(double a, int n);

/* The figures n agents would give (n >= 0; 0 agents serve no call). */
void erlang_at(const struct erlang_in *in, int n, struct erlang_out *out);

/* The fewest agents whose service level within target_s reaches target_sl (0 with no
 * call), their figures in out: 0, or -1 when more than ERLANG_MAX_AGENTS are needed. */
int erlang_agents(const struct erlang_in *in, struct erlang_out *out);

#endif
