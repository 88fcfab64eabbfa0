/* The verification code, the month parameter and the masked national id: pure. */
#include "documents/documents.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "base/text.h"

static const char *const kinds[DOC_KINDS] = {"payslip", "history", "salary", "clearance"};

int doc_kind_parse(const char *s)
{
	for (int i = 0; s && i < DOC_KINDS; i++)
		if (!strcmp(s, kinds[i]))
			return i;
	return -1;
}

const char *doc_kind_name(enum doc_kind k) { return k < DOC_KINDS ? kinds[k] : "?"; }

/* Crockford's base32 (https://www.crockford.com/base32.html): no I, L, O or U, so that
 * no two symbols are read alike and no word is spelt by chance. */
static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

void doc_code_new(char out[DOC_CODE_LEN + 1])
{
	unsigned char b[10]; /* 80 bits: 16 symbols of 5 */
	randombytes_buf(b, sizeof b);
	uint64_t hi = 0;
	for (int i = 0; i < 5; i++)
		hi = hi << 8 | b[i];
	uint64_t lo = 0;
	for (int i = 5; i < 10; i++)
		lo = lo << 8 | b[i];
	for (int i = 7; i >= 0; i--, hi >>= 5)
		out[i] = alphabet[hi & 31];
	for (int i = 15; i >= 8; i--, lo >>= 5)
		out[i] = alphabet[lo & 31];
	out[DOC_CODE_LEN] = 0;
	sodium_memzero(b, sizeof b);
}

void doc_code_show(const char *code, char out[DOC_CODE_SHOWN + 1])
{
	char *p = out;
	for (int i = 0; i < DOC_CODE_LEN && code[i]; i++) {
		if (i && i % 4 == 0)
			*p++ = '-';
		*p++ = code[i];
	}
	*p = 0;
}

/* The canonical symbol of a typed character, 0 for one skipped (a separator), -1 for
 * one no code has. */
static int symbol(unsigned char c)
{
	if (c == ' ' || c == '-' || c == '\t')
		return 0;
	if (c >= 'a' && c <= 'z')
		c = (unsigned char)(c - 'a' + 'A');
	if (c == 'O')
		return '0';
	if (c == 'I' || c == 'L')
		return '1';
	if (c && strchr(alphabet, c))
		return c;
	return -1;
}

int doc_code_normalize(const char *in, size_t len, char out[DOC_CODE_LEN + 1])
{
	char buf[129];
	if (!in || len > 128 || !text_utf8_valid(in, len))
		return -1;
	/* digits of any set to ASCII, invisible marks dropped (base/text.h) */
	size_t n = text_normalize_buf(in, len, buf);
	int k = 0;
	for (size_t i = 0; i < n; i++) {
		int s = symbol((unsigned char)buf[i]);
		if (s < 0 || (s && k == DOC_CODE_LEN))
			return -1;
		if (s)
			out[k++] = (char)s;
	}
	if (k != DOC_CODE_LEN)
		return -1;
	out[k] = 0;
	return 0;
}

int doc_month_parse(const char *in, size_t len, int *y, int *m)
{
	char buf[65];
	if (!in || len > 64 || !text_utf8_valid(in, len))
		return -1;
	size_t n = text_normalize_buf(in, len, buf);
	int yy = 0, mm = 0;
	size_t i = 0;
	for (; i < n && i < 4 && buf[i] >= '0' && buf[i] <= '9'; i++)
		yy = yy * 10 + buf[i] - '0';
	if (i != 4 || i >= n || (buf[i] != '/' && buf[i] != '-'))
		return -1;
	size_t j = ++i;
	for (; i < n && i - j < 2 && buf[i] >= '0' && buf[i] <= '9'; i++)
		mm = mm * 10 + buf[i] - '0';
	if (i == j || i != n || yy < 1300 || yy > 1500 || mm < 1 || mm > 12)
		return -1;
	*y = yy;
	*m = mm;
	return 0;
}

void doc_mask_natid(const char *nid, char out[11])
{
	size_t n = nid ? strlen(nid) : 0;
	for (size_t i = 0; i < 10; i++)
		out[i] = i >= 6 && n == 10 ? nid[i] : '*';
	out[10] = 0;
}
