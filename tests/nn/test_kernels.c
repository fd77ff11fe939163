/* Inference kernels (libnc/nn/kernels.h): every SIMD table this CPU runs against the
 * plain C reference on random shapes (odd sizes, one row, unaligned pointers, every
 * weight type), the reference against straightforward loops, the layers against
 * naive convolutions, the fast activations against libm, f16 conversion exactly. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libnc/nn/kernels.h"

static int failures;

#define CHECK(cond, ...)                                                     \
    do {                                                                     \
        if (!(cond)) {                                                       \
            printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);           \
            printf(__VA_ARGS__);                                             \
            printf("\n");                                                    \
            failures++;                                                      \
        }                                                                    \
    } while (0)

static uint64_t rng_state = 12345;
static uint32_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return (uint32_t)((z ^ (z >> 31)) >> 32);
}
static float uniform(float lo, float hi) { return lo + (hi - lo) * (float)(rnd() >> 8) * 0x1p-24f; }

/* Weights of a type for w [cin][cout] (f32 values, converted as the type stores them). */
typedef struct Owned {
    NNWeights w;
    void *data;
    float *scale;
} Owned;

static void make_weights(Owned *o, const float *w, int cin, int cout, NNWeightType type)
{
    size_t n = (size_t)cin * cout;
    o->scale = NULL;
    if (type == NN_W_F16) {
        uint16_t *h = malloc(n * 2 + 8);
        for (size_t i = 0; i < n; i++) h[i + 1] = nn_f32_to_f16(w[i]);
        o->data = h;
        o->w.data = h + 1; /* unaligned on purpose */
    } else if (type == NN_W_I8) {
        int8_t *q = malloc(n + 8);
        o->scale = malloc(sizeof(float) * (size_t)cout);
        nn_quantize_i8(w, cin, cout, q + 3, o->scale);
        o->data = q;
        o->w.data = q + 3;
    } else if (type == NN_W_I8A16) {
        int8_t *q = malloc(n), *packed = malloc(nn_i8a16_packed_len(cin, cout) + 8);
        o->scale = malloc(sizeof(float) * (size_t)cout);
        nn_quantize_i8(w, cin, cout, q, o->scale);
        CHECK(nn_i8a16_pack(q, cin, cout, packed + 5) == 0, "i8a16 pack %dx%d", cin, cout);
        free(q);
        o->data = packed;
        o->w.data = packed + 5;
    } else {
        float *f = malloc(n * 4 + 8);
        memcpy(f + 1, w, n * 4);
        o->data = f;
        o->w.data = f + 1;
    }
    o->w.type = type;
    o->w.cin = cin;
    o->w.cout = cout;
    o->w.scale = o->scale;
}

static void free_weights(Owned *o)
{
    free(o->data);
    free(o->scale);
}

/* max |a - b| / (1 + |b|) */
static double max_rel(const float *a, const float *b, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - b[i]) / (1.0 + fabs((double)b[i]));
        if (!(d <= m)) m = d; /* NaN counts as a failure */
    }
    return m;
}

