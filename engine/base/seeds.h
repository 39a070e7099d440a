/* seeds.h: one generator seed per start or replicate, derived from the
 * user's seed by splitmix64, so that each stream is reproducible on its own
 * whatever order (or thread) it runs in. */
#ifndef GBTM_SEEDS_H
#define GBTM_SEEDS_H

#include <stdint.h>

/* Seed number i (0-based) of the family salt (0 for fit starts). */
static inline unsigned long seed_stream(uint64_t seed, uint64_t salt, int i) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (uint64_t)(i + 1) + salt;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return (unsigned long)(z ^ (z >> 31));
}

#endif
