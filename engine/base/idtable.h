/* idtable.h: an open-addressing hash table that turns person ids (byte
 * strings) into dense indices 0, 1, 2, ... in order of first appearance.
 * Panel readers use it to number persons in one pass over the rows; the
 * table keeps one heap copy of each distinct id, which the caller takes
 * over with idtable_take_ids() and hands to panel_build(). */
#ifndef GBTM_IDTABLE_H
#define GBTM_IDTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct idtable idtable;

/* A table with room for about expected ids before it grows (0 is fine).
 * Returns NULL when out of memory. */
idtable *idtable_alloc(size_t expected);

/* Frees the table and every id it still owns. idtable_free(NULL) is a no-op. */
void idtable_free(idtable *table);

/* Looks up the len bytes at key (need not be NUL-terminated). When absent,
 * stores a NUL-terminated copy under the next index. On success sets *index
 * (and *added when not NULL) and returns true; returns false when out of
 * memory or when the table already holds UINT32_MAX ids (table unchanged). */
bool idtable_intern(idtable *table, const char *key, size_t len, uint32_t *index, bool *added);

/* Whether the table holds the len bytes at key (a lookup only: tables
 * that no thread changes can be searched from many). */
bool idtable_find(const idtable *table, const char *key, size_t len);

/* Number of distinct ids so far. */
size_t idtable_count(const idtable *table);

/* The most slots that looking up one of the ids visits: 1 when none
 * collides. For the tests, which hold it small for ids crafted to collide. */
size_t idtable_max_probe(const idtable *table);

/* The id with index i (NUL-terminated, owned by the table), or NULL. */
const char *idtable_id(const idtable *table, uint32_t i);

/* Length in bytes of the id with index i (0 when out of range). */
size_t idtable_len(const idtable *table, uint32_t i);

/* Hands the id list to the caller: returns the array of idtable_count()
 * heap strings (a heap array the caller frees, with each string) and sets
 * *n to its length; the table is left empty. Returns NULL with *n = 0 when
 * the table holds no ids. */
char **idtable_take_ids(idtable *table, size_t *n);

#endif
