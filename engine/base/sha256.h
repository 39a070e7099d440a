/* sha256.h: SHA-256 (FIPS 180-4) over a stream of bytes, for the data
 * fingerprint that the panel readers take of the data they read and model
 * files store (DESIGN §7; gbtm_panel_sha256 in gbtm.h). */
#ifndef GBTM_SHA256_H
#define GBTM_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gbtm.h"

typedef struct sha256_ctx {
  uint32_t h[8];          /* the hash state */
  uint64_t length;        /* bytes hashed so far */
  unsigned char buf[64];  /* a partial block */
  size_t used;            /* bytes in buf */
} sha256_ctx;

void sha256_init(sha256_ctx *c);
/* n whole 64-byte blocks into the state h: the portable compression of
 * FIPS 180-4 §6.2.2; and the one with the processor's SHA extensions, which
 * returns false (and does nothing) where the processor has none. Hashing
 * uses the second where it can; the tests hold the two to each other. */
void sha256_compress_portable(uint32_t h[8], const unsigned char *p, size_t n);
bool sha256_compress_accelerated(uint32_t h[8], const unsigned char *p, size_t n);
void sha256_update(sha256_ctx *c, const void *data, size_t n);
/* Pads, ends the hash and writes the 32-byte digest. */
void sha256_final(sha256_ctx *c, unsigned char digest[32]);
/* 64 lowercase hex digits and a NUL. */
void sha256_hex(const unsigned char digest[32], char hex[65]);
/* SHA-256 of n bytes, as 64 lowercase hex digits and a NUL. */
void sha256_hex_of(const void *data, size_t n, char hex[65]);
/* SHA-256 of a file's bytes, as above (what sha256sum prints); GBTM_ERR_IO
 * (and hex "") when it cannot be opened or read. */
gbtm_status sha256_file(const char *path, char hex[65], gbtm_error *err);

#endif
