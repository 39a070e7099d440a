/* siphash.h: SipHash (Aumasson and Bernstein, "SipHash: a fast short-input
 * PRF", 2012), a keyed 64-bit hash of byte strings. Without the key, no one
 * can choose inputs that collide, which keeps the id table (idtable.c)
 * linear in the worst case (DESIGN §1). */
#ifndef GBTM_SIPHASH_H
#define GBTM_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/* SipHash-c-d of the len bytes at data under the 128-bit key k[0], k[1]
 * (the key's bytes 0-7 and 8-15, read little-endian): c rounds per 8-byte
 * word, d rounds at the end. SipHash-2-4 is the paper's; the id table uses
 * SipHash-1-3. */
uint64_t siphash(const uint64_t k[2], const void *data, size_t len, int c, int d);

#endif
