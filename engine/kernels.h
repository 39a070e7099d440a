/* kernel_clones.h: KERNEL_CLONES, for a hot function compiled twice, for
 * the x86-64 baseline and for AVX2, GCC picking one when the program loads.
 * AVX2 without FMA: the same IEEE operations in the same order either way,
 * so the same bits on every processor. */
#ifndef GBTM_KERNEL_CLONES_H
#define GBTM_KERNEL_CLONES_H

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(GBTM_NO_CLONES)
#define KERNEL_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define KERNEL_CLONES
#endif

#endif