static void test_gemm(const NNKernels *const *tabs, int ntabs)
{
    static const NNWeightType types[4] = {NN_W_F32, NN_W_F16, NN_W_I8, NN_W_I8A16};
    for (int t = 0; t < 400; t++) {
        /* every 7th: 14-52 rows and up to 150 outputs, where the AVX-512 table widens
         * f16 and int8 weights 64 outputs at a time */
        const int long_gemm = t % 7 == 3;
        int rows = t % 5 == 0 ? 1 : long_gemm ? 14 + (int)(rnd() % 39) : 1 + (int)(rnd() % 13);
        int cin = 1 + (int)(rnd() % 70);
        int cout = 1 + (int)(rnd() % (long_gemm ? 150 : 90)), ldx = cin + (int)(rnd() % 3), ldy = cout + (int)(rnd() % 3);
        NNWeightType type = types[t % 4];
        float *w = malloc(sizeof(float) * (size_t)cin * cout);
        float *x = malloc(sizeof(float) * ((size_t)rows * ldx + 1));
        float *y0 = malloc(sizeof(float) * ((size_t)rows * ldy + 1));
        float *y = malloc(sizeof(float) * ((size_t)rows * ldy + 1));
        float *naive = malloc(sizeof(float) * (size_t)rows * ldy);
        for (size_t i = 0; i < (size_t)cin * cout; i++) w[i] = uniform(-1, 1);
        for (size_t i = 0; i < (size_t)rows * ldx + 1; i++) x[i] = uniform(-2, 2);
        for (size_t i = 0; i < (size_t)rows * ldy + 1; i++) y0[i] = uniform(-1, 1);
        Owned ow;
        make_weights(&ow, w, cin, cout, type);
        const float *xs = x + 1; /* unaligned */
        /* reference against plain loops over the stored weight values */
        memcpy(naive, y0 + 1, sizeof(float) * (size_t)rows * ldy);
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < cout; o++) {
                double acc = 0;
                for (int i = 0; i < cin; i++) {
                    double wv = type == NN_W_F16    ? nn_f16_to_f32(((const uint16_t *)ow.w.data)[i * cout + o])
                                : type == NN_W_I8   ? ow.scale[o] * ((const int8_t *)ow.w.data)[i * cout + o]
                                : type == NN_W_I8A16 ? ow.scale[o] * ((const int8_t *)ow.w.data)[nn_i8a16_offset(cin, cout, i / 2, o) + i % 2]
                                                    : w[i * cout + o];
                    acc += xs[r * ldx + i] * wv;
                }
                naive[r * ldy + o] += (float)acc;
            }
        float *ref = malloc(sizeof(float) * (size_t)rows * ldy);
        memcpy(y, y0, sizeof(float) * ((size_t)rows * ldy + 1));
        nn_kernels_ref()->gemm(y + 1, ldy, xs, ldx, rows, &ow.w);
        memcpy(ref, y + 1, sizeof(float) * (size_t)rows * ldy);
        double e = max_rel(ref, naive, (size_t)rows * ldy);
        /* int16 activations: up to max|x| / 32766 per term (|x| < 2, |w| < 1 here) */
        const double bound = type == NN_W_I8A16 ? cin * 2.0 / 32766 : 1e-5;
        CHECK(e < bound, "reference gemm %dx%dx%d type %d: %g", rows, cin, cout, type, e);
        for (int k = 1; k < ntabs; k++) {
            memcpy(y, y0, sizeof(float) * ((size_t)rows * ldy + 1));
            tabs[k]->gemm(y + 1, ldy, xs, ldx, rows, &ow.w);
            e = max_rel(y + 1, ref, (size_t)rows * ldy);
            CHECK(e < 1e-5, "%s gemm %dx%dx%d type %d: %g", tabs[k]->name, rows, cin, cout, type, e);
            CHECK(type != NN_W_I8A16 || !memcmp(y + 1, ref, sizeof(float) * (size_t)rows * ldy),
                  "%s gemm %dx%dx%d i8a16: not the reference's bits", tabs[k]->name, rows, cin, cout);
            CHECK(y[0] == y0[0], "%s gemm wrote before y", tabs[k]->name);
            /* the same bits row by row (GEMVs): decoders may group frames freely */
            float *whole = malloc(sizeof(float) * (size_t)rows * ldy);
            memcpy(whole, y + 1, sizeof(float) * (size_t)rows * ldy);
            memcpy(y, y0, sizeof(float) * ((size_t)rows * ldy + 1));
            for (int r = 0; r < rows; r++) tabs[k]->gemm(y + 1 + (size_t)r * ldy, ldy, xs + (size_t)r * ldx, ldx, 1, &ow.w);
            CHECK(!memcmp(whole, y + 1, sizeof(float) * (size_t)rows * ldy), "%s gemm %dx%dx%d type %d: rows differ from GEMVs",
                  tabs[k]->name, rows, cin, cout, type);
            free(whole);
            /* the padding between rows (ldy > cout) is never written */
            for (int r = 0; r < rows; r++)
                for (int o = cout; o < ldy; o++)
                    CHECK(y[1 + r * ldy + o] == y0[1 + r * ldy + o], "%s gemm wrote padding", tabs[k]->name);
        }
        free_weights(&ow);
        free(w);
        free(x);
        free(y0);
        free(y);
        free(naive);
        free(ref);
    }
}

/* The int16 activation quantizer's edges: bounds, rounding, non-finite inputs, tiny
 * and zero rows, the pad after an odd count; and the packing's refusal. */
