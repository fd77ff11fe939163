/* OpenBLAS settings: the thread count, and the kernel choice. OpenBLAS 0.3.21
 * (Debian 12) does not recognize recent Xeons (Sapphire Rapids reports a generic
 * model name) and falls back to its Prescott (SSE3) kernels, 4-5x slower than its
 * SkylakeX ones on the same CPU. It reads OPENBLAS_CORETYPE only when it loads,
 * so a program that wants the right kernels restarts itself with it set (nc-train
 * and bench_nn do, in their main(); library code never re-executes anything). */
#include <cblas.h>
#include <stdlib.h>
#include <string.h>

#include "libnc/nn/ops.h"
#include "nc/log.h"

void nn_set_threads(int threads)
{
    if (threads > 0)
        openblas_set_num_threads(threads);
}

const char *nn_blas_better_coretype(void)
{
    if (getenv("OPENBLAS_CORETYPE"))
        return NULL;
    const char *core = openblas_get_corename();
    /* only override the generic fallbacks, never a kernel OpenBLAS chose on purpose */
    if (!core || (strcmp(core, "Prescott") && strcmp(core, "Core2") && strcmp(core, "Nehalem")))
        return NULL;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl"))
        return "SkylakeX";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return "Haswell";
#endif
    return NULL;
}
