/* Kernel choice at run time, and the layers built on a kernel table (kernels.h). */
#include <stdlib.h>
#include <string.h>

#include "libnc/nn/kernels.h"
#include "libnc/nn/kernels_impl.h"

#if defined(NN_KERNELS_X86) && defined(__GNUC__)
#include <cpuid.h>
#ifdef __linux__
#include <sys/syscall.h>
#include <unistd.h>
#endif

/* What the CPU and the OS support, from CPUID (gcc's and clang's
 * __builtin_cpu_supports do not agree on the names, and clang 14 lacks "f16c"). */
static void x86_features(int *sse41, int *avx2_fma_f16c, int *avx512, int *avx512bf16, int *amxbf16)
{
    unsigned a, b, c, d;
    *sse41 = *avx2_fma_f16c = *avx512 = *avx512bf16 = *amxbf16 = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return;
    *sse41 = (c >> 19) & 1;
    int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1, f16c = (c >> 29) & 1;
    if (!(fma && osxsave && avx && f16c)) return;
    unsigned xcr0_lo, xcr0_hi;
    __asm__("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
    if ((xcr0_lo & 6) != 6) return; /* the OS saves XMM and YMM state */
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return;
    *avx2_fma_f16c = (b >> 5) & 1;
    /* AVX-512 F, BW, VL, and the OS saving opmask and ZMM state (XCR0 bits 5-7) */
    *avx512 = *avx2_fma_f16c && (b >> 16 & 1) && (b >> 30 & 1) && (b >> 31 & 1) && (xcr0_lo & 0xE0) == 0xE0;
    /* AMX-BF16 and AMX-TILE (leaf 7 EDX bits 22, 24), the OS saving tile state (XCR0
     * bits 17, 18) and, on Linux, able to grant it (ARCH_GET_XCOMP_SUPP, bit 18
     * XTILEDATA; changes nothing: the table asks for it on its first bf16 GEMM, so
     * processes that never use bf16 keep their smaller signal frames) */
    const int amx = *avx512 && (d >> 22 & 1) && (d >> 24 & 1) && (xcr0_lo & 0x60000) == 0x60000;
    /* AVX512_BF16: leaf 7, sub-leaf 1, EAX bit 5 */
    if (*avx512 && a >= 1 && __get_cpuid_count(7, 1, &a, &b, &c, &d)) *avx512bf16 = (a >> 5) & 1;
#ifdef __linux__
    unsigned long long supp = 0;
    *amxbf16 = *avx512bf16 && amx && syscall(SYS_arch_prctl, 0x1021 /* ARCH_GET_XCOMP_SUPP */, &supp) == 0 &&
               (supp >> 18 & 1);
#else
    (void)amx;
#endif
}
#endif

const NNKernels *nn_kernels_ref(void) { return &nn_kernels_c; }

int nn_kernels_available(const NNKernels **out, int max)
{
    int n = 0;
    if (n < max) out[n++] = &nn_kernels_c;
#if defined(NN_KERNELS_X86) && defined(__GNUC__)
    int sse41, avx2, avx512, avx512bf16, amxbf16;
    x86_features(&sse41, &avx2, &avx512, &avx512bf16, &amxbf16);
    if (n < max && sse41) out[n++] = &nn_kernels_sse41;
    if (n < max && avx2) out[n++] = &nn_kernels_avx2;
    if (n < max && avx512) out[n++] = &nn_kernels_avx512;
    if (n < max && avx512bf16) out[n++] = &nn_kernels_avx512bf16;
    if (n < max && amxbf16) out[n++] = &nn_kernels_amxbf16;
#endif
    return n;
}

static int is_bf16(const NNKernels *k) { return strstr(k->name, "bf16") != NULL; }

/* The best table of one kind (bf16: the tables with bfloat16 arithmetic, opt-in; else
 * the others), capped by NC_KERNELS: a named table of that kind, or for bf16 any named
 * table (then bf16 weights run the reference's arithmetic). Computed on every call
 * (CPUID: callers take it once per stream, not per frame): no global state to
 * initialize or race on. */
static const NNKernels *best_of(int bf16)
{
    const NNKernels *all[8];
    int n = nn_kernels_available(all, 8);
    const char *cap = getenv("NC_KERNELS");
    if (cap)
        for (int i = 0; i < n; i++)
            if (!strcmp(all[i]->name, cap) && (bf16 || !is_bf16(all[i]))) return all[i];
    for (int i = n - 1; i >= 0; i--)
        if (is_bf16(all[i]) == bf16) return all[i];
    return bf16 ? best_of(0) : all[0];
}

/* The bf16 tables are opt-in: nn_kernels() never hands them out, so code that asks for
 * the table by name (rvqspeech's AVX-512 synthesis) sees what it saw before them. */
const NNKernels *nn_kernels(void) { return best_of(0); }
const NNKernels *nn_kernels_bf16(void) { return best_of(1); }

void nn_conv1d_causal_frames(const NNKernels *k, const NNWeights *taps, const int *back, int ntaps,
                             const float *bias, float *hist, int hist_frames, const float *x, int frames, float *y)
{
    const int cin = taps[0].cin, cout = taps[0].cout;
    for (int f = 0; f < frames; f++) {
        if (bias)
            memcpy(y + (size_t)f * cout, bias, sizeof(float) * (size_t)cout);
        else
            memset(y + (size_t)f * cout, 0, sizeof(float) * (size_t)cout);
    }
    for (int j = 0; j < ntaps; j++) {
        const int b = back[j], from_hist = b < frames ? b : frames;
        /* frames f < b read the history (contiguous there), the others x[f - b] */
        if (from_hist)
            k->gemm(y, cout, hist + (size_t)(hist_frames - b) * cin, cin, from_hist, &taps[j]);
        if (b < frames) k->gemm(y + (size_t)b * cout, cout, x, cin, frames - b, &taps[j]);
    }
    if (!hist_frames) {
        /* nothing kept */
    } else if (frames >= hist_frames) {
        memcpy(hist, x + (size_t)(frames - hist_frames) * cin, sizeof(float) * (size_t)hist_frames * cin);
    } else {
        memmove(hist, hist + (size_t)frames * cin, sizeof(float) * (size_t)(hist_frames - frames) * cin);
        memcpy(hist + (size_t)(hist_frames - frames) * cin, x, sizeof(float) * (size_t)frames * cin);
    }
}

void nn_conv1d_causal_step(const NNKernels *k, const NNWeights *taps, const int *back, int ntaps,
                           const float *bias, float *hist, int hist_frames, const float *x, float *y)
{
    nn_conv1d_causal_frames(k, taps, back, ntaps, bias, hist, hist_frames, x, 1, y);
}

void nn_conv1d_causal(const NNKernels *k, const NNWeights *taps, const int *back, int ntaps,
                      const float *bias, const float *x, int frames, float *y)
{
    const int cin = taps[0].cin, cout = taps[0].cout;
    for (int f = 0; f < frames; f++) {
        if (bias)
            memcpy(y + (size_t)f * cout, bias, sizeof(float) * (size_t)cout);
        else
            memset(y + (size_t)f * cout, 0, sizeof(float) * (size_t)cout);
    }
    for (int j = 0; j < ntaps; j++)
        if (back[j] < frames)
            k->gemm(y + (size_t)back[j] * cout, cout, x, cin, frames - back[j], &taps[j]);
}

void nn_conv2d_same(const NNKernels *k, const NNWeights *taps, int ks, const float *bias,
                    const float *x, int h, int w, float *y)
{
    const int cout = taps[0].cout;
    for (size_t p = 0; p < (size_t)h * w; p++) {
        if (bias)
            memcpy(y + p * cout, bias, sizeof(float) * (size_t)cout);
        else
            memset(y + p * cout, 0, sizeof(float) * (size_t)cout);
    }
    if (ks == 1) { /* one GEMM over every pixel */
        k->gemm(y, cout, x, taps[0].cin, h * w, &taps[0]);
        return;
    }
    /* The direct kernels are 3x3 only (their tap arrays hold 9) and f32/f16/int8. */
    if (ks == 3 && k->conv2d && taps[0].type <= NN_W_I8) {
        k->conv2d(taps, ks, x, h, w, y);
        return;
    }
    nn_conv2d_taps_gemm(k, taps, ks, x, h, w, y, 0, cout);
}

void nn_conv2d_taps_gemm(const NNKernels *k, const NNWeights *taps, int ks, const float *x, int h, int w,
                         float *y, int o0, int o1)
{
    const int cin = taps[0].cin, cout = taps[0].cout, pad = ks / 2;
    /* Each tap is a GEMM over the output pixels of a row whose shifted input pixel lies
     * inside the picture: contiguous in this layout, so no unfolding. */
    for (int dy = 0; dy < ks; dy++)
        for (int dx = 0; dx < ks; dx++) {
            const int oy = dy - pad, ox = dx - pad;
            const int x0 = ox < 0 ? -ox : 0, x1 = ox > 0 ? w - ox : w;
            if (x1 <= x0) continue;
            for (int row = 0; row < h; row++) {
                int iy = row + oy;
                if (iy < 0 || iy >= h) continue;
                float *yr = y + ((size_t)row * w + x0) * cout;
                const float *xr = x + ((size_t)iy * w + x0 + ox) * cin;
                if (o0 == 0 && o1 == cout)
                    k->gemm(yr, cout, xr, cin, x1 - x0, &taps[dy * ks + dx]);
                else
                    nn_gemm_cols_ref(yr, cout, xr, cin, x1 - x0, &taps[dy * ks + dx], o0, o1);
            }
        }
}

int nn_conv_pixel_taps(int ks, int cin, const float *x, int h, int w, int row, int col, const float **xs,
                       int *tap)
{
    const int pad = ks / 2;
    int n = 0;
    for (int dy = 0; dy < ks; dy++) {
        const int iy = row + dy - pad;
        if (iy < 0 || iy >= h) continue;
        for (int dx = 0; dx < ks; dx++) {
            const int ix = col + dx - pad;
            if (ix < 0 || ix >= w) continue;
            xs[n] = x + ((size_t)iy * w + ix) * cin;
            tap[n++] = dy * ks + dx;
        }
    }
    return n;
}

void nn_k_pixel_shuffle(const float *x, int h, int w, int c, int r, float *y)
{
    const size_t cin = (size_t)c * r * r, wout = (size_t)w * r;
    for (int yy = 0; yy < h; yy++)
        for (int xx = 0; xx < w; xx++) {
            const float *px = x + ((size_t)yy * w + xx) * cin;
            for (int i = 0; i < r; i++)
                for (int j = 0; j < r; j++) {
                    float *out = y + (((size_t)yy * r + i) * wout + (size_t)xx * r + j) * c;
                    for (int cc = 0; cc < c; cc++) out[cc] = px[(size_t)cc * r * r + (size_t)i * r + j];
                }
        }
}
