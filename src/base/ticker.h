/* ticker: a thread of its own that does some work now and then until it is stopped (the
 * server's overdue sweep, the pulse's refresh, the wallboard's push, the SMS sender).
 * tick(ctx) is called at once, then again each time the delay it returned has passed:
 * 0 calls it again at once (more work waits), a negative delay means every_ms. A stop
 * wakes the wait, and returns once the tick running (if any) has returned: tick is never
 * called after ticker_stop. */
#ifndef TAMIN_BASE_TICKER_H
#define TAMIN_BASE_TICKER_H

#include <stdint.h>

#include "base/err.h"

struct ticker;

/* NULL with e set (what: the work's name in the message) when no thread can start. */
struct ticker *ticker_start(int64_t (*tick)(void *ctx), void *ctx, int64_t every_ms,
			    const char *what, struct err *e);
void ticker_stop(struct ticker *t); /* NULL: nothing */

#endif
