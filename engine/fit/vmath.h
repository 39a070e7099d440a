/* vmath.h: exp and log on four doubles at once, for the E-step's
 * log-sum-exp (DESIGN §3), which spends most of its time in them: per
 * iteration N*K exponentials and N logarithms. glibc's scalar functions cost
 * a call and a table lookup each; these are straight-line polynomials on
 * GCC vector types, so the compiler emits SSE2 (the x86-64 baseline: two
 * instructions per operation) or, in a function compiled for AVX2, one.
 * Every lane does the same IEEE operations in the same order, with no fused
 * multiply-add, so the results are the same bit for bit on every x86-64
 * processor and whatever the vector width.
 *
 * Accuracy (tests/unit/check_vmath.c): within 1e-15 relative of glibc's
 * exp and log over their domains here. */
#ifndef GBTM_VMATH_H
#define GBTM_VMATH_H

#include <stdint.h>

/* The functions below, and those of the files using them, are always
 * inlined: the ABI of passing 32-byte vectors without AVX, which GCC and
 * clang warn about, never applies. (For the rest of the including file.) */
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wunknown-warning-option"
#pragma clang diagnostic ignored "-Wpsabi"
#elif defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

/* may_alias: arrays of doubles are read and written as vectors. */
typedef double v4d __attribute__((vector_size(32), aligned(32), may_alias));
typedef int64_t v4i __attribute__((vector_size(32), aligned(32), may_alias));
typedef uint64_t v4u __attribute__((vector_size(32), aligned(32), may_alias));

#define VMATH_INLINE static inline __attribute__((always_inline))

VMATH_INLINE v4d v4d_splat(double x) { return (v4d){x, x, x, x}; }

/* m ? a : b lane by lane, m a comparison result (all bits set or clear). */
VMATH_INLINE v4d v4d_select(v4i m, v4d a, v4d b) { return (v4d)(((v4i)a & m) | ((v4i)b & ~m)); }

/* exp(x) for x <= 0 (or -inf, or NaN, which it returns). x = n ln2 + r,
 * |r| <= ln2/2, with ln2 in two parts (Cody and Waite; n ln2_hi is exact
 * for |n| < 2^21); exp(r) by its Taylor polynomial of degree 13, whose
 * truncation error is below 4e-18, evaluated by Estrin's scheme (short
 * dependency chains, so that the processor overlaps them); 2^n added to the exponent bits. Below
 * -707 the result is 0 (exp(-707) = 9e-308, where 2^n would leave the
 * normal range). */
VMATH_INLINE v4d v4d_exp_nonpos(v4d x) {
  const v4d shift = v4d_splat(6755399441055744.0); /* 1.5 * 2^52: x*log2(e) + shift rounds to n */
  v4i small = x < v4d_splat(-707.0), nan = x != x;
  x = v4d_select(small, v4d_splat(-707.0), x);
  v4d t = x * 1.4426950408889634 + shift;
  v4d n = t - shift;
  v4d r = x - n * 6.93147180369123816490e-01;
  r = r - n * 1.90821492927058770002e-10;
  /* sum_{i=0}^{13} r^i / i! by Estrin's scheme: pairs, then r^2, r^4 and
   * r^8 combine them, a dependency chain of 8 operations instead of 26 */
  v4d r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
  v4d q0 = 1.0 + r, q1 = 0.5 + r * (1.0 / 6.0), q2 = 1.0 / 24.0 + r * (1.0 / 120.0);
  v4d q3 = 1.0 / 720.0 + r * (1.0 / 5040.0), q4 = 1.0 / 40320.0 + r * (1.0 / 362880.0);
  v4d q5 = 1.0 / 3628800.0 + r * (1.0 / 39916800.0), q6 = 1.0 / 479001600.0 + r * (1.0 / 6227020800.0);
  v4d u0 = q0 + r2 * q1, u1 = q2 + r2 * q3, u2 = q4 + r2 * q5;
  v4d p = (u0 + r4 * u1) + r8 * (u2 + r4 * q6);
  v4d e = (v4d)((v4u)p + ((v4u)t << 52)); /* the low bits of t hold n (unsigned: wrapping bit arithmetic) */
  e = (v4d)((v4i)e & ~small);
  return v4d_select(nan, x, e);
}

/* log(x) for finite normal x > 0 (NaN is returned as it is). x = 2^e m
 * with m in [sqrt(1/2), sqrt(2)), found with integer arithmetic on the bits
 * (the exponent boundary moved to sqrt(1/2), as in musl's log); then
 * log m = 2 atanh f = 2 (f + f^3/3 + ... + f^21/21), f = (m-1)/(m+1),
 * |f| <= 0.172, truncation error below 1e-18; log x = e ln2 + log m with ln2
 * in two parts. */
VMATH_INLINE v4d v4d_log_pos(v4d x) {
  const int64_t off = 0x3FE6A09E667F3BCD; /* the bits of sqrt(1/2) */
  v4i nan = x != x;
  v4u b = (v4u)x + (uint64_t)(0x3FF0000000000000 - off); /* unsigned: a NaN's bits may wrap */
  v4d e = (v4d)((b >> 52) | 0x4330000000000000); /* 2^52 + biased exponent */
  e = e - (4503599627370496.0 + 1023.0);
  v4d m = (v4d)((b & 0x000FFFFFFFFFFFFF) + (uint64_t)off);
  v4d f = (m - 1.0) / (m + 1.0), z = f * f;
  /* 1 + z/3 + ... + z^10/21 by Estrin's scheme, as in v4d_exp_nonpos */
  v4d z2 = z * z, z4 = z2 * z2, z8 = z4 * z4;
  v4d q0 = 1.0 + z * (1.0 / 3.0), q1 = 1.0 / 5.0 + z * (1.0 / 7.0), q2 = 1.0 / 9.0 + z * (1.0 / 11.0);
  v4d q3 = 1.0 / 13.0 + z * (1.0 / 15.0), q4 = 1.0 / 17.0 + z * (1.0 / 19.0);
  v4d u0 = q0 + z2 * q1, u1 = q2 + z2 * q3, u2 = q4 + z2 * (1.0 / 21.0);
  v4d s = (u0 + z4 * u1) + z8 * u2;
  v4d lg = e * 6.93147180369123816490e-01 + (e * 1.90821492927058770002e-10 + 2.0 * f * s);
  return v4d_select(nan, x, lg);
}

#endif
