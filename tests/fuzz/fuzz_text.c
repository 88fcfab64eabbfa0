/* Text normalisation (base/text.h), which every stored or searched text goes through:
 * valid UTF-8 in, valid UTF-8 out, never longer; normalising again changes nothing (a
 * stored text and a search for it agree); the arena and the in-place forms agree; the
 * digits and mobile readers give only what they promise; text_put_int writes what
 * printf writes. */
#include <inttypes.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/text.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)text_utf8_valid((const char *)data, size); /* on the exact bytes: no NUL after */
	char *s = fuzz_str(data, size);
	size_t len = strlen(s);
	struct arena a;
	arena_init(&a);
	char *n = text_normalize(&a, s);
	FUZZ_CHECK(!n == !text_utf8_valid(s, len));
	if (n) {
		size_t nl = strlen(n);
		FUZZ_CHECK(nl <= len && text_utf8_valid(n, nl) && text_utf8_len(n) <= nl);
		char *again = text_normalize(&a, n);
		FUZZ_CHECK(again && !strcmp(again, n));
		char *buf = fuzz_str(data, len); /* in place, as the list reader does it */
		FUZZ_CHECK(text_normalize_buf(buf, len, buf) == nl && !strcmp(buf, n));
		free(buf);
	}
	char *d = text_digits(&a, s, 0, 64);
	FUZZ_CHECK(!d || (n && strspn(d, "0123456789") == strlen(d) && strlen(d) <= 64));
	char *m = text_mobile(&a, s);
	FUZZ_CHECK(!m || (strlen(m) == 11 && !strncmp(m, "09", 2) &&
			  strspn(m, "0123456789") == 11));
	if (size >= 8) {
		int64_t v;
		memcpy(&v, data, 8);
		char out[24], want[24];
		*text_put_int(out, v) = 0;
		snprintf(want, sizeof want, "%" PRId64, v);
		FUZZ_CHECK(!strcmp(out, want));
	}
	arena_release(&a);
	free(s);
	return 0;
}
