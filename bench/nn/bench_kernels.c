/* bench_kernels: the inference kernels (libnc/nn/kernels.h) on the shapes codecs run,
 * per kernel table and weight type, against OpenBLAS (the same drivers with sgemm as
 * the GEMM) and PyTorch CPU (torch_kernels.py, same shapes, run in between).
 *
 *   bench_kernels [--reps R] [--rounds K] [--only WORDS] [--no-torch]
 *
 * --only keeps the rows whose name ("shape table weights") holds WORDS, e.g.
 * "avx512 f32"; --no-torch leaves PyTorch out (quick A/B runs of our kernels).
 * Each figure is the median over K rounds of the mean time of R calls, in thread CPU
 * time on both sides (the machines this runs on are shared: wall time would charge
 * whoever was descheduled); one thread. Our rounds run before and after PyTorch's
 * and are pooled. The plain C reference table is left out (it is the tests'
 * yardstick, one output at a time). Ratios: libnc / PyTorch (below 1: libnc
 * faster). bf16 weights (NN_W_BF16) are timed only on the tables with bfloat16
 * arithmetic (avx512bf16, amxbf16), and what they cost in precision is printed first:
 * each shape's output against the AVX-512 table's f32 one. Never run by meson test. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cblas.h>

#include "libnc/nn/ops.h" /* nn_blas_* */
#include "libnc/nn/kernels.h"

#ifndef TORCH_KERNELS
#define TORCH_KERNELS "bench/nn/torch_kernels.py"
#endif

#define MAX_ROUNDS 64
#define MAX_ROWS 256

typedef struct Row {
    char name[64], torch[48];
    double t[MAX_ROUNDS];
    int n;
} Row;

static Row rows[MAX_ROWS];
static int nrows;
static const char *only; /* --only */

static Row *row(const char *name, const char *torch)
{
    for (int i = 0; i < nrows; i++)
        if (!strcmp(rows[i].name, name)) return &rows[i];
    if (nrows == MAX_ROWS) {
        fprintf(stderr, "bench_kernels: more than %d rows\n", MAX_ROWS);
        exit(1);
    }
    Row *r = &rows[nrows++];
    snprintf(r->name, sizeof(r->name), "%s", name);
    snprintf(r->torch, sizeof(r->torch), "%s", torch);
    return r;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); /* not charged for time descheduled */
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(const double *t, int n)
{
    double s[MAX_ROUNDS];
    memcpy(s, t, sizeof(double) * (size_t)n);
    qsort(s, (size_t)n, sizeof(double), cmp_double);
    return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static float *randn(size_t n, float scale)
{
    static uint64_t s = 99;
    float *x = malloc(sizeof(float) * n);
    for (size_t i = 0; i < n; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        x[i] = scale * ((float)(s >> 40) * 0x1p-24f * 2.0f - 1.0f);
    }
    return x;
}

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#include <immintrin.h>
/* A core's peak in GFLOP/s: 24 independent chains of one instruction (STEP) in
 * registers (more than latency x ports, so throughput-bound), best of 5, FLOPS per
 * instruction. Named variables, not an array: gcc kept an array's chains in memory. */
#define ALL(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7) M(8) M(9) M(10) M(11) M(12) M(13) M(14) M(15) \
    M(16) M(17) M(18) M(19) M(20) M(21) M(22) M(23)
#define DECL(i) __m512 a##i = _mm512_set1_ps((float)i * 1e-3f);
#define SUM(i) sink += _mm512_reduce_add_ps(a##i);
#define PEAK_LOOP(STEP, FLOPS)                                     \
    ALL(DECL)                                                      \
    const long n = 1000000;                                        \
    double best = 1e9;                                             \
    for (int r = 0; r < 5; r++) {                                  \
        double t = now();                                          \
        for (long k = 0; k < n; k++) {                             \
            ALL(STEP)                                              \
            __asm__ volatile("" : "+v"(x)); /* not folded */       \
        }                                                          \
        t = now() - t;                                             \
        best = t < best ? t : best;                                \
    }                                                              \
    float sink = 0;                                                \
    ALL(SUM)                                                       \
    return sink == 12345.0f ? 0 : (double)n * 24 * (FLOPS) / best / 1e9;

/* f32 FMAs: what no f32 kernel can beat, the yardstick for the ratios against PyTorch. */
__attribute__((target("avx512f"))) static double fma_peak_avx512(void)
{
#define STEP(i) a##i = _mm512_fmadd_ps(x, a##i, c);
    const __m512 c = _mm512_set1_ps(1e-6f);
    __m512 x = _mm512_set1_ps(0.999f);
    PEAK_LOOP(STEP, 32)
#undef STEP
}

/* vdpbf16ps (32 multiply-adds per instruction): the avx512bf16 table's ceiling. */
__attribute__((target("avx512f,avx512bf16"))) static double dot_peak_avx512bf16(void)
{
#define STEP(i) a##i = _mm512_dpbf16_ps(a##i, x, c);
    const __m512bh c = (__m512bh)_mm512_set1_epi32(0x3F803F80); /* (1, 1) */
    __m512bh x = (__m512bh)_mm512_set1_epi32(0x33D633D6);       /* about 1e-7 each */
    PEAK_LOOP(STEP, 64)
#undef STEP
}
#undef ALL
#undef DECL
#undef SUM
#undef PEAK_LOOP
#endif

/* A GEMM of a kernel table through OpenBLAS: f32 weights only. */
static void gemm_openblas(float *y, int ldy, const float *x, int ldx, int rows_, const NNWeights *w)
{
    if (rows_ == 1)
        cblas_sgemv(CblasRowMajor, CblasTrans, w->cin, w->cout, 1.0f, w->data, w->cout, x, 1, 1.0f, y, 1);
    else
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows_, w->cout, w->cin, 1.0f, x, ldx,
                    w->data, w->cout, 1.0f, y, ldy);
}

