#include "listfile/dbf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static unsigned le16(const unsigned char *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int invalid(struct dbf *d, struct err *e, const char *why)
{
	free(d->fields);
	d->fields = NULL;
	d->nfields = 0;
	return err_set(e, 422, "dbf_invalid", "", "not a usable dBase file: %s", why);
}

static int dbf_parse(struct dbf *d, struct err *e)
{
	const unsigned char *h = d->data;
	char why[160];
	if (d->size < 32)
		return invalid(d, e, "shorter than a header");
	d->version = h[0];
	d->year = 1900 + h[1];
	d->month = h[2];
	d->day = h[3];
	d->nrecords = le32(h + 4);
	d->header_len = le16(h + 8);
	d->record_len = le16(h + 10);
	d->language = h[29];
	if (d->header_len < 32 + 32 + 1 || d->header_len > d->size)
		return invalid(d, e, "the header length is out of the file");
	unsigned max = (d->header_len - 32) / 32;
	d->fields = calloc(max, sizeof *d->fields);
	if (!d->fields)
		return err_set(e, 500, "io", "", "out of memory");
	unsigned off = 1;
	const unsigned char *p = h + 32;
	for (; d->nfields < max && p[0] != 0x0D; p += 32) {
		struct dbf_field *f = &d->fields[d->nfields];
		size_t len = strnlen((const char *)p, 11);
		if (len == 0)
			return invalid(d, e, "a field without a name");
		memcpy(f->name, p, len);
		f->name[len] = 0;
		f->type = (char)p[11];
		f->width = p[16];
		f->decimals = p[17];
		if (f->type == 'C') {
			f->width += f->decimals * 256u;
			f->decimals = 0;
		}
		if (f->width == 0) {
			snprintf(why, sizeof why, "field %s has width 0", f->name);
			return invalid(d, e, why);
		}
		for (unsigned i = 0; i < d->nfields; i++)
			if (strcasecmp(d->fields[i].name, f->name) == 0) {
				snprintf(why, sizeof why, "field %s appears twice", f->name);
				return invalid(d, e, why);
			}
		f->offset = off;
		off += f->width;
		if (f->width > d->max_width)
			d->max_width = f->width;
		d->nfields++;
	}
	if (d->nfields == 0)
		return invalid(d, e, "no fields");
	if ((size_t)(p - h) >= d->header_len || p[0] != 0x0D)
		return invalid(d, e, "the field list has no end mark (0x0D) inside the header");
	if (off != d->record_len) {
		snprintf(why, sizeof why,
			 "the fields add up to %u bytes a record, the header says %u", off,
			 d->record_len);
		return invalid(d, e, why);
	}
	size_t body = d->size - d->header_len, need = (size_t)d->nrecords * d->record_len;
	if (body < need) {
		snprintf(why, sizeof why, "the header counts %u records, the file holds %zu",
			 (unsigned)d->nrecords, body / d->record_len);
		return invalid(d, e, why);
	}
	/* After the records: nothing, the end-of-file byte 0x1A, or padding; but not a
	 * whole record more than the header counts. */
	if (body - need >= d->record_len && d->data[d->header_len + need] != 0x1A) {
		snprintf(why, sizeof why, "the header counts %u records, the file holds %zu",
			 (unsigned)d->nrecords, body / d->record_len);
		return invalid(d, e, why);
	}
	return 0;
}

int dbf_open_mem(struct dbf *d, const void *data, size_t size, struct err *e)
{
	memset(d, 0, sizeof *d);
	d->data = data;
	d->size = size;
	return dbf_parse(d, e);
}

int dbf_open(struct dbf *d, const char *path, struct err *e)
{
	memset(d, 0, sizeof *d);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, errno == ENOENT ? 404 : 500, errno == ENOENT ? "not_found" : "io",
			       "", "%s: %s", path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0) {
		int rc = err_set(e, 500, "io", "", "%s: %s", path, strerror(errno));
		close(fd);
		return rc;
	}
	if (st.st_size < 32) {
		close(fd);
		return err_set(e, 422, "dbf_invalid", "",
			       "not a usable dBase file: %s is %lld bytes", path,
			       (long long)st.st_size);
	}
	void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return err_set(e, 500, "io", "", "%s: %s", path, strerror(errno));
	madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
	d->data = m;
	d->size = (size_t)st.st_size;
	d->mapped = 1;
	return dbf_parse(d, e);
}

