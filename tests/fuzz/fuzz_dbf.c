/* The dBase reader (listfile/dbf.h) on a file's bytes, allocated to their exact size: a
 * header it accepts must describe fields inside each record and records inside the
 * file; every field of every record is then read (a read past the file is ASan's), and
 * every number field parsed. */
#include <stdint.h>

#include "fuzz.h"
#include "listfile/dbf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *file = malloc(size ? size : 1);
	FUZZ_CHECK(file);
	memcpy(file, data, size);
	struct dbf d;
	struct err e = {0};
	if (dbf_open_mem(&d, file, size, &e) == 0) {
		FUZZ_CHECK(d.nfields > 0 && d.header_len <= size &&
			   (size_t)d.nrecords * d.record_len <= size - d.header_len);
		for (unsigned f = 0; f < d.nfields; f++) {
			const struct dbf_field *x = &d.fields[f];
			FUZZ_CHECK(x->offset >= 1 && x->width >= 1 &&
				   x->offset + x->width <= d.record_len && x->width <= d.max_width);
			int at = dbf_field_index(&d, x->name);
			FUZZ_CHECK(at >= 0 && (unsigned)at <= f);
		}
		unsigned sum = 0;
		for (uint32_t i = 0; i < d.nrecords; i++) {
			const unsigned char *rec = dbf_record(&d, i);
			sum += (unsigned)dbf_deleted(rec);
			for (unsigned f = 0; f < d.nfields; f++) {
				const struct dbf_field *x = &d.fields[f];
				const unsigned char *v = rec + x->offset;
				sum += v[0] + v[x->width - 1];
				int64_t n = 12345;
				int rc = dbf_parse_int(v, x->width, &n);
				FUZZ_CHECK(rc >= DBF_NUM_FRACTION && rc <= DBF_NUM_BLANK);
				FUZZ_CHECK(rc != DBF_NUM_BLANK || n == 0);
				FUZZ_CHECK(rc >= 0 || n == 12345); /* untouched on failure */
			}
		}
		(void)sum;
	} else {
		FUZZ_CHECK(e.status == 422 || e.status == 500);
	}
	dbf_close(&d);
	free(file);
	return 0;
}
