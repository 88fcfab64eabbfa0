/* The pulse's queries (pulse/http.c) through the served app (served.h): the input's first
 * byte picks GET /api/v1/pulse/series or /movers and who asks (the supervisor of every
 * department or the pensions department's), the rest is the query string (bytes outside
 * a request line's letters percent-encoded). Whatever the query, the answer is 200 with a
 * JSON object, or a 4xx whose error names a field; never a 5xx or no answer. The demo's
 * counts are refreshed once first, so that 200s read series and movers. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "served.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct served *s = served_start();
	if (size < 1 || size > 600)
		return 0;
	static const char *const route[] = {"/api/v1/pulse/series", "/api/v1/pulse/movers"};
	int which = data[0] & 1, as = data[0] & 2 ? AS_DEPARTMENT : AS_SUPERVISOR;
	char q[3 * 600 + 1];
	size_t n = 0;
	for (size_t i = 1; i < size; i++) {
		unsigned char c = data[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("=&-_./%", c))
			q[n++] = (char)c;
		else
			n += (size_t)snprintf(q + n, 4, "%%%02X", c);
	}
	q[n] = 0;
	char req[4096];
	int len = snprintf(req, sizeof req,
			   "GET %s?%s HTTP/1.1\r\nHost: fuzz\r\nAuthorization: Bearer %s\r\n"
			   "Connection: close\r\n\r\n",
			   route[which], q, s->token[as]);
	if (len < 0 || (size_t)len >= sizeof req)
		return 0;
	static char out[1 << 20];
	served_exchange(req, (size_t)len, out, sizeof out);
	int status = served_status(out);
	const char *body = served_body(out);
	FUZZ_CHECK(status == 200 || (status >= 400 && status < 500));
	FUZZ_CHECK(body && body[0] == '{');
	if (status == 400)
		FUZZ_CHECK(strstr(body, "\"field\":\"") != NULL);
	return 0;
}