static void test_i8a16_quantize(void)
{
    int16_t q[40];
    float x[39];
    for (int i = 0; i < 39; i++) x[i] = uniform(-3, 3);
    x[7] = -5.0f;
    q[39] = 77;
    float s = nn_i8a16_quantize(x, 39, q);
    CHECK(s == 5.0f / NN_I8A16_LEVELS, "i8a16 scale %g", s);
    CHECK(q[7] == -NN_I8A16_LEVELS && q[39] == 0, "i8a16 extremes %d, pad %d", q[7], q[39]);
    for (int i = 0; i < 39; i++)
        CHECK(q[i] == (int16_t)lrintf(x[i] * ((float)NN_I8A16_LEVELS / 5.0f)) && fabsf(q[i] * s - x[i]) <= s * 0.5001f,
              "i8a16 q[%d] = %d for %g", i, q[i], x[i]);
    x[3] = NAN, x[4] = INFINITY, x[5] = -INFINITY;
    s = nn_i8a16_quantize(x, 39, q);
    CHECK(s == 5.0f / NN_I8A16_LEVELS && !q[3] && !q[4] && !q[5], "i8a16 non-finite: %g %d %d %d", s, q[3], q[4], q[5]);
    for (int i = 0; i < 39; i++) x[i] = i % 2 ? 0x1p-110f : 0.0f;
    q[0] = q[1] = 9;
    CHECK(nn_i8a16_quantize(x, 39, q) == 0.0f && !q[0] && !q[1], "i8a16 tiny row");
    x[0] = NAN;
    CHECK(nn_i8a16_quantize(x, 1, q) == 0.0f && !q[0] && !q[1], "i8a16 NaN row");
    int8_t w[4] = {1, 2, 3, 4}, out[32];
    memset(out, 7, sizeof(out));
    CHECK(nn_i8a16_pack(w, NN_I8A16_MAX_CIN + 1, 1, out) < 0 && out[0] == 7, "i8a16 pack past the cin limit");
    /* cin 3, cout 1: one block of 8 outputs, [pair][8][2], 7 outputs and an input of pad */
    CHECK(nn_i8a16_packed_len(3, 1) == 32, "i8a16 packed length %zu", nn_i8a16_packed_len(3, 1));
    int pads = 0, ret = nn_i8a16_pack(w, 3, 1, out);
    for (int i = 0; i < 32; i++) pads += i != 0 && i != 1 && i != 16 && out[i] != 0;
    CHECK(ret == 0 && out[0] == 1 && out[1] == 2 && out[16] == 3 && !pads, "i8a16 pack of an odd cin");
    /* cin 5, cout 75: blocks of 32, 32, 8 and 3 padded to 8; every weight at its own
     * byte, in its block, a block's pairs in order */
    enum { CI = 5, CO = 75 };
    const size_t len = nn_i8a16_packed_len(CI, CO);
    unsigned char *seen = calloc(len, 1);
    int bad = len != 3 * 2 * 80;
    for (int o = 0; o < CO; o++)
        for (int i = 0; i < CI; i++) {
            const size_t at = nn_i8a16_offset(CI, CO, i / 2, o) + i % 2;
            const int block = o < 64 ? o / 32 : 2 + (o - 64) / 8;
            const size_t first = block < 2 ? (size_t)block * 3 * 64 : 2 * 3 * 64 + (size_t)(block - 2) * 3 * 16;
            const size_t width = block < 2 ? 64 : 16; /* bytes per pair in the block */
            bad += at >= len || seen[at]++ || at < first || (at - first) / width != (size_t)i / 2;
        }
    CHECK(!bad, "i8a16 layout: %d weights misplaced", bad);
    free(seen);
}

static double gelu_exact(double x) { return 0.5 * x * (1.0 + erf(x / sqrt(2.0))); }

static void test_pointwise(const NNKernels *const *tabs, int ntabs)
{
    enum { N = 4099 };
    float *x = malloc(sizeof(float) * (N + 1)), *y = malloc(sizeof(float) * (N + 1));
    float *ref = malloc(sizeof(float) * N), *avx2 = malloc(sizeof(float) * N);
    for (int i = 0; i <= N; i++) x[i] = i < 16 ? (float)(i - 8) * 12.0f : uniform(-12, 12);
    x[3] = -100.0f, x[4] = 100.0f, x[5] = 0.0f, x[6] = -0.0f;
    const char *names[5] = {"elu", "silu", "gelu", "tanh", "sigmoid"};
    for (int f = 0; f < 5; f++) {
        for (int k = 0; k < ntabs; k++) {
            memcpy(y, x, sizeof(float) * (N + 1));
            void (*fn)(float *, size_t) = f == 0   ? tabs[k]->elu
                                          : f == 1 ? tabs[k]->silu
                                          : f == 2 ? tabs[k]->gelu
                                          : f == 3 ? tabs[k]->tanh
                                                   : tabs[k]->sigmoid;
            fn(y + 1, N); /* unaligned, odd length */
            if (k == 0) {
                memcpy(ref, y + 1, sizeof(float) * N);
                double worst = 0;
                for (int i = 0; i < N; i++) {
                    double v = x[i + 1], want = f == 0 ? (v > 0 ? v : expm1(v))
                                                : f == 1 ? v / (1 + exp(-v))
                                                : f == 2 ? gelu_exact(v)
                                                : f == 3 ? tanh(v)
                                                         : 1 / (1 + exp(-v));
                    double d = fabs(ref[i] - want) / (1e-6 + fabs(want));
                    if (fabs(ref[i] - want) < 1e-6) d = 0; /* absolute near zero */
                    if (!(d <= worst)) worst = d;
                }
                CHECK(worst < 2e-5, "%s reference vs libm: relative error %g", names[f], worst);
            } else {
                double e = max_rel(y + 1, ref, N);
                CHECK(e < 1e-6, "%s %s vs reference: %g", tabs[k]->name, names[f], e);
            }
            if (!strcmp(tabs[k]->name, "avx2")) memcpy(avx2, y + 1, sizeof(float) * N);
            /* the AVX-512 table's ELU is AVX2's on 16 lanes: same bits (decoders that
             * group frames rely on it), at every offset and length */
            if (f == 0 && !strcmp(tabs[k]->name, "avx512"))
                for (int len = N - 40; len <= N; len += 1 + len % 7) {
                    memcpy(y, x, sizeof(float) * (N + 1));
                    fn(y + 1 + (N - len), (size_t)len);
                    CHECK(!memcmp(y + 1 + (N - len), avx2 + (N - len), sizeof(float) * (size_t)len),
                          "avx512 elu differs from avx2 (length %d)", len);
                }
        }
    }
    free(avx2);
    free(x);
    free(y);
    free(ref);
}

