/* dbf: dBase III tables (.DBF), as the monthly lists DSKKAR00 and DSKWOR00 come.
 *
 * Reading parses the fixed-width records of a memory-mapped file itself rather than
 * through shapelib: shapelib took 2.1 s for 1,000,000 worker rows (DESIGN.md), and an
 * import's whole budget is about that. A record is a deletion flag ('*' deleted, ' '
 * live) then each field's bytes at the offset and width the header gives; nothing is
 * copied or allocated per record or field. shapelib stays the reference the tests
 * read our files back with.
 *
 * A header is accepted when it is consistent: 32 bytes, then 32-byte field descriptors
 * ended by 0x0D inside the header length, field widths (from the header, never assumed)
 * adding up to the record length, and the file holding every record the header counts.
 * A character field wider than 255 keeps its high byte in the decimals byte (Clipper,
 * FoxPro; shapelib reads it so too). */
#ifndef TAMIN_LISTFILE_DBF_H
#define TAMIN_LISTFILE_DBF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"

#define DBF_LANG_CP1256 0x7E /* header byte 29 for Windows-1256 ("LDID/126") */

struct dbf_field {
	char name[12];	   /* as in the file (upper case in every list), NUL-terminated */
	char type;	   /* 'C' text, 'N' number, 'D' date, 'L' logical, 'F', 'M', ... */
	unsigned width;	   /* bytes */
	unsigned decimals; /* digits after the point ('N', 'F'); 0 for 'C' */
	unsigned offset;   /* from the record's first byte (the deletion flag), so >= 1 */
};

struct dbf {
	const unsigned char *data; /* the whole file */
	size_t size;
	int mapped;	      /* data is our mmap (dbf_open), not the caller's */
	unsigned version;     /* byte 0: 0x03 dBase III, 0x30 Visual FoxPro, ... */
	unsigned language;    /* byte 29: 0x7E Windows-1256, 0 none */
	int year, month, day; /* last update, as written (Gregorian) */
	uint32_t nrecords;    /* deleted ones included */
	unsigned header_len, record_len;
	unsigned nfields;
	unsigned max_width; /* the widest field */
	struct dbf_field *fields;
};

/* Maps and checks the file. Errors: 404 not_found, 422 dbf_invalid (with the reason),
 * 500 io. d is ready for dbf_close either way. */
int dbf_open(struct dbf *d, const char *path, struct err *e);
/* The same over the caller's bytes, which must outlive d. */
int dbf_open_mem(struct dbf *d, const void *data, size_t size, struct err *e);
void dbf_close(struct dbf *d);

/* The field called `name` (case-insensitive), or -1. */
int dbf_field_index(const struct dbf *d, const char *name);

/* Record i (0-based, i < nrecords): its deletion flag at [0], field f at
 * [fields[f].offset .. + fields[f].width). */
static inline const unsigned char *dbf_record(const struct dbf *d, uint32_t i)
{
	return d->data + d->header_len + (size_t)i * d->record_len;
}
static inline int dbf_deleted(const unsigned char *rec)
{
	return rec[0] == '*';
}

/* Parses a number field's bytes (right-aligned, padded with spaces) as an integer:
 * an optional sign, digits, and optionally a point followed by zeros only ("1200.00").
 * Returns DBF_NUM_OK, DBF_NUM_BLANK (only spaces or NULs: *out = 0), or a negative
 * reason, *out then untouched. Money is rials: never a float. */
enum {
	DBF_NUM_OK = 0,
	DBF_NUM_BLANK = 1,
	DBF_NUM_BAD = -1,      /* not a number (letters, '*' overflow marks, inner spaces) */
	DBF_NUM_RANGE = -2,    /* beyond int64 */
	DBF_NUM_FRACTION = -3, /* a fraction that is not zero */
};
int dbf_parse_int(const void *p, size_t n, int64_t *out);

/* Writing: a dBase III file (version 0x03) with the given fields, records appended one
 * at a time into a buffer that starts as spaces, the count written at the end. */
struct dbf_spec {
	const char *name; /* at most 10 characters */
	char type;	  /* 'C', 'N', 'D' or 'L' */
	unsigned width, decimals;
};

struct dbf_writer {
	FILE *f;
	struct dbf_field *fields;
	unsigned nfields, record_len;
	uint32_t count;
	unsigned char *rec;
};

/* language: the byte 29 to write (DBF_LANG_CP1256, or 0). Errors: 400 dbf_spec (a bad
 * name, type or width), 500 io. w is ready for dbf_writer_close either way. */
int dbf_writer_open(struct dbf_writer *w, const char *path, const struct dbf_spec *spec, unsigned n,
		    unsigned language, struct err *e);
/* Field f of the record being built: text left-aligned, padded with spaces; -1 (and
 * nothing written) when longer than the field. */
int dbf_writer_text(struct dbf_writer *w, unsigned f, const void *bytes, size_t n);
/* A number right-aligned (with the field's decimals as zeros); -1 when it does not fit,
 * and the field is filled with '*' as dBase does. */
int dbf_writer_int(struct dbf_writer *w, unsigned f, int64_t v);
/* Appends the record being built and starts the next one (all spaces). */
int dbf_writer_add(struct dbf_writer *w, struct err *e);
/* Writes the end-of-file byte and the record count and closes. With a previous error
 * (or e set by this call) the caller should remove the file. */
int dbf_writer_close(struct dbf_writer *w, struct err *e);

#endif
