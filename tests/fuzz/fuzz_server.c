/* Raw bytes on a connection to the served app (served.h): one request or several
 * (pipelined), any method, target, headers and body, Content-Length or chunked, read by
 * conn.c as they arrive and answered by the real routes. So that inputs can reach past
 * authentication, {T:role} and {C:role} are replaced by a session's tokens (served.h
 * says which placeholders there are); an input that names logout or disable gets no
 * tokens, so that no input ends the sessions the others use.
 *
 * Whatever the bytes, the server closes the connection once it has answered what it
 * could read (a hang is a timeout), and no answer is a 500: a malformed request is the
 * client's error. */
#include <stdint.h>

#include "fuzz.h"
#include "served.h"

/* The reply after the one at p (pipelined requests), or NULL: past its body, or right
 * after its head (a HEAD request's reply says a length and sends no body). */
static const char *next_reply(const char *p)
{
	const char *body = served_body(p), *len = strcasestr(p, "\r\nContent-Length: ");
	if (!body)
		return NULL;
	if (len && len < body) {
		size_t n = strtoul(len + 18, NULL, 10);
		if (n <= strlen(body) && !strncmp(body + n, "HTTP/1.1 ", 9))
			return body + n;
	}
	return !strncmp(body, "HTTP/1.1 ", 9) ? body : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	served_start();
	size_t n;
	int tokens = !memmem(data, size, "logout", 6) && !memmem(data, size, "disable", 7);
	char *req = served_expand(data, size, tokens, &n);
	static char out[1 << 16];
	served_exchange(req, n, out, sizeof out);
	free(req);
	for (const char *p = out; p; p = next_reply(p))
		if (served_status(p) == 500) {
			fprintf(stderr, "fuzz_server: a 500:\n%.3000s\n", out);
			FUZZ_CHECK(!"no request makes the server answer 500");
		}
	return 0;
}