/* Weights of one matrix in every type. */
typedef struct Mat {
    NNWeights w[5];
    float *f32, *scale;
    uint16_t *f16;
    int8_t *i8, *i8a16;
    uint16_t *bf16;
} Mat;

static void mat_init(Mat *m, int cin, int cout)
{
    size_t n = (size_t)cin * cout;
    m->f32 = randn(n, 1.0f / sqrtf((float)cin));
    m->f16 = malloc(2 * n);
    m->i8 = malloc(n);
    m->scale = malloc(sizeof(float) * (size_t)cout);
    for (size_t i = 0; i < n; i++) m->f16[i] = nn_f32_to_f16(m->f32[i]);
    nn_quantize_i8(m->f32, cin, cout, m->i8, m->scale);
    m->w[0] = (NNWeights){NN_W_F32, cin, cout, m->f32, NULL};
    m->w[1] = (NNWeights){NN_W_F16, cin, cout, m->f16, NULL};
    m->w[2] = (NNWeights){NN_W_I8, cin, cout, m->i8, m->scale};
    m->bf16 = malloc(sizeof(uint16_t) * nn_bf16_packed_len(cin, cout));
    nn_bf16_pack(m->f32, cin, cout, m->bf16);
    m->w[3] = (NNWeights){NN_W_BF16, cin, cout, m->bf16, NULL};
    m->i8a16 = malloc(nn_i8a16_packed_len(cin, cout));
    if (nn_i8a16_pack(m->i8, cin, cout, m->i8a16) < 0) abort(); /* every shape here has cin <= 1024 */
    m->w[4] = (NNWeights){NN_W_I8A16, cin, cout, m->i8a16, m->scale};
}

/* bf16 only on tables with bfloat16 arithmetic (the others run the C reference);
 * i8a16: int8 weights with int16 activations (kernels.h), not on SSE4.1 (the reference) */
enum { NTYPES = 5 };
static const char *type_name[NTYPES] = {"f32", "f16", "i8", "bf16", "i8a16"};
static int has_bf16(const NNKernels *k) { return strstr(k->name, "bf16") != NULL; }

/* rvqspeech's decoder network with random weights (codecs/rvqspeech/net.c). */
enum { C = 128, LAT = 64, OUT = 642, FRAMES = 500 };
typedef struct Net {
    Mat in[3], u1[3][3], u2[3], out;
    float *b_in, *b_u1[3], *b_u2[3], *b_out;
} Net;

static void net_init(Net *n)
{
    for (int j = 0; j < 3; j++) mat_init(&n->in[j], LAT, C);
    for (int u = 0; u < 3; u++) {
        for (int j = 0; j < 3; j++) mat_init(&n->u1[u][j], C, C);
        mat_init(&n->u2[u], C, C);
        n->b_u1[u] = randn(C, 0.1f);
        n->b_u2[u] = randn(C, 0.1f);
    }
    mat_init(&n->out, C, OUT);
    n->b_in = randn(C, 0.1f);
    n->b_out = randn(OUT, 0.1f);
}

