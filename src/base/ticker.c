/* A thread that calls its work now and then until stopped (ticker.h). */
#include "base/ticker.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

struct ticker {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;
	int64_t (*tick)(void *ctx);
	void *ctx;
	int64_t every_ms;
};

static void *ticker_main(void *arg)
{
	struct ticker *t = arg;
	pthread_mutex_lock(&t->mu);
	while (!t->stop) {
		pthread_mutex_unlock(&t->mu);
		int64_t ms = t->tick(t->ctx);
		if (ms < 0)
			ms = t->every_ms;
		pthread_mutex_lock(&t->mu);
		if (!ms)
			continue;
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += (time_t)(ms / 1000);
		until.tv_nsec += (long)(ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		/* a wake-up that is neither the stop nor the time is waited through */
		while (!t->stop && pthread_cond_timedwait(&t->cv, &t->mu, &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&t->mu);
	return NULL;
}

struct ticker *ticker_start(int64_t (*tick)(void *ctx), void *ctx, int64_t every_ms,
			    const char *what, struct err *e)
{
	struct ticker *t = calloc(1, sizeof *t);
	if (!t) {
		err_set(e, 500, "internal", "", "out of memory");
		return NULL;
	}
	t->tick = tick;
	t->ctx = ctx;
	t->every_ms = every_ms > 0 ? every_ms : 1000;
	pthread_mutex_init(&t->mu, NULL);
	pthread_cond_init(&t->cv, NULL);
	if (pthread_create(&t->thread, NULL, ticker_main, t) != 0) {
		err_set(e, 500, "internal", "", "cannot start the thread of %s", what);
		pthread_cond_destroy(&t->cv);
		pthread_mutex_destroy(&t->mu);
		free(t);
		return NULL;
	}
	return t;
}

void ticker_stop(struct ticker *t)
{
	if (!t)
		return;
	pthread_mutex_lock(&t->mu);
	t->stop = 1;
	pthread_cond_broadcast(&t->cv);
	pthread_mutex_unlock(&t->mu);
	pthread_join(t->thread, NULL);
	pthread_cond_destroy(&t->cv);
	pthread_mutex_destroy(&t->mu);
	free(t);
}
