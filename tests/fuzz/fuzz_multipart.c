/* multipart/form-data bodies (http/multipart.h), as an upload's body and as a request's
 * Content-Type: each part's data lies inside the body and ends where its delimiter
 * begins, names are UTF-8, and every refusal is a 400 or 415 naming a field. */
#include <stdint.h>

#include "base/text.h"
#include "fuzz.h"
#include "http/multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	arena_init(&a);
	struct err e = {0};
	/* the body in a buffer of its own size: a read past it is ASan's */
	char *body = malloc(size ? size : 1);
	if (!body)
		abort();
	memcpy(body, data, size);
	struct multipart_part p[4];
	int n = multipart_parse(body, size, "XyZ", p, 4, &a, &e);
	if (n < 0) {
		FUZZ_CHECK(e.status == 400 && e.field[0]);
	} else {
		FUZZ_CHECK(n >= 1 && n <= 4);
		for (int i = 0; i < n; i++) {
			FUZZ_CHECK(p[i].data >= body && p[i].data + p[i].len <= body + size);
			FUZZ_CHECK((size_t)(body + size - (p[i].data + p[i].len)) >= 7 &&
				   !memcmp(p[i].data + p[i].len, "\r\n--XyZ", 7));
			FUZZ_CHECK(text_utf8_valid(p[i].name, strlen(p[i].name)));
			FUZZ_CHECK(!p[i].filename || p[i].filename[p[i].filename_len] == 0);
			FUZZ_CHECK(i == 0 || p[i].data > p[i - 1].data + p[i - 1].len);
		}
	}
	/* the same bytes as a Content-Type */
	char *ct = fuzz_str(data, size);
	const char *b = multipart_boundary(ct, &a, &e);
	if (b) {
		size_t bl = strlen(b);
		FUZZ_CHECK(bl >= 1 && bl <= MULTIPART_BOUNDARY_MAX && b[bl - 1] != ' ');
	} else {
		FUZZ_CHECK((e.status == 400 || e.status == 415) && !strcmp(e.field, "Content-Type"));
	}
	free(ct);
	free(body);
	arena_release(&a);
	return 0;
}