/* GELU on a fine grid of [-8, 8] (step 2^-10: every interval boundary of the AVX2
 * table's piecewise polynomial and its cut-off at 5.3 are crossed) and on the floats
 * just above the grid points, in calls of N, 8 and 1 values (vector and tail), against
 * the reference table. */
static void test_gelu_dense(const NNKernels *const *tabs, int ntabs)
{
    enum { N = 16 * 1024 + 1 };
    float *x = malloc(sizeof(float) * 2 * N), *want = malloc(sizeof(float) * 2 * N);
    float *y = malloc(sizeof(float) * (2 * N + 1));
    for (int i = 0; i < N; i++) {
        x[i] = -8.0f + (float)i * 0x1p-10f;
        x[N + i] = nextafterf(x[i], 9.0f);
    }
    memcpy(want, x, sizeof(float) * 2 * N);
    nn_kernels_ref()->gelu(want, 2 * N);
    for (int k = 0; k < ntabs; k++) {
        memcpy(y + 1, x, sizeof(float) * 2 * N);
        tabs[k]->gelu(y + 1, 2 * N); /* unaligned */
        double worst = max_rel(y + 1, want, 2 * N);
        for (int i = 0; i < 2 * N; i += 8) {
            float eight[8], one = x[i];
            for (int j = 0; j < 8; j++) eight[j] = x[(i + 7 * j) % (2 * N)];
            tabs[k]->gelu(eight, 8);
            tabs[k]->gelu(&one, 1);
            for (int j = 0; j < 8; j++) {
                double d = max_rel(&eight[j], &want[(i + 7 * j) % (2 * N)], 1);
                if (!(d <= worst)) worst = d;
            }
            double d = max_rel(&one, &want[i], 1);
            if (!(d <= worst)) worst = d;
        }
        CHECK(worst < 1e-6, "%s gelu on the dense grid vs reference: %g", tabs[k]->name, worst);
    }
    free(x);
    free(want);
    free(y);
}

static void test_f16(void)
{
    int bad = 0;
    for (uint32_t h = 0; h < 65536; h++) {
        float f = nn_f16_to_f32((uint16_t)h);
        if (isnan(f)) continue;
        bad += nn_f32_to_f16(f) != h;
    }
    CHECK(bad == 0, "f16 -> f32 -> f16 changed %d values", bad);
    CHECK(nn_f32_to_f16(1.0f + 0x1p-11f) == 0x3C00, "ties to even");
    CHECK(nn_f32_to_f16(1.0f + 0x1p-11f + 0x1p-20f) == 0x3C01, "above the tie");
    CHECK(nn_f32_to_f16(65520.0f) == 0x7C00 && nn_f32_to_f16(65519.0f) == 0x7BFF, "overflow");
    CHECK(nn_f16_to_f32(1) == 0x1p-24f && nn_f16_to_f32(0x8001) == -0x1p-24f, "subnormals");
}

