/* NN_SIMD_CLONES: compile a hot loop for AVX-512 and AVX2 as well as the
 * baseline, picked at load time (GCC's target_clones on x86-64 ELF). For the
 * training and reconstruction paths only, never for the deterministic mode. */
#ifndef NC_NN_SIMD_H
#define NC_NN_SIMD_H

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__ELF__)
#define NN_SIMD_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define NN_SIMD_CLONES
#endif

#endif
