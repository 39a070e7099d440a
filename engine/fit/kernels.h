/* kernels.h: how the passes over person blocks (the E-step, engine/fit/estep.c;
 * the information, engine/fit/inference.c) are compiled and run.
 *
 * KERNEL_CLONES: a hot function compiled twice, for the x86-64 baseline and
 * for AVX2, GCC picking one when the program loads. AVX2 without FMA: the
 * same IEEE operations in the same order either way, so the same bits on
 * every processor.
 *
 * PARALLEL_BLOCKS: the blocks from which a pass runs on several threads.
 * Below, waking the other threads costs more than the pass (measured:
 * bench/RESULTS.md, "Measurements that decided the code's rules"). The
 * same blocks and order either way: the same sums. */
#ifndef GBTM_KERNELS_H
#define GBTM_KERNELS_H

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(GBTM_NO_CLONES)
#define KERNEL_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define KERNEL_CLONES
#endif

#define PARALLEL_BLOCKS 8

#endif