static void taps_of(const Mat *m, int k, int type, int dil, NNWeights *taps, int *back)
{
    for (int j = 0; j < k; j++) {
        taps[j] = m[j].w[type];
        back[j] = (k - 1 - j) * dil;
    }
}

/* Whole sequence: x [FRAMES][LAT] -> y [FRAMES][OUT]. */
static void net_sequence(const NNKernels *k, const Net *n, int type, const float *x, float *h, float *t,
                         float *u, float *y)
{
    NNWeights taps[3];
    int back[3];
    taps_of(n->in, 3, type, 1, taps, back);
    nn_conv1d_causal(k, taps, back, 3, n->b_in, x, FRAMES, h);
    for (int r = 0; r < 3; r++) {
        memcpy(u, h, sizeof(float) * FRAMES * C);
        k->elu(u, FRAMES * C);
        taps_of(n->u1[r], 3, type, 1 << r, taps, back);
        nn_conv1d_causal(k, taps, back, 3, n->b_u1[r], u, FRAMES, t);
        k->elu(t, FRAMES * C);
        taps_of(&n->u2[r], 1, type, 1, taps, back);
        nn_conv1d_causal(k, taps, back, 1, n->b_u2[r], t, FRAMES, u);
        for (int i = 0; i < FRAMES * C; i++) h[i] += u[i];
    }
    memcpy(t, h, sizeof(float) * FRAMES * C);
    k->elu(t, FRAMES * C);
    taps_of(&n->out, 1, type, 1, taps, back);
    nn_conv1d_causal(k, taps, back, 1, n->b_out, t, FRAMES, y);
}

/* Frame by frame, as the codec streams. */
static void net_streaming(const NNKernels *k, const Net *n, int type, const float *x, float *y)
{
    static float hist_in[2 * LAT], hist[3][8 * C], hist_dummy[1];
    static float h[C], t[C], u[C];
    memset(hist_in, 0, sizeof(hist_in));
    memset(hist, 0, sizeof(hist));
    NNWeights taps[3];
    int back[3];
    for (int f = 0; f < FRAMES; f++) {
        taps_of(n->in, 3, type, 1, taps, back);
        nn_conv1d_causal_step(k, taps, back, 3, n->b_in, hist_in, 2, x + (size_t)f * LAT, h);
        for (int r = 0; r < 3; r++) {
            memcpy(u, h, sizeof(u));
            k->elu(u, C);
            taps_of(n->u1[r], 3, type, 1 << r, taps, back);
            nn_conv1d_causal_step(k, taps, back, 3, n->b_u1[r], hist[r], 2 << r, u, t);
            k->elu(t, C);
            taps_of(&n->u2[r], 1, type, 1, taps, back);
            nn_conv1d_causal_step(k, taps, back, 1, n->b_u2[r], hist_dummy, 0, t, u);
            for (int i = 0; i < C; i++) h[i] += u[i];
        }
        memcpy(t, h, sizeof(t));
        k->elu(t, C);
        taps_of(&n->out, 1, type, 1, taps, back);
        nn_conv1d_causal_step(k, taps, back, 1, n->b_out, hist_dummy, 0, t, y + (size_t)f * OUT);
    }
}

typedef struct Data {
    Mat g512, g642, c3[9], c1, wa[9], wb[9]; /* wa, wb: walloc's 3x3 192 -> 64 -> 192 */
    Net net;
    float *wl_in, *wl_hid, *wl_out; /* walloc's 1/8 grid of a 768x512 picture: 96x64 */
    float *v512, *y512, *v128, *y642, *img, *imgout, *ps_in, *ps_out, *act, *act_out;
    float *seq_x, *seq_h, *seq_t, *seq_u, *seq_y;
} Data;

static void timed(const char *name, const char *torch, int reps, void (*fn)(void *, const NNKernels *, int),
                  void *arg, const NNKernels *k, int type)
{
    if (only && !strstr(name, only)) return;
    fn(arg, k, type); /* warm */
    double t0 = now();
    for (int i = 0; i < reps; i++) fn(arg, k, type);
    Row *r = row(name, torch);
    if (r->n < MAX_ROUNDS) r->t[r->n++] = (now() - t0) * 1000 / reps;
}

