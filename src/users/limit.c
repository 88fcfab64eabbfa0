/* The failed-login limits (internal.h), counted in a tally (base/tally.h) that a client
 * cannot make forget a count: the table they replaced took a key whose hash landed on a
 * taken slot as a new one, so logins computed offline to collide reset a victim's count. */
#include "users/internal.h"
#include "users/users.h"

#include "base/tally.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

/* Counts at most this many logins and addresses at once (about 8 MB once all are used;
 * calloc'd, so pages not yet used cost nothing). A full map refuses new keys (tally.c
 * says why), so filling it must take more than a client has. Every live key is an attempt
 * counted in the last 15 minutes, and one address (or IPv6 /64) makes at most 41 keys in
 * that time: its own and 40 logins; logging in forgives one of its failures, but only as
 * fast as passwords are verified. So 65,536 keys take some 1,600 addresses, and their
 * attempts queue as many Argon2id verifications on the one slow thread (34 ms each on a
 * 2-core machine: 37 minutes), which holds up every login anyway, refused or not. */
#define LIMIT_KEYS 65536

struct tally *users_login_failures_new(void)
{
	return tally_new(LIMIT_KEYS, USERS_LOGIN_WINDOW);
}

void users_address_key(const char *ip, char out[USERS_ADDRESS_KEY_MAX])
{
	struct in6_addr a;
	char net[INET6_ADDRSTRLEN];
	if (inet_pton(AF_INET6, ip, &a) == 1 && !IN6_IS_ADDR_V4MAPPED(&a)) {
		memset(a.s6_addr + 8, 0, 8);
		if (inet_ntop(AF_INET6, &a, net, sizeof net)) {
			snprintf(out, USERS_ADDRESS_KEY_MAX, "i:%s/64", net);
			return;
		}
	}
	snprintf(out, USERS_ADDRESS_KEY_MAX, "i:%s", ip);
}

/* Says on stderr, at most once a minute, that the counters are full: the operator sees
 * why logins are refused. */
static void warn_full(int64_t now)
{
	static _Atomic int64_t warned;
	int64_t last = atomic_load(&warned);
	if (now - last >= 60 && atomic_compare_exchange_strong(&warned, &last, now))
		fprintf(stderr,
			"tamin: the failed-login counters are full: new logins are refused until "
			"their windows end\n");
}

/* The keys an attempt is counted under: its address's and its login's. */
static void keys_of(const char *login, const char *ip, char ik[USERS_ADDRESS_KEY_MAX],
		    char lk[TALLY_KEY_MAX])
{
	users_address_key(ip, ik);
	snprintf(lk, TALLY_KEY_MAX, "l:%s", login);
}

int users_limit_try(struct tally *t, const char *login, const char *ip, int limit, int64_t now)
{
	if (!t)
		return -1; /* no counters, no guesses */
	char ik[USERS_ADDRESS_KEY_MAX], lk[TALLY_KEY_MAX];
	keys_of(login, ip, ik, lk);
	int a = tally_add(t, ik, 1, now), l = 0;
	if (a != TALLY_FULL && a <= limit * 4) {
		l = tally_add(t, lk, 1, now);
		if (l != TALLY_FULL && l <= limit)
			return 0;
		/* refused for the login's lock: the address tried no password */
		tally_add(t, ik, -1, now);
	}
	if (a == TALLY_FULL || l == TALLY_FULL)
		warn_full(now);
	return -1;
}

void users_limit_forgive(struct tally *t, const char *login, const char *ip, int64_t now)
{
	if (!t)
		return;
	char ik[USERS_ADDRESS_KEY_MAX], lk[TALLY_KEY_MAX];
	keys_of(login, ip, ik, lk);
	tally_clear(t, lk);
	tally_add(t, ik, -1, now);
}
