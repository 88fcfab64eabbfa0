/* The embedded schema migrations (generated from src/store/migrations/NNN_name.sql). */
#ifndef TAMIN_STORE_MIGRATIONS_H
#define TAMIN_STORE_MIGRATIONS_H

struct migration {
	int version;
	const char *name;
	const char *sql;
};
extern const struct migration migrations[];
extern const int migrations_count;

#endif