static void do_gemv512(void *a, const NNKernels *k, int type)
{
    Data *d = a;
    k->gemm(d->y512, 512, d->v512, 512, 1, &d->g512.w[type]);
}
static void do_gemv642(void *a, const NNKernels *k, int type)
{
    Data *d = a;
    k->gemm(d->y642, OUT, d->v128, 128, 1, &d->g642.w[type]);
}
/* A 3x3 conv whose 9 taps are ms[0..8]. */
static void conv3(const Mat *ms, const NNKernels *k, int type, const float *x, int h, int w, float *y)
{
    NNWeights taps[9];
    for (int j = 0; j < 9; j++) taps[j] = ms[j].w[type];
    nn_conv2d_same(k, taps, 3, NULL, x, h, w, y);
}
static void do_conv3(void *a, const NNKernels *k, int type)
{
    Data *d = a;
    conv3(d->c3, k, type, d->img, 64, 64, d->imgout);
}
static void do_conv1(void *a, const NNKernels *k, int type)
{
    Data *d = a;
    nn_conv2d_same(k, &d->c1.w[type], 1, NULL, d->img, 64, 64, d->imgout);
}
static void do_walloc_a(void *a, const NNKernels *k, int type)
{
    Data *d = a;
    conv3(d->wa, k, type, d->wl_in, 64, 96, d->wl_hid);
}
static void do_walloc_b(void *a, const NNKernels *k, int type)
{
    Data *d = a;
    conv3(d->wb, k, type, d->wl_hid, 64, 96, d->wl_out);
}
static void do_shuffle(void *a, const NNKernels *k, int type)
{
    Data *d = a;
    (void)k, (void)type;
    nn_k_pixel_shuffle(d->ps_in, 32, 32, 32, 2, d->ps_out);
}
/* Out of place like PyTorch's F.elu / F.gelu: applied in place again and again the
 * values would decay into subnormals and time those instead. */
static void do_elu(void *a, const NNKernels *k, int type)
{
    Data *d = a;
    (void)type;
    memcpy(d->act_out, d->act, sizeof(float) << 16);
    k->elu(d->act_out, 1 << 16);
}
static void do_gelu(void *a, const NNKernels *k, int type)
{
    Data *d = a;
    (void)type;
    memcpy(d->act_out, d->act, sizeof(float) << 16);
    k->gelu(d->act_out, 1 << 16);
}
static void do_net_seq(void *a, const NNKernels *k, int type)
{
    Data *d = a;
    net_sequence(k, &d->net, type, d->seq_x, d->seq_h, d->seq_t, d->seq_u, d->seq_y);
}
static void do_net_stream(void *a, const NNKernels *k, int type)
{
    Data *d = a;
    net_streaming(k, &d->net, type, d->seq_x, d->seq_y);
}

/* What a weight type costs in precision on a shape: the output of type ty on table k
 * against the same call with f32 weights on table f32k, over every output. */
static void type_error(const char *label, void (*fn)(void *, const NNKernels *, int), Data *d, float *y, size_t n,
                       const NNKernels *f32k, const NNKernels *k, int ty)
{
    float *ref = malloc(sizeof(float) * n);
    memset(y, 0, sizeof(float) * n); /* the GEMV adds to y */
    fn(d, f32k, 0);
    memcpy(ref, y, sizeof(float) * n);
    memset(y, 0, sizeof(float) * n);
    fn(d, k, ty);
    double sd = 0, sy = 0, md = 0, my = 0, s2d = 0, s2y = 0;
    for (size_t i = 0; i < n; i++) {
        double e = fabs((double)y[i] - ref[i]), a = fabs((double)ref[i]);
        sd += e, sy += a, s2d += e * e, s2y += a * a;
        md = e > md ? e : md, my = a > my ? a : my;
    }
    printf("%s (%s) against f32, %s: mean |d| / mean |y| %.2e, max |d| / max |y| %.2e, ||d|| / ||y|| %.2e\n",
           type_name[ty], k->name, label, sd / sy, md / my, sqrt(s2d / s2y));
    free(ref);
}

