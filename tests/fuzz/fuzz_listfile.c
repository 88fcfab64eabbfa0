/* The monthly list's two files as the import reads them (listfile/listfile.h, input.h).
 * The input is one byte of flags, then DSKKAR00's bytes, the separator below, and
 * DSKWOR00's bytes: flags & 1 the CSV form (else the dBase pair), flags >> 1 & 3 the code
 * page (0: detected), flags >> 3 the room of a list key. What opens is read as the
 * import reads it: the header, every row (twice: rewound), then the rows again split
 * into parts as the import's threads read them, which must be the same rows; problems
 * are kept up to a small bound, the rest counted. */
#include <stdint.h>

#include "fuzz.h"
#include "listfile/input.h"
#include "listfile/listfile.h"

#define SEP "\n@@DSKWOR00@@\n"
#define PARTS 3

/* Reads r's rows to the end: how many, and a sum of what they hold. */
static uint32_t rows(struct list_reader *r, struct list_issues *iss, uint64_t *sum)
{
	struct list_worker w;
	uint32_t n = 0, row = 0, last = 0;
	while (list_reader_next(r, &w, &row, iss)) {
		FUZZ_CHECK(row > last && row <= r->wor.nrecords);
		last = row;
		*sum += (uint64_t)w.days + (uint64_t)w.total + strlen(w.last_name) + w.birth_date.y;
		n++;
	}
	return n;
}

static void read_list(struct list_reader *r, struct list_issues *iss, size_t key_cap)
{
	struct list_header h;
	if (list_reader_header(r, &h, iss) == 0 && r->kar.nrecords) {
		char *key = malloc(key_cap);
		FUZZ_CHECK(key && list_reader_list_key(r, 1, 0, key, key_cap) < key_cap);
		if (r->wor.nrecords)
			FUZZ_CHECK(list_reader_list_key(r, 0, r->wor.nrecords - 1, key, key_cap) <
				   key_cap);
		free(key);
	}
	uint64_t sum1 = 0, sum2 = 0, sum3 = 0;
	uint32_t n = rows(r, iss, &sum1);
	list_reader_rewind(r);
	FUZZ_CHECK(rows(r, iss, &sum2) == n && sum2 == sum1);
	struct list_reader parts[PARTS];
	uint32_t first[PARTS];
	int made = list_reader_split(r, parts, first, PARTS, 2);
	FUZZ_CHECK(made == 1 || made == PARTS);
	if (made == PARTS) {
		uint32_t total = 0;
		for (int k = 0; k < PARTS; k++) {
			FUZZ_CHECK(first[k] == total);
			uint32_t got = rows(&parts[k], NULL, &sum3);
			FUZZ_CHECK(k == PARTS - 1 || got % 2 == 0);
			total += got;
			list_reader_close(&parts[k]);
		}
		FUZZ_CHECK(total == n && sum3 == sum1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned flags = data[0];
	const uint8_t *kar = data + 1, *end = data + size;
	const uint8_t *sep = memmem(kar, (size_t)(end - kar), SEP, sizeof SEP - 1);
	size_t klen = sep ? (size_t)(sep - kar) : (size_t)(end - kar);
	const uint8_t *wor = sep ? sep + sizeof SEP - 1 : end;
	size_t wlen = (size_t)(end - wor);
	/* each file in a buffer of its exact size */
	unsigned char *k = malloc(klen ? klen : 1), *w = malloc(wlen ? wlen : 1);
	FUZZ_CHECK(k && w);
	memcpy(k, kar, klen);
	memcpy(w, wor, wlen);
	struct list_issues iss;
	list_issues_init(&iss, 20);
	struct err e = {0};
	struct list_input in;
	int rc;
	enum codec_enc enc = (enum codec_enc)(flags >> 1 & 3);
	if (flags & 1) {
		rc = list_input_open_mem(&in, LIST_FORM_CSV, k, klen, "csv.kar", w, wlen, "csv.wor",
					 &iss, &e);
	} else {
		memset(&in, 0, sizeof in);
		rc = list_reader_open_mem(&in.r, k, klen, w, wlen, enc, &iss, &e);
	}
	if (rc == 0) {
		FUZZ_CHECK(in.r.enc >= CODEC_UNKNOWN && in.r.enc <= CODEC_UTF8);
		read_list(&in.r, &iss, (flags >> 3) + 1);
		FUZZ_CHECK(iss.n <= 20);
	} else {
		FUZZ_CHECK(e.status >= 400 && e.code[0]);
	}
	list_input_close(&in);
	list_issues_release(&iss);
	free(k);
	free(w);
	return 0;
}
