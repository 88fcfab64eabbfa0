#include "base/principal.h"

#include <string.h>

/* in the order of the role bits */
static const char *const role_names[] = {"admin", "supervisor", "agent",   "specialist",
					 "desk",  "citizen",    "auditor", "employer", "telephony"};
#define NROLES ((int)(sizeof role_names / sizeof role_names[0]))

int role_from_name(const char *name)
{
	for (int i = 0; name && i < NROLES; i++)
		if (strcmp(name, role_names[i]) == 0)
			return 1 << i;
	return 0;
}

const char *role_name(int role)
{
	for (int i = 0; i < NROLES; i++)
		if (role == 1 << i)
			return role_names[i];
	return "none";
}