static void our_round(Data *d, const NNKernels *const *tabs, int ntabs, const NNKernels *blas, int reps)
{
    char name[64];
    for (int t = -1; t < ntabs; t++) {
        if (t >= 0 && !strcmp(tabs[t]->name, "c")) continue;
        const NNKernels *k = t < 0 ? blas : tabs[t];
        int types = t < 0 ? 1 : NTYPES;
        for (int ty = 0; ty < types; ty++) {
            if (ty == 3 && !has_bf16(k)) continue;
            if (ty == 4 && !strcmp(k->name, "sse4.1")) continue; /* the reference's i8a16, slow */
#define ROW(label, torch, r, fn)                                                             \
    snprintf(name, sizeof(name), "%s %s %s", label, k->name, type_name[ty]);                 \
    timed(name, torch, r, fn, d, k, ty)
            ROW("gemv 512x512", "gemv_512x512", reps * 20, do_gemv512);
            ROW("gemv 128x642", "gemv_128x642", reps * 20, do_gemv642);
            ROW("conv2d 3x3 64ch 64x64", "conv2d_3x3_64ch_64x64", reps, do_conv3);
            ROW("conv2d 1x1 64ch 64x64", "conv2d_1x1_64ch_64x64", reps, do_conv1);
            ROW("conv2d 3x3 192->64 96x64", "conv2d_3x3_192to64_96x64", reps, do_walloc_a);
            ROW("conv2d 3x3 64->192 96x64", "conv2d_3x3_64to192_96x64", reps, do_walloc_b);
            ROW("rvq decoder 500 frames, sequence", "rvq_decoder_500_frames", reps, do_net_seq);
            ROW("rvq decoder 500 frames, streaming", "rvq_decoder_500_frames", reps, do_net_stream);
            ROW("rvq decoder 500 frames, streaming, torch too", "rvq_decoder_500_frames_streaming", reps, do_net_stream);
            if (ty == 0) {
                ROW("pixel shuffle 128ch 32x32", "pixel_shuffle_128ch_32x32", reps, do_shuffle);
                ROW("elu 65536", "elu_65536", reps, do_elu);
                ROW("gelu 65536", "gelu_65536", reps, do_gelu);
            }
#undef ROW
        }
    }
}

static int run_torch(int threads, int reps, int rounds)
{
    char cmd[4096], line[256];
    snprintf(cmd, sizeof(cmd), "/usr/bin/python3 %s %d %d %d 2>/dev/null", TORCH_KERNELS, threads, reps, rounds);
    FILE *p = popen(cmd, "r");
    if (!p) return 0;
    int got = 0;
    while (fgets(line, sizeof(line), p)) {
        char nm[64];
        double ms;
        if (sscanf(line, "%63s %lf", nm, &ms) != 2) continue;
        Row *r = row(nm, "");
        r->t[0] = ms;
        r->n = 1;
        got++;
    }
    pclose(p);
    return got;
}