/* conv1d streaming step against a naive causal convolution over a sequence. */
static void test_conv1d(const NNKernels *const *tabs, int ntabs)
{
    for (int t = 0; t < 20; t++) {
        int cin = 1 + (int)(rnd() % 40), cout = 1 + (int)(rnd() % 40), K = 1 + (int)(rnd() % 3);
        int dil = 1 + (int)(rnd() % 4), T = 30, H = (K - 1) * dil;
        NNWeightType type = (NNWeightType)(t % 3);
        float *w = malloc(sizeof(float) * (size_t)K * cin * cout), *b = malloc(sizeof(float) * (size_t)cout);
        float *x = malloc(sizeof(float) * (size_t)T * cin), *want = calloc((size_t)T * cout, sizeof(float));
        for (int i = 0; i < K * cin * cout; i++) w[i] = uniform(-1, 1);
        for (int i = 0; i < cout; i++) b[i] = uniform(-1, 1);
        for (int i = 0; i < T * cin; i++) x[i] = uniform(-1, 1);
        Owned ow[3];
        NNWeights taps[3];
        int back[3];
        for (int j = 0; j < K; j++) {
            make_weights(&ow[j], w + (size_t)j * cin * cout, cin, cout, type);
            taps[j] = ow[j].w;
            back[j] = (K - 1 - j) * dil;
        }
        for (int f = 0; f < T; f++)
            for (int o = 0; o < cout; o++) {
                double acc = b[o];
                for (int j = 0; j < K; j++) {
                    int src = f - back[j];
                    if (src < 0) continue;
                    for (int i = 0; i < cin; i++) {
                        size_t idx = (size_t)i * cout + o;
                        double wv = type == NN_W_I8 ? ow[j].scale[o] * ((const int8_t *)taps[j].data)[idx]
                                                    : (type == NN_W_F16 ? nn_f16_to_f32(((const uint16_t *)taps[j].data)[idx])
                                                                        : w[(size_t)j * cin * cout + idx]);
                        acc += x[(size_t)src * cin + i] * wv;
                    }
                }
                want[(size_t)f * cout + o] = (float)acc;
            }
        for (int k = 0; k < ntabs; k++) {
            float *hist = calloc((size_t)H * cin + 1, sizeof(float)), *y = malloc(sizeof(float) * (size_t)T * cout);
            for (int f = 0; f < T; f++)
                nn_conv1d_causal_step(tabs[k], taps, back, K, b, hist, H, x + (size_t)f * cin, y + (size_t)f * cout);
            double e = max_rel(y, want, (size_t)T * cout);
            CHECK(e < 1e-5, "%s conv1d cin %d cout %d k %d dil %d type %d: %g", tabs[k]->name, cin, cout, K, dil, type, e);
            /* in chunks of 1-12 frames (packets): the step's bits and final history */
            float *hist2 = calloc((size_t)H * cin + 1, sizeof(float)), *y2 = malloc(sizeof(float) * (size_t)T * cout);
            for (int f = 0, n; f < T; f += n) {
                n = 1 + (int)(rnd() % 12);
                n = n > T - f ? T - f : n;
                nn_conv1d_causal_frames(tabs[k], taps, back, K, b, hist2, H, x + (size_t)f * cin, n, y2 + (size_t)f * cout);
            }
            CHECK(!memcmp(y, y2, sizeof(float) * (size_t)T * cout) && !memcmp(hist, hist2, sizeof(float) * (size_t)H * cin),
                  "%s conv1d in chunks differs from steps: cin %d cout %d k %d dil %d type %d", tabs[k]->name, cin, cout, K,
                  dil, type);
            free(hist2);
            free(y2);
            nn_conv1d_causal(tabs[k], taps, back, K, b, x, T, y); /* the whole sequence at once */
            e = max_rel(y, want, (size_t)T * cout);
            CHECK(e < 1e-5, "%s conv1d sequence cin %d cout %d k %d dil %d type %d: %g", tabs[k]->name, cin, cout, K, dil, type, e);
            free(hist);
            free(y);
        }
        for (int j = 0; j < K; j++) free_weights(&ow[j]);
        free(w);
        free(b);
        free(x);
        free(want);
    }
}

/* Every table against a naive convolution (f32 weights) or against the reference table
 * (f16, int8: the same stored weights), on sizes that give the AVX-512 table full and
 * partial 6-pixel blocks, edge pixels, 1-3 rows, and outputs across its 64-wide blocks;
 * x and y offset by one float (unaligned). */
static void check_conv2d(const NNKernels *const *tabs, int ntabs, int ks, int h, int wd, int cin, int cout,
                         NNWeightType type)
{
    const int taps_n = ks * ks;
    size_t nx = (size_t)h * wd * cin, ny = (size_t)h * wd * cout;
    float *w = malloc(sizeof(float) * (size_t)taps_n * cin * cout), *b = malloc(sizeof(float) * (size_t)cout);
    float *x = malloc(sizeof(float) * (nx + 1)), *want = malloc(sizeof(float) * ny);
    for (int i = 0; i < taps_n * cin * cout; i++) w[i] = uniform(-1, 1);
    for (int i = 0; i < cout; i++) b[i] = uniform(-1, 1);
    for (size_t i = 0; i < nx + 1; i++) x[i] = uniform(-1, 1);
    const float *xs = x + 1;
    for (int yy = 0; yy < h; yy++)
        for (int xx = 0; xx < wd; xx++)
            for (int o = 0; o < cout; o++) {
                double acc = b[o];
                for (int dy = 0; dy < ks; dy++)
                    for (int dx = 0; dx < ks; dx++) {
                        int iy = yy + dy - ks / 2, ix = xx + dx - ks / 2;
                        if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                        for (int i = 0; i < cin; i++)
                            acc += xs[((size_t)iy * wd + ix) * cin + i] *
                                   w[(((size_t)dy * ks + dx) * cin + i) * cout + o];
                    }
                want[((size_t)yy * wd + xx) * cout + o] = (float)acc;
            }
    Owned ow[9];
    NNWeights taps[9];
    for (int j = 0; j < taps_n; j++) {
        make_weights(&ow[j], w + (size_t)j * cin * cout, cin, cout, type);
        taps[j] = ow[j].w;
    }
    float *y = malloc(sizeof(float) * (ny + 2));
    for (int k = 0; k < ntabs; k++) {
        y[0] = y[ny + 1] = 12345.0f;
        nn_conv2d_same(tabs[k], taps, ks, b, xs, h, wd, y + 1);
        if (k == 0 && type != NN_W_F32) memcpy(want, y + 1, sizeof(float) * ny); /* the reference */
        double e = max_rel(y + 1, want, ny);
        /* f16 and int8 compare two float sums (the reference's and the table's);
         * Winograd's transforms add to the error as cin grows (1.2e-5 seen at 192) */
        CHECK(e < (cin > 64 ? 3e-5 : 1e-5), "%s conv2d %dx%d %dx%d %d->%d type %d: %g", tabs[k]->name, ks, ks, h, wd, cin, cout,
              type, e);
        CHECK(y[0] == 12345.0f && y[ny + 1] == 12345.0f, "%s conv2d wrote outside y", tabs[k]->name);
    }
    free(y);
    for (int j = 0; j < taps_n; j++) free_weights(&ow[j]);
    free(w);
    free(b);
    free(x);
    free(want);
}

