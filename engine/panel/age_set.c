/* age_set.c: the hash set of a panel's distinct ages (age_set.h). */
#include "panel/age_set.h"

#include <stdlib.h>
#include <string.h>

static uint64_t age_bits(double a) {
  uint64_t b;
  if (a == 0.0) a = 0.0;
  memcpy(&b, &a, sizeof b);
  return b;
}

static size_t age_hash(uint64_t b) { /* splitmix64 finaliser */
  b ^= b >> 30;
  b *= 0xbf58476d1ce4e5b9ULL;
  b ^= b >> 27;
  b *= 0x94d049bb133111ebULL;
  b ^= b >> 31;
  return (size_t)b;
}

void age_set_free(age_set *s) {
  free(s->key);
  free(s->val);
  free(s->ages);
}

bool age_set_init(age_set *s) {
  memset(s, 0, sizeof *s);
  s->mask = 63;
  s->key = malloc(64 * sizeof *s->key);
  s->val = calloc(64, sizeof *s->val);
  return s->key && s->val;
}

static size_t age_set_slot(const age_set *s, uint64_t b) {
  size_t i = age_hash(b) & s->mask;
  while (s->val[i] && s->key[i] != b) i = (i + 1) & s->mask;
  return i;
}

static bool age_set_grow(age_set *s) {
  size_t n = 2 * (s->mask + 1);
  age_set g = {malloc(n * sizeof *g.key), calloc(n, sizeof *g.val), n - 1, NULL, 0, 0};
  if (!g.key || !g.val) {
    free(g.key);
    free(g.val);
    return false;
  }
  for (size_t i = 0; i <= s->mask; i++)
    if (s->val[i]) {
      size_t j = age_set_slot(&g, s->key[i]);
      g.key[j] = s->key[i];
      g.val[j] = s->val[i];
    }
  free(s->key);
  free(s->val);
  s->key = g.key;
  s->val = g.val;
  s->mask = g.mask;
  return true;
}

bool age_set_add(age_set *s, double a) {
  uint64_t b = age_bits(a);
  size_t i = age_set_slot(s, b);
  if (s->val[i]) return true;
  if (s->count >= UINT32_MAX - 1) return false;
  if (s->count == s->cap) {
    size_t cap = s->cap ? 2 * s->cap : 64;
    double *ages = realloc(s->ages, cap * sizeof *ages);
    if (!ages) return false;
    s->ages = ages;
    s->cap = cap;
  }
  s->ages[s->count++] = a == 0.0 ? 0.0 : a;
  s->key[i] = b;
  s->val[i] = (uint32_t)s->count;
  if (2 * s->count > s->mask + 1) return age_set_grow(s);
  return true;
}

uint32_t age_set_rank(const age_set *s, double a) {
  return s->val[age_set_slot(s, age_bits(a))] - 1;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

void age_set_sort(age_set *s) {
  qsort(s->ages, s->count, sizeof *s->ages, cmp_double);
  for (size_t j = 0; j < s->count; j++)
    s->val[age_set_slot(s, age_bits(s->ages[j]))] = (uint32_t)(j + 1);
}

