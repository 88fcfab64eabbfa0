/* routes: the API's route table and the hooks the HTTP server calls (routes.c), wired
 * by `tamin serve`. */
#ifndef TAMIN_ROUTES_H
#define TAMIN_ROUTES_H

#include "http/http.h"

extern const struct route api_routes[];
/* Sessions from users/, the web app (when served) for paths no route knows. */
extern const struct http_hooks api_hooks;

#endif