static void test_conv2d(const NNKernels *const *tabs, int ntabs)
{
    static const NNWeightType types[3] = {NN_W_F32, NN_W_F16, NN_W_I8};
    for (int t = 0; t < 60; t++) {
        int ks = t % 2 ? 3 : 1, h = 1 + (int)(rnd() % 9), wd = 1 + (int)(rnd() % (t < 20 ? 11 : 23));
        int cin = 1 + (int)(rnd() % 40), cout = 1 + (int)(rnd() % (t < 30 ? 30 : 150));
        check_conv2d(tabs, ntabs, ks, h, wd, cin, cout, types[t / 2 % 3]);
    }
    /* Shapes the AVX2 table runs by Winograd (>= 32 channels in and out, cout a
     * multiple of 8): odd and even sizes (patches cut by the edges), one strip of 32
     * patches or less and three that start and end inside patch rows (3x70), 8- and
     * 16-wide output blocks, walloc's channels. */
    static const int wino[][4] = {{1, 1, 32, 32}, {5, 7, 32, 40}, {4, 6, 48, 64}, {3, 70, 33, 24 + 32},
                                  {9, 3, 64, 192}, {6, 5, 192, 64}, {2, 2, 40, 8 * 9}};
    for (size_t i = 0; i < sizeof(wino) / sizeof(wino[0]); i++)
        for (int t = 0; t < 3; t++)
            check_conv2d(tabs, ntabs, 3, wino[i][0], wino[i][1], wino[i][2], wino[i][3], types[t]);
}

static void test_pixel_shuffle(void)
{
    /* PyTorch: out[c][h*r+i][w*r+j] = in[c*r*r + i*r + j][h][w] (NCHW) */
    int h = 3, w = 5, c = 2, r = 3;
    float x[3 * 5 * 18], y[9 * 15 * 2];
    for (int i = 0; i < 3 * 5 * 18; i++) x[i] = (float)i;
    nn_k_pixel_shuffle(x, h, w, c, r, y);
    int bad = 0;
    for (int cc = 0; cc < c; cc++)
        for (int oy = 0; oy < h * r; oy++)
            for (int ox = 0; ox < w * r; ox++) {
                int ic = cc * r * r + (oy % r) * r + ox % r;
                float want = x[((oy / r) * w + ox / r) * (c * r * r) + ic];
                bad += y[(oy * w * r + ox) * c + cc] != want;
            }
    CHECK(bad == 0, "pixel shuffle: %d wrong", bad);
}

