/* Private to the users module: the failed-login limits (limit.c), which users.c's login
 * applies. */
#ifndef TAMIN_USERS_INTERNAL_H
#define TAMIN_USERS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"

struct tally;
struct users_pwlist;

/* A login as it is stored and compared: text_normalize's folding (digit sets, Arabic
 * letter forms, white space) and ASCII letters in lower case. NULL: not valid UTF-8. */
char *users_login_normalize(struct arena *a, const char *in);

/* The password policy (password.c): 0, or -1 with e (400 weak_password naming password,
 * with why; invalid_field when it is not UTF-8). own[0..nown) are the account's own words
 * (login, national id, name; NULL: none), refused as passwords too. */
int users_password_check(const char *password, const char *const *own, size_t nown,
			 const struct users_pwlist *refused, struct arena *a, struct err *e);

/* The window the failed logins of a login or an address are counted in. */
#define USERS_LOGIN_WINDOW (15 * 60)

/* The key an address's failed logins are counted under ("i:ADDRESS"): an IPv6 address
 * by its /64, which a single host is given whole (RFC 6177), so that its other
 * addresses do not each get their own tries. */
#define USERS_ADDRESS_KEY_MAX 64
void users_address_key(const char *ip, char out[USERS_ADDRESS_KEY_MAX]);

/* Counts an attempt to log in as login (normalised) from ip as a failure, until its
 * password checks out (users_limit_forgive): attempts sent in parallel cannot all be
 * verified before the first failure is counted. 0: go on and verify; -1: refused, over
 * the limit of failures for the login or the limit * 4 for the address, or the counters
 * are full of live counts (tally.h). An attempt refused for its login's limit is not
 * counted against the address. */
int users_limit_try(struct tally *t, const char *login, const char *ip, int limit, int64_t now);
/* The attempt's password checked out: the login's failures are forgiven, the address's
 * for this attempt only. */
void users_limit_forgive(struct tally *t, const char *login, const char *ip, int64_t now);

#endif
