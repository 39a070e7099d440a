/* age_set.h: the age grid of a panel while it is built: a hash set of the
 * distinct ages (doubles), then their sorted list and each one's rank
 * (panel.c, panel_sorted.c). */
#ifndef GBTM_AGE_SET_H
#define GBTM_AGE_SET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Ages are keyed by their bits, with -0 folded onto +0 so that the grid uses
 * exact double equality. val holds index + 1 (0 = empty slot): the order of
 * insertion while collecting, the rank in the sorted grid afterwards. */
typedef struct age_set {
  uint64_t *key;
  uint32_t *val;
  size_t mask;
  double *ages; /* distinct ages, count of them */
  size_t count, cap;
} age_set;

bool age_set_init(age_set *s);
void age_set_free(age_set *s);
/* Adds age a; false when out of memory or past UINT32_MAX - 1 ages. */
bool age_set_add(age_set *s, double a);
/* Sorts the distinct ages (s->ages[0..count)) and relabels every slot with
 * its rank. */
void age_set_sort(age_set *s);
/* The index of a (which must be in the set) in the sorted grid. */
uint32_t age_set_rank(const age_set *s, double a);

#endif
