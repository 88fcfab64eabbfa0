# tamin: `make run` serves the demo, `make test` runs every test. See README.md.
CC      ?= cc
PKGS    := libevent libevent_pthreads jansson sqlite3 libsodium libzstd libcrypto xlsxwriter \
	   libcurl pangocairo libqrencode fontconfig libpq
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -D_GNU_SOURCE -Isrc -Ibuild/gen
CFLAGS  += $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
# shapelib is the reference dBase reader of the list tests only; tamin itself does not link it.
TEST_LDLIBS := $(shell pkg-config --libs shapelib 2>/dev/null || echo -lshp) -lcmocka
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

SRC       := $(sort $(wildcard src/*/*.c) $(filter-out src/main.c,$(wildcard src/*.c)))
MIGRATIONS:= $(sort $(wildcard src/store/migrations/*.sql))
MIGRATIONS_PG := $(sort $(wildcard src/store/migrations/pg/*.sql))
GEN       := build/gen/migrations.c
OBJ       := $(SRC:src/%.c=build/obj/%.o) build/obj/gen/migrations.o
SAN_OBJ   := $(SRC:src/%.c=build/san/%.o) build/san/gen/migrations.o
UNIT      := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN  := $(UNIT:tests/unit/%.c=build/tests/%)
NPROC     := $(shell nproc 2>/dev/null || echo 2)
UNIT_SAN  := $(UNIT:tests/unit/%.c=build/tests-san/%)

.PHONY: all deps run test unit unit-pg unit-san unit-valgrind http http-san http-pg lint bench clean format demo-db \
	web web-unit e2e fuzz fuzz-build fuzz-smoke mutate schema-pg

all: build/tamin web

# ---- the web app (web/): TypeScript + Preact, built by Vite into build/web, which
# `tamin serve --web build/web` serves at /. npm ci installs exactly the committed lockfile.
WEB_SRC := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/vite.config.ts \
	web/tsconfig.json

web: build/web/index.html

web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

build/web/index.html: web/node_modules/.installed $(WEB_SRC)
	cd web && ./node_modules/.bin/tsc --noEmit && ./node_modules/.bin/vite build --logLevel warn
	@find build/web -type f \( -name '*.js' -o -name '*.css' -o -name '*.html' -o -name '*.svg' \) \
	  -exec gzip -k -9 -f {} +
	@touch $@

web-unit: web/node_modules/.installed
	cd web && ./node_modules/.bin/vitest run

# Browser journeys: Debian's chromium driven by playwright-core against a real tamin serve.
E2E_TESTS := $(sort $(wildcard web/e2e/*.test.mjs))
e2e: build/tamin build/web/index.html tests/http/node_modules/.installed
	@scripts/each.sh e2e 'TAMIN_BIN=build/tamin node --test "$$1"' $(E2E_TESTS)

deps:
	@scripts/deps.sh

build/tamin: build/obj/main.o $(OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

build/tamin-san: build/san/main.o $(SAN_OBJ)
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LDLIBS)

$(GEN): $(MIGRATIONS) $(MIGRATIONS_PG) scripts/embed_sql.sh
	@mkdir -p $(dir $@)
	scripts/embed_sql.sh $(MIGRATIONS) --pg $(MIGRATIONS_PG) > $@

build/obj/gen/migrations.o: $(GEN)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<
build/san/gen/migrations.o: $(GEN)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN) -c -o $@ $<

build/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<
build/san/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN) -MMD -MP -c -o $@ $<

UNIT_H := $(wildcard tests/unit/*.h)
build/tests/%: tests/unit/%.c $(UNIT_H) $(OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $(filter-out %.h,$^) $(LDLIBS) $(TEST_LDLIBS)
build/tests-san/%: tests/unit/%.c $(UNIT_H) $(SAN_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN) -Itests/unit -o $@ $(filter-out %.h,$^) $(LDLIBS) $(TEST_LDLIBS)

# ---- make fuzz: the libFuzzer targets of tests/fuzz/ (its README.md), built by Debian's
# clang-14 against the project's objects compiled again by it with the sanitizers and the
# fuzzer's coverage (build/fuzz/). Each runs FUZZ_SECONDS, one after another
# (scripts/fuzz.sh); FUZZ_TARGETS="wire natid" runs some only.
FUZZ_CC      ?= clang-14
FUZZ_SECONDS ?= 60
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS  := -O1 -gline-tables-only $(filter-out -O% -g,$(CFLAGS)) $(FUZZ_SAN)
FUZZ_SRC     := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN     := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
FUZZ_SUPPORT := $(filter-out $(FUZZ_SRC),$(wildcard tests/fuzz/*.c))
FUZZ_OBJ     := $(SRC:src/%.c=build/fuzz/obj/%.o) build/fuzz/obj/gen/migrations.o \
	$(FUZZ_SUPPORT:tests/fuzz/%.c=build/fuzz/obj/support/%.o)

build/fuzz/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<
build/fuzz/obj/gen/migrations.o: $(GEN)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<
build/fuzz/obj/support/%.o: tests/fuzz/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<
# An archive, so that a target links only the objects it reaches.
build/fuzz/libtamin.a: $(FUZZ_OBJ)
	@rm -f $@
	ar rcs $@ $^
build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c build/fuzz/libtamin.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -Itests/fuzz -MMD -MP -o $@ $< build/fuzz/libtamin.a \
	  $(LDLIBS)

fuzz-build: $(FUZZ_BIN)

fuzz: fuzz-build
	@scripts/fuzz.sh $(FUZZ_SECONDS) $(if $(FUZZ_TARGETS),$(FUZZ_TARGETS:%=build/fuzz/fuzz_%),$(FUZZ_BIN))

# What make test runs: every regression input, then each target for a few seconds, as many
# targets at once as there are cores.
fuzz-smoke: fuzz-build
	@printf '%s\n' $(FUZZ_BIN) | xargs -P $(NPROC) -n 1 scripts/fuzz.sh 3

-include $(shell find build -name '*.d' 2>/dev/null)

# The test programs run as many at once as there are cores (scripts/each.sh: each one's
# output in build/logs/TARGET/, a failing one's printed whole).
unit: $(UNIT_BIN)
	@scripts/each.sh unit 'TAMIN_DATA=data "$$1"' $(UNIT_BIN)

# The unit tests that take a database, again on a throw-away PostgreSQL cluster (each test a
# fresh database on it): every one but test_spool, whose spool files are named after an
# SQLite file (on PostgreSQL they live in serve's --state-dir; the HTTP suite covers that).
# test_stats's check of SQLite's query plans skips itself there.
UNIT_PG := test_store test_calls test_calls_pop test_cases test_catalog test_documents \
  test_lists_rows test_pulse_counts test_sms_otp test_stats test_users_session
unit-pg: $(UNIT_PG:%=build/tests/%)
	@scripts/each.sh unit-pg 'TAMIN_DATA=data node tests/pg/with-cluster.mjs "$$1"' \
	  $(UNIT_PG:%=build/tests/%)

unit-san: $(UNIT_SAN)
	@scripts/each.sh unit-san 'TAMIN_DATA=data "$$1"' $(UNIT_SAN)

unit-valgrind: $(UNIT_BIN)
	@scripts/each.sh unit-valgrind 'TAMIN_DATA=data valgrind -q --leak-check=full \
	  --errors-for-leak-kinds=definite,indirect --suppressions=tests/unit/valgrind.supp \
	  --error-exitcode=9 "$$1"' $(UNIT_BIN)

# Each file starts its own server on a free port, so files run side by side (scripts/each.sh
# rather than --test-concurrency, which Debian 12's own Node.js (18) does not know).
HTTP_TESTS := $(sort $(wildcard tests/http/*.test.mjs))
http: build/tamin tests/http/node_modules/.installed
	@scripts/each.sh http 'TAMIN_BIN=build/tamin node --test "$$1"' $(HTTP_TESTS)

# The same files on PostgreSQL: each test process starts its own throw-away cluster on
# loopback (tests/http/pg.mjs: initdb in a temporary folder, Debian's postgresql-15) and
# stops it when it ends; every database a test makes is a fresh one in it.
http-pg: build/tamin tests/http/node_modules/.installed
	@scripts/each.sh http-pg 'TAMIN_STORE=postgres TAMIN_BIN=build/tamin node --test "$$1"' \
	  $(HTTP_TESTS)

http-san: build/tamin-san tests/http/node_modules/.installed
	@scripts/each.sh http-san 'TAMIN_BIN=build/tamin-san node --test "$$1"' $(HTTP_TESTS)

# What the HTTP tests import (the OpenAPI document's parser and validator), from the lockfile.
tests/http/node_modules/.installed: tests/http/package.json tests/http/package-lock.json
	cd tests/http && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

lint:
	@scripts/lint.sh

# SQLite's schema (src/store/migrations/) and PostgreSQL's (src/store/migrations/pg/) say the
# same thing: tables, columns in order with their type family, NOT NULL and default, keys,
# foreign keys, indexes, triggers and a fresh database's rows, compared in a throw-away
# PostgreSQL 15 cluster (initdb in a temporary folder, a unix socket only, removed after).
schema-pg: build/tamin
	@tests/pg/schema_diff.sh

# Mutation testing, not part of `make test`: one-line bugs planted one at a time in a copy of
# the tree under build/mutate, each against the tests that should catch it; prints the share
# caught and the survivors (tests/mutate/README.md). MUTATE_ONLY=<file>, MUTATE_LIST=1.
mutate: tests/http/node_modules/.installed
	@node tests/mutate/mutate.mjs

# Everything is built first, on every core; then each step runs its programs side by side.
test: deps
	$(MAKE) -j$(NPROC) all build/tamin-san $(UNIT_BIN) $(UNIT_SAN) fuzz-build
	$(MAKE) unit
	$(MAKE) unit-pg
	$(MAKE) schema-pg
	$(MAKE) unit-san
	$(MAKE) unit-valgrind
	$(MAKE) fuzz-smoke
	$(MAKE) http
	$(MAKE) http-pg
	$(MAKE) http-san
	$(MAKE) web-unit
	$(MAKE) e2e
	$(MAKE) lint

var/tamin.db: | build/tamin
	@mkdir -p var
	build/tamin demo --db var/tamin.db

# make run DB=postgres://USER@HOST:PORT/NAME: the same on PostgreSQL (the database made
# with createdb first; the demo is loaded once, when it has no people yet).
run: deps
	$(MAKE) all
	@mkdir -p var
	@if [ -n "$(DB)" ]; then \
	  if psql -X -Atc 'SELECT 1 FROM people LIMIT 1' "$(DB)" 2>/dev/null | grep -q 1; then \
	    echo "$(DB) has the demo; logins: see README (password: demo1234)"; \
	  else build/tamin demo --db "$(DB)"; fi; \
	elif [ ! -f var/tamin.db ]; then build/tamin demo --db var/tamin.db; \
	  else echo "var/tamin.db exists; demo logins: see README (password: demo1234)"; fi
	@echo "text messages (login codes, case answers) go to var/sms.jsonl"
	build/tamin serve --db "$(or $(DB),var/tamin.db)" --state-dir var --listen 127.0.0.1:8080 \
	  --web build/web --sms-sink var/sms.jsonl

bench: deps
	$(MAKE) all
	bench/run.sh

# The soak (tests/soak/README.md), not part of `make test`: kill -9 cycles, a storm of
# hostile requests against the sanitizer build, the abuse checks, sqlmap, a mixed load, and
# the failover of a three-node Patroni cluster under load. scripts/deps-soak.sh adds sqlmap,
# patroni and etcd to deps.sh's packages. SOAK_ONLY=crash|storm|abuse|sqlmap|load|failover
# runs one part; the summary is build/soak/summary.txt.
.PHONY: soak
soak:
	@scripts/deps-soak.sh
	$(MAKE) build/tamin build/tamin-san tests/http/node_modules/.installed
	node tests/soak/soak.mjs

format:
	clang-format -i $(SRC) src/main.c src/*.h src/*/*.h $(UNIT)

clean:
	rm -rf build
