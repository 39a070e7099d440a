/* sha256.c: SHA-256 as FIPS 180-4 defines it (section 6.2), so that a model
 * file can name the exact bytes of the data it was fitted to and a reader can
 * check a data file against it with any sha256sum. It is small enough to
 * write out rather than pull in a cryptography library; the tests hold it to
 * the standard's test vectors.
 *
 * The panel readers hash every file they read (gbtm_panel_sha256), so speed
 * matters: the portable compression runs at about 220 MB/s, which would add
 * some 20 s to reading a 4.6 GB panel. On x86-64 processors with the SHA
 * extensions (cpuid leaf 7, EBX bit 29; Intel since Ice Lake and Goldmont,
 * AMD since Zen) whole blocks go through sha256rnds2/msg1/msg2 instead,
 * several times faster; the choice is made per call from cpuid, which keeps
 * no state. */
#include "base/sha256.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/error.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SHA256_NI 1
#include <cpuid.h>
#include <immintrin.h>
#endif

/* The first 32 bits of the fractional parts of the cube roots of the first
 * 64 primes (FIPS 180-4 §4.2.2). */
static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

/* One 64-byte block into the state (FIPS 180-4 §6.2.2). */
static void compress(uint32_t h[8], const unsigned char *p) {
  uint32_t w[64];
  for (int t = 0; t < 16; t++)
    w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 | (uint32_t)p[4 * t + 2] << 8 |
           (uint32_t)p[4 * t + 3];
  for (int t = 16; t < 64; t++) {
    uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
    uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
    w[t] = w[t - 16] + s0 + w[t - 7] + s1;
  }
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
  for (int t = 0; t < 64; t++) {
    uint32_t S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
    uint32_t ch = (e & f) ^ (~e & g);
    uint32_t t1 = k + S1 + ch + K256[t] + w[t];
    uint32_t S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
    uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
    uint32_t t2 = S0 + maj;
    k = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += k;
}

#ifdef SHA256_NI
/* Whether the processor has the SHA extensions (and SSSE3, SSE4.1). */
static bool have_sha_ni(void) {
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSSE3) || !(c & bit_SSE4_1)) return false;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
  return (b >> 29) & 1;
}

/* n whole 64-byte blocks into the state with the SHA extensions: the state
 * as the instructions hold it (ABEF, CDGH), then sixteen groups of four
 * rounds, the message schedule of group g + 1 finished (msg2) in group g
 * and begun (msg1) three groups ahead. */
__attribute__((target("sha,sse4.1,ssse3"))) static void compress_ni(uint32_t h[8], const unsigned char *p,
                                                                     size_t n) {
  const __m128i mask = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  __m128i tmp = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[0]), 0xB1); /* CDAB */
  __m128i s1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[4]), 0x1B);  /* EFGH */
  __m128i s0 = _mm_alignr_epi8(tmp, s1, 8);                                        /* ABEF */
  s1 = _mm_blend_epi16(s1, tmp, 0xF0);                                             /* CDGH */
  for (; n > 0; n--, p += 64) {
    __m128i abef = s0, cdgh = s1, m[4];
    for (int j = 0; j < 4; j++) m[j] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * j)), mask);
#pragma GCC unroll 16
    for (int g = 0; g < 16; g++) {
      __m128i mi = m[g & 3];
      __m128i msg = _mm_add_epi32(mi, _mm_loadu_si128((const __m128i *)&K256[4 * g]));
      s1 = _mm_sha256rnds2_epu32(s1, s0, msg);
      if (g >= 3 && g <= 14) {
        __m128i next = _mm_add_epi32(m[(g + 1) & 3], _mm_alignr_epi8(mi, m[(g + 3) & 3], 4));
        m[(g + 1) & 3] = _mm_sha256msg2_epu32(next, mi);
      }
      s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(msg, 0x0E));
      if (g >= 1 && g <= 12) m[(g + 3) & 3] = _mm_sha256msg1_epu32(m[(g + 3) & 3], mi);
    }
    s0 = _mm_add_epi32(s0, abef);
    s1 = _mm_add_epi32(s1, cdgh);
  }
  tmp = _mm_shuffle_epi32(s0, 0x1B);      /* FEBA */
  s1 = _mm_shuffle_epi32(s1, 0xB1);       /* DCHG */
  s0 = _mm_blend_epi16(tmp, s1, 0xF0);    /* DCBA */
  s1 = _mm_alignr_epi8(s1, tmp, 8);       /* HGFE */
  _mm_storeu_si128((__m128i *)&h[0], s0);
  _mm_storeu_si128((__m128i *)&h[4], s1);
}
#endif