int main(int argc, char **argv)
{
    /* OpenBLAS's own kernels for this CPU (libnc/nn/blas.c): OpenBLAS reads the
     * variable only when it loads, hence the restart */
    const char *core = nn_blas_better_coretype();
    if (core && setenv("OPENBLAS_CORETYPE", core, 1) == 0)
        execv("/proc/self/exe", argv);
    int threads = 1, reps = 5, rounds = 5, use_torch = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--no-torch")) use_torch = 0;
        if (i + 1 == argc) break;
        if (!strcmp(argv[i], "--reps")) reps = atoi(argv[i + 1]);
        if (!strcmp(argv[i], "--rounds")) rounds = atoi(argv[i + 1]);
        if (!strcmp(argv[i], "--only")) only = argv[i + 1];
    }
    if (rounds < 1 || rounds > MAX_ROUNDS / 2) rounds = 5;
    if (reps < 1) reps = 5;
    nn_set_threads(threads);
    setvbuf(stdout, NULL, _IOLBF, 0);

    Data d;
    mat_init(&d.g512, 512, 512);
    mat_init(&d.g642, 128, OUT);
    for (int j = 0; j < 9; j++) mat_init(&d.c3[j], 64, 64);
    mat_init(&d.c1, 64, 64);
    for (int j = 0; j < 9; j++) mat_init(&d.wa[j], 192, 64), mat_init(&d.wb[j], 64, 192);
    d.wl_in = randn(96 * 64 * 192, 1), d.wl_hid = randn(96 * 64 * 64, 1), d.wl_out = randn(96 * 64 * 192, 1);
    net_init(&d.net);
    d.v512 = randn(512, 1), d.y512 = randn(512, 1), d.v128 = randn(128, 1), d.y642 = randn(OUT, 1);
    d.img = randn(64 * 64 * 64, 1), d.imgout = randn(64 * 64 * 64, 1);
    d.ps_in = randn(32 * 32 * 128, 1), d.ps_out = randn(32 * 32 * 128, 1), d.act = randn(1 << 16, 4);
    d.act_out = randn(1 << 16, 1);
    d.seq_x = randn(FRAMES * LAT, 1), d.seq_h = randn(FRAMES * C, 1), d.seq_t = randn(FRAMES * C, 1);
    d.seq_u = randn(FRAMES * C, 1), d.seq_y = randn(FRAMES * OUT, 1);

    const NNKernels *tabs[8];
    int ntabs = nn_kernels_available(tabs, 8);
    NNKernels blas = *nn_kernels_ref();
    blas.name = "openblas";
    blas.gemm = gemm_openblas;

    printf("bench_kernels: %d thread(s), %d rounds x %d reps per side (our rounds before and after PyTorch's)\n",
           threads, 2 * rounds, reps);
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
    const NNKernels *f32k = NULL, *bk = NULL; /* the AVX-512 table, the last bf16 one */
    for (int i = 0; i < ntabs; i++) {
        if (!strcmp(tabs[i]->name, "avx512")) f32k = tabs[i];
        if (has_bf16(tabs[i])) bk = tabs[i];
    }
    if (f32k) printf("this core's f32 FMA peak (AVX-512, 24 chains): %.0f GFLOP/s\n", fma_peak_avx512());
    if (f32k && bk) {
        printf("this core's bf16 dot peak (vdpbf16ps, 24 chains): %.0f GFLOP/s\n", dot_peak_avx512bf16());
        type_error("conv2d 1x1 64ch 64x64", do_conv1, &d, d.imgout, 64 * 64 * 64, f32k, bk, 3);
        type_error("conv2d 3x3 64ch 64x64", do_conv3, &d, d.imgout, 64 * 64 * 64, f32k, bk, 3);
        type_error("conv2d 3x3 192->64 96x64", do_walloc_a, &d, d.wl_hid, 96 * 64 * 64, f32k, bk, 3);
        type_error("conv2d 3x3 64->192 96x64", do_walloc_b, &d, d.wl_out, 96 * 64 * 192, f32k, bk, 3);
        type_error("rvq decoder 500 frames", do_net_seq, &d, d.seq_y, FRAMES * OUT, f32k, bk, 3);
    }
#endif
    /* int8 weights, with f32 and with int16 activations */
    for (int ty = 2; ty < NTYPES; ty += 2) {
        type_error("gemv 512x512", do_gemv512, &d, d.y512, 512, nn_kernels(), nn_kernels(), ty);
        type_error("rvq decoder 500 frames", do_net_seq, &d, d.seq_y, FRAMES * OUT, nn_kernels(), nn_kernels(), ty);
    }
    for (int r = 0; r < rounds; r++) our_round(&d, tabs, ntabs, &blas, reps);
    int torch = use_torch ? run_torch(threads, reps, rounds) : 0;
    for (int r = 0; r < rounds; r++) our_round(&d, tabs, ntabs, &blas, reps);
    if (!torch && use_torch) printf("(PyTorch not found: /usr/bin/python3 -c 'import torch' fails; ratios omitted)\n");

    printf("| shape | kernels | weights | ms | PyTorch ms | libnc / PyTorch |\n| --- | --- | --- | --- | --- | --- |\n");
    for (int i = 0; i < nrows; i++) {
        Row *r = &rows[i];
        if (!r->torch[0]) continue; /* a PyTorch row */
        char shape[64], kern[32], type[8];
        const char *last = strrchr(r->name, ' ');
        size_t len = (size_t)(last - r->name);
        snprintf(type, sizeof(type), "%s", last + 1);
        memcpy(shape, r->name, len);
        shape[len] = 0;
        const char *k2 = strrchr(shape, ' ');
        snprintf(kern, sizeof(kern), "%s", k2 + 1);
        shape[k2 - shape] = 0;
        double ours = median(r->t, r->n), theirs = -1;
        for (int j = 0; j < nrows; j++)
            if (!rows[j].torch[0] && !strcmp(rows[j].name, r->torch)) theirs = rows[j].t[0];
        if (theirs > 0)
            printf("| %s | %s | %s | %.4f | %.4f | %.2f |\n", shape, kern, type, ours, theirs, ours / theirs);
        else
            printf("| %s | %s | %s | %.4f | | |\n", shape, kern, type, ours);
    }
    return 0;
}
