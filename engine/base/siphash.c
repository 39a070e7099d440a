/* siphash.c: SipHash-c-d (siphash.h), written from the algorithm's
 * description in the paper (§2): four 64-bit words of state initialised
 * from the key and four constants; each 8-byte little-endian word m of the
 * message is xored into v3, mixed by c SipRounds, and xored into v0; the
 * last word holds the remaining bytes and the length mod 256 in its top
 * byte; then v2 ^= 0xff, d SipRounds, and the hash is v0 ^ v1 ^ v2 ^ v3. */
#include "base/siphash.h"

#include <string.h>

static inline uint64_t rotl(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

static inline uint64_t load_le(const unsigned char *p) {
  uint64_t m = 0;
  for (int i = 7; i >= 0; i--) m = (m << 8) | p[i];
  return m;
}

#define SIPROUND                                                        \
  do {                                                                  \
    v0 += v1, v1 = rotl(v1, 13), v1 ^= v0, v0 = rotl(v0, 32);          \
    v2 += v3, v3 = rotl(v3, 16), v3 ^= v2;                             \
    v0 += v3, v3 = rotl(v3, 21), v3 ^= v0;                             \
    v2 += v1, v1 = rotl(v1, 17), v1 ^= v2, v2 = rotl(v2, 32);          \
  } while (0)

uint64_t siphash(const uint64_t k[2], const void *data, size_t len, int c, int d) {
  const unsigned char *p = data;
  uint64_t v0 = k[0] ^ 0x736f6d6570736575ULL, v1 = k[1] ^ 0x646f72616e646f6dULL;
  uint64_t v2 = k[0] ^ 0x6c7967656e657261ULL, v3 = k[1] ^ 0x7465646279746573ULL;
  size_t whole = len - len % 8;
  for (size_t i = 0; i < whole; i += 8) {
    uint64_t m = load_le(p + i);
    v3 ^= m;
    for (int r = 0; r < c; r++) SIPROUND;
    v0 ^= m;
  }
  unsigned char last[8] = {0};
  memcpy(last, p + whole, len - whole);
  uint64_t b = load_le(last) | (uint64_t)(len & 0xff) << 56;
  v3 ^= b;
  for (int r = 0; r < c; r++) SIPROUND;
  v0 ^= b;
  v2 ^= 0xff;
  for (int r = 0; r < d; r++) SIPROUND;
  return v0 ^ v1 ^ v2 ^ v3;
}