void sha256_compress_portable(uint32_t h[8], const unsigned char *p, size_t n) {
  for (; n > 0; n--, p += 64) compress(h, p);
}

bool sha256_compress_accelerated(uint32_t h[8], const unsigned char *p, size_t n) {
#ifdef SHA256_NI
  if (have_sha_ni()) {
    if (n > 0) compress_ni(h, p, n);
    return true;
  }
#endif
  (void)h, (void)p, (void)n;
  return false;
}

/* n whole blocks, with the SHA extensions where the processor has them. */
static void compress_blocks(uint32_t h[8], const unsigned char *p, size_t n) {
  if (n == 0 || sha256_compress_accelerated(h, p, n)) return;
  sha256_compress_portable(h, p, n);
}

void sha256_init(sha256_ctx *c) {
  static const uint32_t h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  memcpy(c->h, h0, sizeof h0);
  c->length = 0;
  c->used = 0;
}

void sha256_update(sha256_ctx *c, const void *data, size_t n) {
  const unsigned char *p = data;
  c->length += n;
  if (c->used > 0) {
    size_t take = 64 - c->used < n ? 64 - c->used : n;
    memcpy(c->buf + c->used, p, take);
    c->used += take;
    p += take;
    n -= take;
    if (c->used < 64) return;
    compress(c->h, c->buf);
    c->used = 0;
  }
  compress_blocks(c->h, p, n / 64);
  p += n / 64 * 64;
  n %= 64;
  memcpy(c->buf, p, n);
  c->used = n;
}

/* Padding (§5.1.1): a 1 bit, zeros, and the length in bits as 64 bits
 * big-endian, to a multiple of 512 bits. */
void sha256_final(sha256_ctx *c, unsigned char digest[32]) {
  uint64_t bits = c->length * 8;
  c->buf[c->used++] = 0x80;
  if (c->used > 56) {
    memset(c->buf + c->used, 0, 64 - c->used);
    compress(c->h, c->buf);
    c->used = 0;
  }
  memset(c->buf + c->used, 0, 56 - c->used);
  for (int j = 0; j < 8; j++) c->buf[56 + j] = (unsigned char)(bits >> (56 - 8 * j));
  compress(c->h, c->buf);
  for (int j = 0; j < 8; j++)
    for (int b = 0; b < 4; b++) digest[4 * j + b] = (unsigned char)(c->h[j] >> (24 - 8 * b));
}

void sha256_hex(const unsigned char digest[32], char hex[65]) {
  static const char digits[] = "0123456789abcdef";
  for (int j = 0; j < 32; j++) {
    hex[2 * j] = digits[digest[j] >> 4];
    hex[2 * j + 1] = digits[digest[j] & 15];
  }
  hex[64] = '\0';
}

void sha256_hex_of(const void *data, size_t n, char hex[65]) {
  sha256_ctx c;
  unsigned char digest[32];
  sha256_init(&c);
  sha256_update(&c, data, n);
  sha256_final(&c, digest);
  sha256_hex(digest, hex);
}

gbtm_status sha256_file(const char *path, char hex[65], gbtm_error *err) {
  hex[0] = '\0';
  FILE *f = fopen(path, "rb");
  if (!f) return gbtm_fail(err, GBTM_ERR_IO, "%s: cannot open the file: %s", path, strerror(errno));
  sha256_ctx c;
  sha256_init(&c);
  unsigned char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) sha256_update(&c, buf, n);
  int failed = ferror(f);
  fclose(f);
  if (failed) return gbtm_fail(err, GBTM_ERR_IO, "%s: cannot read the file", path);
  unsigned char digest[32];
  sha256_final(&c, digest);
  sha256_hex(digest, hex);
  return GBTM_OK;
}
