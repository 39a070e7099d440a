/* sha256.h: SHA-256 (FIPS 180-4) over a stream of bytes, for the data
 * fingerprint stored in model files (DESIGN §7). The public entry points
 * gbtm_sha256_hex() and gbtm_sha256_file() are declared in gbtm.h. */
#ifndef GBTM_SHA256_H
#define GBTM_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct sha256_ctx {
  uint32_t h[8];          /* the hash state */
  uint64_t length;        /* bytes hashed so far */
  unsigned char buf[64];  /* a partial block */
  size_t used;            /* bytes in buf */
} sha256_ctx;

void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const void *data, size_t n);
/* Pads, ends the hash and writes the 32-byte digest. */
void sha256_final(sha256_ctx *c, unsigned char digest[32]);
/* 64 lowercase hex digits and a NUL. */
void sha256_hex(const unsigned char digest[32], char hex[65]);

#endif
