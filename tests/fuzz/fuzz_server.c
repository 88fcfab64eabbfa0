/* Raw bytes on a connection to the served app (served.h): one request or several
 * (pipelined), any method, target, headers and body, Content-Length or chunked, read by
 * conn.c as they arrive and answered by the real routes. So that inputs can reach past
 * authentication, {T:role} and {C:role} are replaced by a session's tokens (served.h
 * says which placeholders there are); an input that names logout or disable gets no
 * tokens, so that no input ends the sessions the others use.
 *
 * Whatever the bytes, the server closes the connection once it has answered what it
 * could read (a hang is a timeout), no answer is a 500 (a malformed request is the
 * client's error), and every answer but a 204 or 304 has a body (the API's JSON; a
 * HEAD request's reply says the length it would have). */
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
	for (const char *p = out; p; p = next_reply(p)) {
		int status = served_status(p);
		const char *len = strcasestr(p, "\r\nContent-Length: ");
		int empty = len && len < served_body(p) && !strncmp(len + 18, "0\r\n", 3);
		if (status == 500 || (empty && status != 204 && status != 304)) {
			fprintf(stderr, "fuzz_server: answered:\n%.3000s\n", out);
			FUZZ_CHECK(!"no 500, and every reply but 204 and 304 has a body");
		}
	}
	return 0;
}