/* bfloat16 rounding on values whose answer is known. */
static void test_bf16_convert(void)
{
    static const struct { float f; uint16_t b; } cases[] = {
        {1.0f, 0x3F80}, {-2.0f, 0xC000}, {0.0f, 0x0000}, {-0.0f, 0x8000},
        {1.0f + 0x1p-8f, 0x3F80},          /* tie: to even (down) */
        {1.0f + 3 * 0x1p-8f, 0x3F82},      /* tie: to even (up) */
        {1.0f + 0x1p-8f + 0x1p-20f, 0x3F81}, /* above the tie */
        {0x1p-130f, 0x0000}, {-0x1p-140f, 0x8000}, /* subnormal inputs: signed zero */
        {3.4028235e38f, 0x7F80},           /* rounds up to inf */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        CHECK(nn_f32_to_bf16(cases[i].f) == cases[i].b, "bf16(%a) = %04x, want %04x", cases[i].f,
              nn_f32_to_bf16(cases[i].f), cases[i].b);
    CHECK((nn_f32_to_bf16(NAN) & 0x7FC0) == 0x7FC0, "bf16(NaN) not a quiet NaN");
    CHECK(nn_bf16_to_f32(0x3F81) == 1.0f + 0x1p-7f, "bf16 widening");
}

/* NN_W_BF16 GEMMs: the reference against the rounded values summed in double (what it
 * must compute up to f32 accumulation) and against f32 (the precision cost: each term
 * off by at most 2^-7 relative: both factors rounded to 8 significant bits); every
 * table but AMX equal to the reference bit for bit on
 * random shapes (odd cin, partial 64-output blocks, 1-20 rows, padded strides, pointers
 * offset by one float, a few subnormal and zero inputs, every 10th shape with sums in
 * the subnormal range (flushed), one cin above the AVX512_BF16 table's stack buffer).
 * The AMX table: within f32 summation error of the reference, and bit for bit its own
 * GEMVs. */
static void test_gemm_bf16(const NNKernels **tabs, int ntabs)
{
    for (int t = 0; t < 120; t++) {
        const int rows = 1 + (int)(rnd() % 20), cin = t == 0 ? 1100 : 1 + (int)(rnd() % 80);
        const int cout = 1 + (int)(rnd() % 150), ldx = cin + (int)(rnd() % 3), ldy = cout + (int)(rnd() % 3);
        const int tiny = t % 10 == 5; /* results in the subnormal range, flushed to zero */
        float *w = malloc(sizeof(float) * (size_t)cin * cout);
        uint16_t *wb = malloc(sizeof(uint16_t) * nn_bf16_packed_len(cin, cout));
        float *xbuf = malloc(sizeof(float) * ((size_t)rows * ldx + 1)), *x = xbuf + 1;
        float *y0 = malloc(sizeof(float) * (size_t)rows * ldy), *y = malloc(sizeof(float) * ((size_t)rows * ldy + 1));
        for (size_t i = 0; i < (size_t)cin * cout; i++) w[i] = uniform(-1, 1);
        for (size_t i = 0; i < (size_t)rows * ldx; i++) {
            uint32_t k = rnd() % 64;
            x[i] = k == 0 ? 0.0f : k == 1 ? 0x1p-130f * uniform(-1, 1) : uniform(-2, 2);
            if (tiny) x[i] = 0x1p-118f * uniform(1, 2) * (k & 1 ? 1 : -1); /* normal, sums subnormal */
        }
        for (size_t i = 0; i < (size_t)rows * ldy; i++) y0[i] = tiny ? 0.0f : uniform(-1, 1);
        nn_bf16_pack(w, cin, cout, wb);
        NNWeights nw = {NN_W_BF16, cin, cout, wb, NULL};
        float *yr = malloc(sizeof(float) * (size_t)rows * ldy);
        memcpy(yr, y0, sizeof(float) * (size_t)rows * ldy);
        nn_kernels_ref()->gemm(yr, ldy, x, ldx, rows, &nw);
        int bad_emul = 0, bad_f32 = 0;
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < cout; o++) {
                double rounded = 0, exact = 0, mag = 0;
                for (int i = 0; i < cin; i++) {
                    double xv = x[(size_t)r * ldx + i], wv = w[(size_t)i * cout + o];
                    rounded += (double)nn_bf16_to_f32(nn_f32_to_bf16((float)xv)) * nn_bf16_to_f32(nn_f32_to_bf16((float)wv));
                    exact += xv * wv;
                    mag += fabs(xv * wv);
                }
                const double got = (double)yr[(size_t)r * ldy + o] - y0[(size_t)r * ldy + o];
                const double slack = 1e-6 * (1 + fabs(y0[(size_t)r * ldy + o])) + (cin + 2) * 0x1p-24 * mag;
                bad_emul += fabs(got - rounded) > slack;
                bad_f32 += fabs(got - exact) > slack + (0x1p-7 + 0x1p-16) * mag;
            }
        if (tiny) bad_emul = bad_f32 = 0; /* flushed: off the rounded sums by design */
        CHECK(!bad_emul, "bf16 ref %dx%dx%d: %d outputs off the rounded sum", rows, cin, cout, bad_emul);
        CHECK(!bad_f32, "bf16 ref %dx%dx%d: %d outputs beyond 2^-7 of f32", rows, cin, cout, bad_f32);
        for (int k = 0; k < ntabs; k++) {
            float *yo = y + (t & 1); /* offset by one float every other shape */
            memcpy(yo, y0, sizeof(float) * (size_t)rows * ldy);
            tabs[k]->gemm(yo, ldy, x, ldx, rows, &nw);
            if (!strstr(tabs[k]->name, "amx")) {
                CHECK(!memcmp(yo, yr, sizeof(float) * (size_t)rows * ldy), "bf16 %s %dx%dx%d: not the reference's bits",
                      tabs[k]->name, rows, cin, cout);
                continue;
            }
            /* AMX sums the same exact products in its own order (measured: 1 ulp off the
             * reference in up to a third of the outputs): within f32 summation error of
             * it, and the same bits for any row count (against its own GEMVs) */
            int off = 0, rowwise = 0;
            for (int r = 0; r < rows; r++)
                for (int o = 0; o < cout; o++) {
                    double mag = 0;
                    for (int i = 0; i < cin; i++) mag += fabs((double)x[(size_t)r * ldx + i] * w[(size_t)i * cout + o]);
                    const size_t at = (size_t)r * ldy + o;
                    off += fabs((double)yo[at] - yr[at]) > 1e-6 * (1 + fabs(y0[at])) + 2 * (cin + 2) * 0x1p-24 * mag;
                }
            float *yg = malloc(sizeof(float) * (size_t)ldy);
            for (int r = 0; r < rows; r++) {
                memcpy(yg, y0 + (size_t)r * ldy, sizeof(float) * (size_t)ldy);
                tabs[k]->gemm(yg, ldy, x + (size_t)r * ldx, ldx, 1, &nw);
                rowwise += memcmp(yg, yo + (size_t)r * ldy, sizeof(float) * (size_t)cout) != 0;
            }
            free(yg);
            CHECK(!off, "bf16 %s %dx%dx%d: %d outputs beyond f32 summation error of the reference", tabs[k]->name,
                  rows, cin, cout, off);
            CHECK(!rowwise, "bf16 %s %dx%dx%d: %d rows differ from its GEMVs", tabs[k]->name, rows, cin, cout, rowwise);
        }
        free(w), free(wb), free(xbuf), free(y0), free(y), free(yr);
    }
}

