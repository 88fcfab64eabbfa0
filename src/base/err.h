/* err: the one error convention. Functions return 0 or a negative value and fill a
 * struct err that names an HTTP-ish status, a machine code, the field at fault and a
 * message a person can read. */
#ifndef TAMIN_BASE_ERR_H
#define TAMIN_BASE_ERR_H

struct err {
	int status;	   /* HTTP status that fits: 400, 403, 404, 409, 413, 422, 429, 500 */
	char code[48];	   /* machine code, e.g. "invalid_national_id" */
	char field[64];	   /* the request field at fault, "" when none */
	char message[256]; /* readable message */
};

/* Fills e (if not NULL) and returns -1 so callers can `return err_set(...)`. */
int err_set(struct err *e, int status, const char *code, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void err_clear(struct err *e);

#endif
