/* idtable.c: person ids to dense indices by open addressing with linear
 * probing (see idtable.h). A slot holds index + 1 (0 = empty) in its low 32
 * bits and the high 32 bits of the id's 64-bit hash in its high bits, so a
 * probe touches the id's bytes only when those agree: looking up a new id
 * costs one cache miss. The slot array stays at most half full; the full
 * hashes are kept in insertion order for rehashing.
 *
 * The hash is SipHash-1-3 (siphash.h) under a key drawn for each table from
 * the system's random source: ids crafted to collide cannot be made without
 * the key, so a file of such ids is read in linear time like any other
 * (DESIGN §1; bench/idhash.c measures it). */
#define _DEFAULT_SOURCE /* getrandom */
#include "base/idtable.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "base/siphash.h"

struct idtable {
  char **ids;       /* count heap strings */
  size_t *lens;     /* their lengths */
  uint64_t *hashes; /* their hashes */
  size_t count, cap;
  uint64_t *slots; /* mask + 1 entries: tag << 32 | (index + 1), or 0 */
  size_t mask;
  uint64_t key[2]; /* the hash's key, this table's own */
};

static uint64_t hash_bytes(const idtable *t, const char *key, size_t len) {
  return siphash(t->key, key, len, 1, 3);
}

/* A fresh random key. Where the system's random source fails (it does not
 * on Linux 3.17 and later), the clock and the table's address stand in: a
 * weaker key, but still none that a file can be crafted against in advance. */
static void draw_key(idtable *t) {
  if (getrandom(t->key, sizeof t->key, 0) == (ssize_t)sizeof t->key) return;
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  t->key[0] = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ULL ^ (uint64_t)ts.tv_sec;
  t->key[1] = (uint64_t)(uintptr_t)t * 0xbf58476d1ce4e5b9ULL ^ (uint64_t)clock();
}

idtable *idtable_alloc(size_t expected) {
  idtable *t = calloc(1, sizeof *t);
  if (!t) return NULL;
  size_t nslots = 16;
  while (nslots < 2 * expected && nslots < ((size_t)1 << 40)) nslots *= 2;
  t->slots = calloc(nslots, sizeof *t->slots);
  if (!t->slots) {
    free(t);
    return NULL;
  }
  t->mask = nslots - 1;
  draw_key(t);
  return t;
}

void idtable_free(idtable *t) {
  if (!t) return;
  for (size_t i = 0; i < t->count; i++) free(t->ids[i]);
  free(t->ids);
  free(t->lens);
  free(t->hashes);
  free(t->slots);
  free(t);
}

/* Doubles the slot array and reinserts every id by its stored hash. */
static uint64_t slot_value(uint64_t hash, size_t index) {
  return (hash & 0xffffffff00000000ULL) | (uint64_t)(index + 1);
}

static bool grow_slots(idtable *t) {
  size_t nslots = 2 * (t->mask + 1);
  uint64_t *slots = calloc(nslots, sizeof *slots);
  if (!slots) return false;
  size_t mask = nslots - 1;
  for (size_t i = 0; i < t->count; i++) {
    size_t s = (size_t)t->hashes[i] & mask;
    while (slots[s]) s = (s + 1) & mask;
    slots[s] = slot_value(t->hashes[i], i);
  }
  free(t->slots);
  t->slots = slots;
  t->mask = mask;
  return true;
}

static bool grow_ids(idtable *t) {
  size_t cap = t->cap ? 2 * t->cap : 64;
  char **ids = realloc(t->ids, cap * sizeof *ids);
  if (!ids) return false;
  t->ids = ids;
  size_t *lens = realloc(t->lens, cap * sizeof *lens);
  if (!lens) return false;
  t->lens = lens;
  uint64_t *hashes = realloc(t->hashes, cap * sizeof *hashes);
  if (!hashes) return false;
  t->hashes = hashes;
  t->cap = cap;
  return true;
}

bool idtable_intern(idtable *t, const char *key, size_t len, uint32_t *index, bool *added) {
  uint64_t h = hash_bytes(t, key, len);
  size_t s = (size_t)h & t->mask;
  for (uint64_t v; (v = t->slots[s]) != 0; s = (s + 1) & t->mask) {
    size_t i = (size_t)(v & 0xffffffffu) - 1;
    if ((v >> 32) == (h >> 32) && t->lens[i] == len && memcmp(t->ids[i], key, len) == 0) {
      *index = (uint32_t)i;
      if (added) *added = false;
      return true;
    }
  }
  if (t->count >= UINT32_MAX - 1) return false;
  if (t->count == t->cap && !grow_ids(t)) return false;
  char *copy = malloc(len + 1);
  if (!copy) return false;
  memcpy(copy, key, len);
  copy[len] = '\0';
  size_t i = t->count++;
  t->ids[i] = copy;
  t->lens[i] = len;
  t->hashes[i] = h;
  t->slots[s] = slot_value(h, i);
  if (2 * t->count > t->mask + 1 && !grow_slots(t)) {
    /* Keep the table consistent: undo the insertion. */
    t->slots[s] = 0;
    t->count--;
    free(copy);
    return false;
  }
  *index = (uint32_t)i;
  if (added) *added = true;
  return true;
}

bool idtable_find(const idtable *t, const char *key, size_t len) {
  uint64_t h = hash_bytes(t, key, len);
  for (size_t s = (size_t)h & t->mask;; s = (s + 1) & t->mask) {
    uint64_t v = t->slots[s];
    if (v == 0) return false;
    size_t i = (size_t)(v & 0xffffffffu) - 1;
    if ((v >> 32) == (h >> 32) && t->lens[i] == len && memcmp(t->ids[i], key, len) == 0) return true;
  }
}

size_t idtable_count(const idtable *t) { return t->count; }

size_t idtable_max_probe(const idtable *t) {
  size_t longest = 0;
  for (size_t s = 0; s <= t->mask; s++) {
    uint64_t v = t->slots[s];
    if (v == 0 || !t->hashes) continue;
    size_t home = (size_t)t->hashes[(v & 0xffffffffu) - 1] & t->mask, probes = ((s - home) & t->mask) + 1;
    if (probes > longest) longest = probes;
  }
  return longest;
}

const char *idtable_id(const idtable *t, uint32_t i) { return i < t->count ? t->ids[i] : NULL; }

size_t idtable_len(const idtable *t, uint32_t i) { return i < t->count ? t->lens[i] : 0; }

char **idtable_take_ids(idtable *t, size_t *n) {
  char **ids = t->count ? t->ids : NULL;
  *n = t->count;
  if (!ids) free(t->ids);
  free(t->lens);
  free(t->hashes);
  t->ids = NULL;
  t->lens = NULL;
  t->hashes = NULL;
  t->count = t->cap = 0;
  memset(t->slots, 0, (t->mask + 1) * sizeof *t->slots);
  return ids;
}