/* A 3x3 conv over NN_W_BF16 taps: every table's bits equal the reference's (the taps
 * go through each table's GEMM, never the f32 direct kernels); AMX's within f32
 * summation error. */
static void test_conv2d_bf16(const NNKernels **tabs, int ntabs)
{
    static const int shapes[][4] = {{5, 7, 19, 70}, {3, 13, 64, 64}, {1, 1, 3, 5}};
    for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
        const int h = shapes[s][0], w = shapes[s][1], cin = shapes[s][2], cout = shapes[s][3];
        uint16_t *packed[9];
        NNWeights taps[9];
        float *wf = malloc(sizeof(float) * (size_t)cin * cout);
        for (int j = 0; j < 9; j++) {
            for (size_t i = 0; i < (size_t)cin * cout; i++) wf[i] = uniform(-0.5f, 0.5f);
            packed[j] = malloc(sizeof(uint16_t) * nn_bf16_packed_len(cin, cout));
            nn_bf16_pack(wf, cin, cout, packed[j]);
            taps[j] = (NNWeights){NN_W_BF16, cin, cout, packed[j], NULL};
        }
        float *x = malloc(sizeof(float) * (size_t)h * w * cin), *bias = malloc(sizeof(float) * (size_t)cout);
        float *y0 = malloc(sizeof(float) * (size_t)h * w * cout), *y = malloc(sizeof(float) * (size_t)h * w * cout);
        for (size_t i = 0; i < (size_t)h * w * cin; i++) x[i] = uniform(-1, 1);
        for (int o = 0; o < cout; o++) bias[o] = uniform(-1, 1);
        nn_conv2d_same(nn_kernels_ref(), taps, 3, bias, x, h, w, y0);
        for (int k = 0; k < ntabs; k++) {
            nn_conv2d_same(tabs[k], taps, 3, bias, x, h, w, y);
            if (!strstr(tabs[k]->name, "amx")) {
                CHECK(!memcmp(y, y0, sizeof(float) * (size_t)h * w * cout), "bf16 conv2d %s %dx%dx%d->%d",
                      tabs[k]->name, h, w, cin, cout);
                continue;
            }
            /* |x w| <= 0.5 per term, 9 * cin terms, summed in f32 in another order */
            int off = 0;
            for (size_t i = 0; i < (size_t)h * w * cout; i++)
                off += fabs((double)y[i] - y0[i]) > 1e-6 * (1 + fabs(y0[i])) + 2 * 9 * (cin + 2) * 0x1p-24 * 4.5 * cin;
            CHECK(!off, "bf16 conv2d %s %dx%dx%d->%d: %d outputs off", tabs[k]->name, h, w, cin, cout, off);
        }
        for (int j = 0; j < 9; j++) free(packed[j]);
        free(wf), free(x), free(bias), free(y0), free(y);
    }
}

int main(void)
{
    const NNKernels *tabs[8];
    int n = nn_kernels_available(tabs, 8);
    printf("kernel tables on this CPU:");
    for (int i = 0; i < n; i++) printf(" %s", tabs[i]->name);
    printf(" (nn_kernels(): %s, nn_kernels_bf16(): %s)\n", nn_kernels()->name, nn_kernels_bf16()->name);
    /* the bf16 tables are opt-in: never the default table */
    CHECK(!strstr(nn_kernels()->name, "bf16"), "nn_kernels() handed out %s", nn_kernels()->name);
    CHECK(nn_kernels_bf16() == tabs[n - 1] || !strstr(tabs[n - 1]->name, "bf16") || getenv("NC_KERNELS"),
          "nn_kernels_bf16() is %s, not the best bf16 table", nn_kernels_bf16()->name);
    test_f16();
    test_gemm(tabs, n);
    test_i8a16_quantize();
    test_pointwise(tabs, n);
    test_gelu_dense(tabs, n);
    test_conv1d(tabs, n);
    test_conv2d(tabs, n);
    test_pixel_shuffle();
    test_bf16_convert();
    test_gemm_bf16(tabs, n);
    test_conv2d_bf16(tabs, n);
    printf("nn_kernels: %s\n", failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}
