/* Private to the otp module: its server-wide state (otp.c), which the handlers (http.c)
 * read. */
#ifndef TAMIN_OTP_INTERNAL_H
#define TAMIN_OTP_INTERNAL_H

#include "otp/otp.h"

struct tally;

struct otp {
	unsigned char key[OTP_KEY_BYTES]; /* the codes' hash key, drawn at start */
	long per_address;
	char *test_clock;
	struct tally *starts; /* starts per address ("a:"), mobile ("m:"), national id ("n:") */
	struct tally *wrong;  /* failed verifies per address */
};

#endif