void dbf_close(struct dbf *d)
{
	if (d->mapped && d->data)
		munmap((void *)d->data, d->size);
	free(d->fields);
	memset(d, 0, sizeof *d);
}

int dbf_field_index(const struct dbf *d, const char *name)
{
	for (unsigned i = 0; i < d->nfields; i++)
		if (strcasecmp(d->fields[i].name, name) == 0)
			return (int)i;
	return -1;
}

int dbf_parse_int(const void *data, size_t n, int64_t *out)
{
	const unsigned char *p = data, *end = p + n;
	while (p < end && (*p == ' ' || *p == 0))
		p++;
	while (end > p && (end[-1] == ' ' || end[-1] == 0))
		end--;
	if (p == end) {
		*out = 0;
		return DBF_NUM_BLANK;
	}
	int neg = 0;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (p == end || *p < '0' || *p > '9')
		return DBF_NUM_BAD;
	/* Accumulated as a negative number, which reaches INT64_MIN too; up to 18 digits
	 * cannot overflow, so only longer numbers pay for the check. */
	int64_t v = 0;
	const unsigned char *digits = p;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		int dgt = *p - '0';
		if (p - digits >= 18 && v < (INT64_MIN + dgt) / 10)
			return DBF_NUM_RANGE;
		v = v * 10 - dgt;
	}
	int fraction = 0;
	if (p < end && *p == '.') {
		for (p++; p < end && *p >= '0' && *p <= '9'; p++)
			fraction |= *p != '0';
	}
	if (p != end)
		return DBF_NUM_BAD;
	if (fraction)
		return DBF_NUM_FRACTION;
	if (!neg && v == INT64_MIN)
		return DBF_NUM_RANGE;
	*out = neg ? v : -v;
	return DBF_NUM_OK;
}

/* ---- writing ---------------------------------------------------------------------- */

static void put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v & 0xFF);
	p[1] = (unsigned char)(v >> 8 & 0xFF);
}

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i) & 0xFF);
}

static int writer_fail(struct dbf_writer *w, struct err *e, int status, const char *code,
		       const char *msg)
{
	if (w->f)
		fclose(w->f);
	free(w->fields);
	free(w->rec);
	memset(w, 0, sizeof *w);
	return err_set(e, status, code, "", "%s", msg);
}

