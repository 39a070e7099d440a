/* check_idtable.c: the person-id table (engine/base/idtable.c) and its
 * keyed hash (engine/base/siphash.c). SipHash-2-4 gives the paper's test
 * vector; ids number in order of first appearance; and ids crafted to
 * collide under the unkeyed hash the table used before (FNV-1a with a
 * mixing step, copied here to craft them) keep every lookup short. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/idtable.h"
#include "base/siphash.h"

/* The paper's test vector (Appendix A): key 00 01 .. 0f, message 00 01 .. 0e. */
START_TEST(siphash_test_vector) {
  unsigned char key[16], msg[15];
  for (int i = 0; i < 16; i++) key[i] = (unsigned char)i;
  for (int i = 0; i < 15; i++) msg[i] = (unsigned char)i;
  uint64_t k[2] = {0, 0};
  for (int i = 7; i >= 0; i--) k[0] = (k[0] << 8) | key[i], k[1] = (k[1] << 8) | key[8 + i];
  ck_assert_uint_eq(siphash(k, msg, sizeof msg, 2, 4), 0xa129ca6149be45e5ULL);
}
END_TEST

START_TEST(numbers_in_order_of_first_appearance) {
  idtable *t = idtable_alloc(0);
  ck_assert_ptr_nonnull(t);
  const char *ids[] = {"b", "a", "b", "c", "a", "bb"};
  uint32_t want[] = {0, 1, 0, 2, 1, 3}, got;
  bool added;
  for (int i = 0; i < 6; i++) {
    ck_assert(idtable_intern(t, ids[i], strlen(ids[i]), &got, &added));
    ck_assert_uint_eq(got, want[i]);
  }
  ck_assert_uint_eq(idtable_count(t), 4);
  ck_assert_str_eq(idtable_id(t, 3), "bb");
  ck_assert(idtable_find(t, "c", 1));
  ck_assert(!idtable_find(t, "d", 1));
  idtable_free(t);
}
END_TEST

/* The hash of idtable.c before it was keyed. */
static uint64_t unkeyed_hash(const char *key, size_t len) {
  uint64_t h = 14695981039346656037ULL;
  for (size_t i = 0; i < len; i++) {
    h ^= (unsigned char)key[i];
    h *= 1099511628211ULL;
  }
  h ^= h >> 29;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 32;
  return h;
}

/* n ids "P<number>" whose unkeyed hashes agree in their low bits bits:
 * under that hash they all start their probe at one slot of a table of up
 * to 2^bits slots. Returns a heap array of n heap strings. */
static char **crafted_ids(size_t n, int bits) {
  char **ids = malloc(n * sizeof *ids);
  ck_assert_ptr_nonnull(ids);
  uint64_t mask = ((uint64_t)1 << bits) - 1;
  size_t found = 0;
  for (unsigned long long i = 0; found < n; i++) {
    char text[32];
    int len = snprintf(text, sizeof text, "P%llu", i);
    if ((unkeyed_hash(text, (size_t)len) & mask) != 0) continue;
    ids[found] = strdup(text);
    ck_assert_ptr_nonnull(ids[found]);
    found++;
  }
  return ids;
}

/* 2000 ids fill a table of 4096 slots; all of them collide under the
 * unkeyed hash in its low 12 bits, so there the last of them was found
 * after about 2000 probes. Keyed, the longest probe stays that of random
 * hashes (about 10 at this load; 64 leaves a wide margin). */
START_TEST(crafted_ids_probe_briefly) {
  const size_t n = 2000;
  char **ids = crafted_ids(n, 12);
  idtable *t = idtable_alloc(0);
  ck_assert_ptr_nonnull(t);
  for (size_t i = 0; i < n; i++) {
    uint32_t index;
    ck_assert(idtable_intern(t, ids[i], strlen(ids[i]), &index, NULL));
    ck_assert_uint_eq(index, i);
  }
  ck_assert_uint_eq(idtable_count(t), n);
  size_t longest = idtable_max_probe(t);
  ck_assert_msg(longest <= 64, "the longest probe of %zu crafted ids is %zu slots", n, longest);
  for (size_t i = 0; i < n; i++) ck_assert(idtable_find(t, ids[i], strlen(ids[i])));
  idtable_free(t);
  for (size_t i = 0; i < n; i++) free(ids[i]);
  free(ids);
}
END_TEST

int main(void) {
  Suite *s = suite_create("idtable");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, siphash_test_vector);
  tcase_add_test(tc, numbers_in_order_of_first_appearance);
  tcase_add_test(tc, crafted_ids_probe_briefly);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
