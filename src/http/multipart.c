/* multipart/form-data read in place (multipart.h). */
#include "http/multipart.h"

#include "base/text.h"

#include <string.h>
#include <strings.h>

static int is_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* RFC 2046's bchars, without the space (a boundary may hold one, but not last) */
static int is_bchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c && strchr("'()+_,-./:=? ", c));
}

static const char *skip_ows(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* A header's parameter: name (not copied) and value (decoded, in the arena). */
struct param {
	const char *name;
	size_t nlen;
	char *value;
	size_t vlen;
};

static int name_is(const struct param *p, const char *name)
{
	return p->nlen == strlen(name) && strncasecmp(p->name, name, p->nlen) == 0;
}

/* The next "; name=value" of a header's value at *pp: 1 with *out, 0 at the end, -1 when
 * malformed. A value is a quoted string or, as browsers and clients send them, the bytes
 * up to the next ';', trimmed. */
static int param_next(const char **pp, const char *end, struct param *out, struct arena *a)
{
	const char *p = skip_ows(*pp, end);
	if (p == end)
		return 0;
	if (*p++ != ';')
		return -1;
	p = skip_ows(p, end);
	if (p == end) /* a trailing ';' */
		return (*pp = p), 0;
	out->name = p;
	while (p < end && is_tchar((unsigned char)*p))
		p++;
	out->nlen = (size_t)(p - out->name);
	p = skip_ows(p, end);
	if (!out->nlen || p == end || *p++ != '=')
		return -1;
	p = skip_ows(p, end);
	if (p < end && *p == '"') {
		char *v = arena_alloc(a, (size_t)(end - p) + 1);
		size_t n = 0;
		for (p++;; p++) {
			if (p == end)
				return -1; /* no closing quote */
			if (*p == '"')
				break;
			if (*p == '\\' && p + 1 < end && (p[1] == '"' || p[1] == '\\'))
				p++;
			v[n++] = *p;
		}
		p++;
		out->value = v;
		out->vlen = n;
	} else {
		const char *s = p;
		while (p < end && *p != ';')
			p++;
		const char *e = p;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (e == s)
			return -1;
		out->value = arena_strndup(a, s, (size_t)(e - s));
		out->vlen = (size_t)(e - s);
	}
	*pp = p;
	return 1;
}

/* RFC 8187's ext-value, charset'language'percent-encoded, as UTF-8 in *out. 0 or -1. */
static int ext_value(const struct param *p, struct arena *a, char **out, size_t *len)
{
	const char *v = p->value, *end = v + p->vlen;
	const char *q1 = memchr(v, '\'', p->vlen);
	const char *q2 = q1 ? memchr(q1 + 1, '\'', (size_t)(end - q1 - 1)) : NULL;
	if (!q2)
		return -1;
	size_t cl = (size_t)(q1 - v);
	int latin1 = cl == 10 && strncasecmp(v, "ISO-8859-1", 10) == 0;
	if (!latin1 && !(cl == 5 && strncasecmp(v, "UTF-8", 5) == 0))
		return -1;
	char *o = arena_alloc(a, 2 * (size_t)(end - q2) + 1);
	size_t n = 0;
	for (const char *s = q2 + 1; s < end; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '%') {
			if (end - s < 3)
				return -1;
			int hi = text_hex_digit((unsigned char)s[1]),
			    lo = text_hex_digit((unsigned char)s[2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = (unsigned char)(hi * 16 + lo);
			s += 2;
		}
		if (latin1 && c >= 0x80) {
			o[n++] = (char)(0xC0 | (c >> 6));
			o[n++] = (char)(0x80 | (c & 0x3F));
		} else {
			o[n++] = (char)c;
		}
	}
	if (!latin1 && !text_utf8_valid(o, n))
		return -1;
	*out = o;
	*len = n;
	return 0;
}

const char *multipart_boundary(const char *content_type, struct arena *a, struct err *e)
{
	static const char type[] = "multipart/form-data";
	const char *ct = content_type ? content_type : "";
	const char *end = ct + strlen(ct);
	const char *p = skip_ows(ct, end);
	if (strncasecmp(p, type, sizeof type - 1) != 0 ||
	    (p[sizeof type - 1] && !strchr(" \t;", p[sizeof type - 1]))) {
		err_set(e, 415, "unsupported_media_type", "Content-Type",
			"the body must be multipart/form-data");
		return NULL;
	}
	p += sizeof type - 1;
	struct param pr;
	const char *boundary = NULL;
	int rc;
	while ((rc = param_next(&p, end, &pr, a)) == 1) {
		if (!name_is(&pr, "boundary"))
			continue;
		if (boundary)
			goto bad;
		boundary = pr.value;
		if (!pr.vlen || pr.vlen > MULTIPART_BOUNDARY_MAX || pr.value[pr.vlen - 1] == ' ')
			goto bad;
		for (size_t i = 0; i < pr.vlen; i++)
			if (!is_bchar((unsigned char)pr.value[i]))
				goto bad;
	}
	if (rc < 0 || !boundary)
		goto bad;
	return boundary;
bad:
	err_set(e, 400, "invalid_multipart", "Content-Type",
		"the Content-Type needs a boundary of 1-70 letters, digits or '()+_,-./:=?");
	return NULL;
}

/* The Content-Disposition of a part: form-data; name=...; filename=...; filename*=... */
static int disposition(const char *v, const char *end, struct multipart_part *pt, struct arena *a,
		       struct err *e)
{
	static const char fd[] = "form-data";
	const char *p = v;
	if ((size_t)(end - p) < sizeof fd - 1 || strncasecmp(p, fd, sizeof fd - 1) != 0 ||
	    (p + sizeof fd - 1 < end && !strchr(" \t;", p[sizeof fd - 1])))
		return err_set(e, 400, "invalid_multipart", "body",
			       "a part's Content-Disposition must be form-data");
	p += sizeof fd - 1;
	struct param pr;
	int rc, star = 0, plain = 0;
	while ((rc = param_next(&p, end, &pr, a)) == 1) {
		if (name_is(&pr, "name")) {
			if (pt->name)
				goto twice;
			if (!pr.vlen || !text_utf8_valid(pr.value, pr.vlen) ||
			    memchr(pr.value, 0, pr.vlen))
				return err_set(e, 400, "invalid_multipart", "body",
					       "a part's name must be UTF-8 text, not empty");
			pt->name = pr.value;
		} else if (name_is(&pr, "filename")) {
			if (plain++)
				goto twice;
			if (!star) {
				pt->filename = pr.value;
				pt->filename_len = pr.vlen;
			}
		} else if (name_is(&pr, "filename*")) {
			char *d;
			size_t dl;
			if (star++)
				goto twice;
			if (ext_value(&pr, a, &d, &dl) < 0)
				return err_set(
				    e, 400, "invalid_multipart", pt->name ? pt->name : "body",
				    "filename* must be UTF-8''name, percent-encoded (RFC 8187)");
			pt->filename = d;
			pt->filename_len = dl;
		}
	}
	if (rc < 0)
		return err_set(e, 400, "invalid_multipart", pt->name ? pt->name : "body",
			       "a part's Content-Disposition is malformed");
	if (!pt->name)
		return err_set(e, 400, "invalid_multipart", "body", "a part has no name");
	return 0;
twice:
	return err_set(e, 400, "invalid_multipart", pt->name ? pt->name : "body",
		       "a parameter of a part's Content-Disposition is given twice");
}

/* The headers of a part, head[0..len), each line ended by CRLF. */
static int part_headers(const char *head, size_t len, struct multipart_part *pt, struct arena *a,
			struct err *e)
{
	const char *p = head, *end = head + len;
	int have_cd = 0;
	while (p < end) {
		const char *eol = memchr(p, '\r', (size_t)(end - p));
		if (!eol || eol + 1 >= end || eol[1] != '\n')
			return err_set(e, 400, "invalid_multipart", "body",
				       "a part's header line does not end in CRLF");
		const char *colon = p;
		while (colon < eol && is_tchar((unsigned char)*colon))
			colon++;
		if (colon == p || colon == eol || *colon != ':')
			return err_set(e, 400, "invalid_multipart", "body",
				       "a part's header line is malformed (or folded)");
		size_t nl = (size_t)(colon - p);
		const char *v = skip_ows(colon + 1, eol), *ve = eol;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		if (memchr(v, 0, (size_t)(ve - v)))
			return err_set(e, 400, "invalid_multipart", "body",
				       "a part's header holds a NUL byte");
		if (nl == 19 && strncasecmp(p, "Content-Disposition", nl) == 0) {
			if (have_cd++)
				return err_set(e, 400, "invalid_multipart", "body",
					       "a part has two Content-Disposition headers");
			if (disposition(v, ve, pt, a, e) < 0)
				return -1;
		} else if (nl == 12 && strncasecmp(p, "Content-Type", nl) == 0) {
			pt->type = arena_strndup(a, v, (size_t)(ve - v));
		} else if (nl == 25 && strncasecmp(p, "Content-Transfer-Encoding", nl) == 0) {
			size_t vl = (size_t)(ve - v);
			if (!((vl == 6 && !strncasecmp(v, "binary", 6)) ||
			      (vl == 4 &&
			       (!strncasecmp(v, "8bit", 4) || !strncasecmp(v, "7bit", 4)))))
				return err_set(e, 400, "invalid_multipart",
					       pt->name ? pt->name : "body",
					       "a part's Content-Transfer-Encoding must be binary");
		}
		p = eol + 2;
	}
	if (!have_cd)
		return err_set(e, 400, "invalid_multipart", "body",
			       "a part has no Content-Disposition");
	return 0;
}

/* After a delimiter at p: 1 the close delimiter ("--"), 0 a part follows (p moved past
 * the padding and CRLF), -1 neither. */
static int after_delimiter(const char **pp, const char *end)
{
	const char *p = *pp;
	if (end - p >= 2 && p[0] == '-' && p[1] == '-')
		return 1;
	p = skip_ows(p, end);
	if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
		return -1;
	*pp = p + 2;
	return 0;
}

int multipart_parse(const char *body, size_t len, const char *boundary,
		    struct multipart_part *parts, int max, struct arena *a, struct err *e)
{
	char delim[MULTIPART_BOUNDARY_MAX + 5];
	size_t bl = strlen(boundary);
	if (!bl || bl > MULTIPART_BOUNDARY_MAX)
		return err_set(e, 400, "invalid_multipart", "Content-Type",
			       "the boundary is malformed");
	memcpy(delim, "\r\n--", 4);
	memcpy(delim + 4, boundary, bl);
	size_t dl = bl + 4;
	const char *end = body + len, *p;
	/* the first delimiter: at the start, or after a preamble and its CRLF */
	if (len >= dl - 2 && memcmp(body, delim + 2, dl - 2) == 0) {
		p = body + dl - 2;
	} else {
		const char *f = len ? memmem(body, len, delim, dl) : NULL;
		if (!f)
			return err_set(e, 400, "invalid_multipart", "body",
				       "the body has no multipart boundary");
		p = f + dl;
	}
	int n = 0;
	for (;;) {
		int st = after_delimiter(&p, end);
		if (st == 1)
			break;
		const char *field = n ? parts[n - 1].name : "body";
		if (st < 0)
			return err_set(
			    e, 400, "invalid_multipart", field,
			    end - p < 2 ? "the body is cut short: its closing boundary is missing"
					: "a boundary line is malformed");
		if (n == max)
			return err_set(e, 400, "invalid_multipart", "body",
				       "the body has more than %d parts", max);
		struct multipart_part *pt = &parts[n];
		memset(pt, 0, sizeof *pt);
		/* the headers end at an empty line; a part may have none but a name needs one */
		size_t room = (size_t)(end - p), look = room;
		if (look > MULTIPART_HEAD_MAX + 4)
			look = MULTIPART_HEAD_MAX + 4;
		const char *he =
		    room >= 2 && p[0] == '\r' && p[1] == '\n' ? p : memmem(p, look, "\r\n\r\n", 4);
		if (!he)
			return err_set(e, 400, "invalid_multipart", "body",
				       look < room ? "a part's headers are over %u bytes"
						   : "a part's headers are cut short",
				       MULTIPART_HEAD_MAX);
		size_t hl = he == p ? 0 : (size_t)(he - p) + 2;
		if (part_headers(p, hl, pt, a, e) < 0)
			return -1;
		pt->data = p + hl + 2;
		const char *next = memmem(pt->data, (size_t)(end - pt->data), delim, dl);
		if (!next)
			return err_set(
			    e, 400, "invalid_multipart", pt->name,
			    "the part %s is cut short: the body ends before its boundary",
			    pt->name);
		pt->len = (size_t)(next - pt->data);
		p = next + dl;
		n++;
	}
	if (!n)
		return err_set(e, 400, "invalid_multipart", "body", "the body has no part");
	return n;
}
