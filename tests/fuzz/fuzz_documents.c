/* The papers' parsers (documents/code.c): a verification code as people type it, and the
 * pay slip's ?month=. A code read is 16 symbols of the alphabet that read back as
 * themselves, shown or not; for ASCII input the answer is the rule written out again
 * here. A month read is in range and reads back from its own form. */
#include <stdint.h>

#include "documents/documents.h"
#include "fuzz.h"

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* documents.h's rule for ASCII text, written independently: -1 or 0 with out */
static int reference_code(const char *s, size_t n, char out[17])
{
	int k = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == ' ' || c == '-' || c == '\t')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 32);
		if (c == 'O')
			c = '0';
		else if (c == 'I' || c == 'L')
			c = '1';
		if (!c || !strchr(alphabet, c) || k == 16)
			return -1;
		out[k++] = c;
	}
	out[k] = 0;
	return k == 16 ? 0 : -1;
}

static int ascii_plain(const char *s, size_t n)
{
	/* white space other than space and tab folds or trims in text_normalize: left out */
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x7f || ((unsigned char)s[i] < 0x20 && s[i] != '\t'))
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	size_t n = strlen(s);
	char code[DOC_CODE_LEN + 1], again[DOC_CODE_LEN + 1], shown[DOC_CODE_SHOWN + 1];
	int rc = doc_code_normalize(s, n, code);
	if (rc == 0) {
		FUZZ_CHECK(strlen(code) == DOC_CODE_LEN && strspn(code, alphabet) == DOC_CODE_LEN);
		FUZZ_CHECK(doc_code_normalize(code, DOC_CODE_LEN, again) == 0 && !strcmp(code, again));
		doc_code_show(code, shown);
		FUZZ_CHECK(strlen(shown) == DOC_CODE_SHOWN);
		FUZZ_CHECK(doc_code_normalize(shown, DOC_CODE_SHOWN, again) == 0 && !strcmp(code, again));
	}
	if (n <= 128 && ascii_plain(s, n)) {
		char want[DOC_CODE_LEN + 1];
		int wrc = reference_code(s, n, want);
		FUZZ_CHECK(rc == wrc);
		FUZZ_CHECK(rc < 0 || !strcmp(code, want));
	}
	int y = 0, m = 0;
	if (doc_month_parse(s, n, &y, &m) == 0) {
		FUZZ_CHECK(y >= 1300 && y <= 1500 && m >= 1 && m <= 12);
		char f[16];
		int y2 = 0, m2 = 0;
		snprintf(f, sizeof f, "%04d/%02d", y, m);
		FUZZ_CHECK(doc_month_parse(f, strlen(f), &y2, &m2) == 0 && y2 == y && m2 == m);
	}
	char mask[11];
	doc_mask_natid(s, mask);
	FUZZ_CHECK(strlen(mask) == 10);
	free(s);
	return 0;
}