int dbf_writer_open(struct dbf_writer *w, const char *path, const struct dbf_spec *spec, unsigned n,
		    unsigned language, struct err *e)
{
	memset(w, 0, sizeof *w);
	char msg[200];
	if (n == 0 || 32 + 32 * (size_t)n + 1 > 65535)
		return writer_fail(w, e, 400, "dbf_spec", "a table needs 1 to 2046 fields");
	w->fields = calloc(n, sizeof *w->fields);
	if (!w->fields)
		return writer_fail(w, e, 500, "io", "out of memory");
	size_t off = 1;
	for (unsigned i = 0; i < n; i++) {
		const struct dbf_spec *s = &spec[i];
		size_t len = strlen(s->name);
		int ok = len >= 1 && len <= 10 && s->width >= 1 &&
			 (s->type == 'C'   ? s->width <= 254 && s->decimals == 0
			  : s->type == 'N' ? s->width <= 20 && s->decimals < s->width
			  : s->type == 'D' ? s->width == 8 && s->decimals == 0
			  : s->type == 'L' ? s->width == 1 && s->decimals == 0
					   : 0);
		if (!ok) {
			snprintf(msg, sizeof msg, "field %u (%s %c%u.%u) cannot be written", i,
				 s->name, s->type, s->width, s->decimals);
			return writer_fail(w, e, 400, "dbf_spec", msg);
		}
		memcpy(w->fields[i].name, s->name, len);
		w->fields[i].type = s->type;
		w->fields[i].width = s->width;
		w->fields[i].decimals = s->decimals;
		w->fields[i].offset = (unsigned)off;
		off += s->width;
	}
	if (off > 65535)
		return writer_fail(w, e, 400, "dbf_spec", "a record would exceed 65535 bytes");
	w->nfields = n;
	w->record_len = (unsigned)off;
	w->rec = malloc(off);
	if (!w->rec)
		return writer_fail(w, e, 500, "io", "out of memory");
	memset(w->rec, ' ', off);
	w->f = fopen(path, "wb");
	if (!w->f) {
		snprintf(msg, sizeof msg, "%s: %s", path, strerror(errno));
		return writer_fail(w, e, 500, "io", msg);
	}
	unsigned header_len = 32 + 32 * n + 1;
	unsigned char h[32] = {0x03};
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	h[1] = (unsigned char)(tm.tm_year % 256);
	h[2] = (unsigned char)(tm.tm_mon + 1);
	h[3] = (unsigned char)tm.tm_mday;
	put16(h + 8, header_len);
	put16(h + 10, w->record_len);
	h[29] = (unsigned char)language;
	int ok = fwrite(h, 1, 32, w->f) == 32;
	for (unsigned i = 0; i < n && ok; i++) {
		unsigned char fd[32] = {0};
		memcpy(fd, w->fields[i].name, strlen(w->fields[i].name));
		fd[11] = (unsigned char)w->fields[i].type;
		fd[16] = (unsigned char)w->fields[i].width;
		fd[17] = (unsigned char)w->fields[i].decimals;
		ok = fwrite(fd, 1, 32, w->f) == 32;
	}
	if (!ok || fputc(0x0D, w->f) == EOF) {
		snprintf(msg, sizeof msg, "%s: %s", path, strerror(errno));
		return writer_fail(w, e, 500, "io", msg);
	}
	return 0;
}

int dbf_writer_text(struct dbf_writer *w, unsigned f, const void *bytes, size_t n)
{
	const struct dbf_field *fd = &w->fields[f];
	if (n > fd->width)
		return -1;
	memcpy(w->rec + fd->offset, bytes, n);
	memset(w->rec + fd->offset + n, ' ', fd->width - n);
	return 0;
}

int dbf_writer_int(struct dbf_writer *w, unsigned f, int64_t v)
{
	const struct dbf_field *fd = &w->fields[f];
	char buf[48];
	int len = snprintf(buf, sizeof buf, "%lld", (long long)v);
	if (fd->decimals) {
		buf[len++] = '.';
		for (unsigned i = 0; i < fd->decimals && len < (int)sizeof buf - 1; i++)
			buf[len++] = '0';
		buf[len] = 0;
	}
	unsigned char *p = w->rec + fd->offset;
	if ((unsigned)len > fd->width) {
		memset(p, '*', fd->width);
		return -1;
	}
	memset(p, ' ', fd->width - (unsigned)len);
	memcpy(p + fd->width - (unsigned)len, buf, (size_t)len);
	return 0;
}

int dbf_writer_add(struct dbf_writer *w, struct err *e)
{
	if (!w->f)
		return err_set(e, 500, "io", "", "the file is not open");
	if (w->count == UINT32_MAX)
		return err_set(e, 400, "dbf_spec", "", "too many records");
	w->rec[0] = ' ';
	if (fwrite(w->rec, 1, w->record_len, w->f) != w->record_len)
		return err_set(e, 500, "io", "", "write: %s", strerror(errno));
	w->count++;
	memset(w->rec, ' ', w->record_len);
	return 0;
}

int dbf_writer_close(struct dbf_writer *w, struct err *e)
{
	int rc = 0;
	if (w->f) {
		unsigned char c[4];
		put32(c, w->count);
		if (fputc(0x1A, w->f) == EOF || fseek(w->f, 4, SEEK_SET) != 0 ||
		    fwrite(c, 1, 4, w->f) != 4)
			rc = err_set(e, 500, "io", "", "write: %s", strerror(errno));
		if (fclose(w->f) != 0 && rc == 0)
			rc = err_set(e, 500, "io", "", "close: %s", strerror(errno));
	}
	free(w->fields);
	free(w->rec);
	memset(w, 0, sizeof *w);
	return rc;
}
