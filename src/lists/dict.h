/* dict: zstd dictionaries for the blocks of many small lists (a batch, lists/batch.h).
 *
 * A list of 21 workers is one block of about 3.4 KB, too little for zstd to find what
 * rows have in common. A dictionary trained on a batch's first rows is stored in
 * zstd_dicts (migration 014), and the batch's blocks are compressed with it; a block's
 * zstd frame names its dictionary, and reading finds it by that id. */
#ifndef TAMIN_LISTS_DICT_H
#define TAMIN_LISTS_DICT_H

#include <stddef.h>

#include "base/err.h"
#include "store/store.h"

/* Trains a dictionary on n samples (sizes[i] bytes each, one after another in samples),
 * stores it in db's open transaction, and returns it ready to compress at `level`
 * (a ZSTD_CDict; list_dict_free it). NULL with e->status 0 when the samples teach
 * nothing (too few: compress without); NULL with e set on a database error. */
void *list_dict_train(struct db *db, const void *samples, const size_t *sizes, unsigned n,
		      int level, struct err *e);
void list_dict_free(void *cdict);

/* Dictionary id (as a zstd frame names it: ZSTD_getDictID_fromFrame), ready to
 * decompress (a ZSTD_DDict, kept for the life of the process); NULL for id 0, or when db
 * has no such dictionary. */
const void *list_dict_get(struct db *db, unsigned id);

#endif
