/* The API's route table (routes.c). */
#ifndef TAMIN_HTTP_ROUTES_H
#define TAMIN_HTTP_ROUTES_H

#include "http/http.h"

extern const struct route api_routes[];

#endif
