/* The monthly list's CSV form (listfile/csv.h), one text: refused with a 400 that names
 * the text, or made dBase bytes that the dBase reader (dbf.h) must accept, with a
 * character field per column and every record readable. */
#include <stdint.h>

#include "fuzz.h"
#include "listfile/csv.h"
#include "listfile/dbf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1); /* exact: the CSV text is not NUL-terminated */
	FUZZ_CHECK(text);
	memcpy(text, data, size);
	unsigned char *out = NULL;
	size_t out_len = 0;
	struct err e = {0};
	if (list_csv_to_dbf(text, size, "csv.wor", &out, &out_len, &e) == 0) {
		struct dbf d;
		struct err de = {0};
		if (dbf_open_mem(&d, out, out_len, &de) < 0) {
			fprintf(stderr, "the CSV form's bytes are refused: %s\n", de.message);
			FUZZ_CHECK(!"the dBase reader reads what the CSV form makes");
		}
		for (unsigned f = 0; f < d.nfields; f++)
			FUZZ_CHECK(d.fields[f].type == 'C' && d.fields[f].width <= 254);
		unsigned sum = 0;
		for (uint32_t i = 0; i < d.nrecords; i++) {
			const unsigned char *rec = dbf_record(&d, i);
			for (unsigned f = 0; f < d.nfields; f++)
				sum += rec[d.fields[f].offset + d.fields[f].width - 1];
		}
		(void)sum;
		dbf_close(&d);
	} else {
		FUZZ_CHECK(e.status == 400 || e.status == 500);
		FUZZ_CHECK(e.status != 400 || !strcmp(e.field, "csv.wor"));
	}
	free(out);
	free(text);
	return 0;
}
