/* bench_entropy: the entropy core against the Shannon bound and against htscodecs.
 *
 *   bench_entropy [DATA_DIR]        (default: data/ of the source tree)
 *
 * Inputs (each 1 MB or more where the data exists):
 *   text       every .txt file of DATA_DIR/text/train and text/test concatenated
 *              (scripts/fetch-data text); without them the files of
 *              /usr/share/common-licenses repeated to 1 MB
 *   photo-res  MED (LOCO-I) prediction residuals mod 256 of the grey levels of the
 *              PNG files in DATA_DIR/photos/test (needs libpng)
 *   mnist-res  left-neighbour residuals mod 256 of DATA_DIR/mnist/test-images-idx3-ubyte
 *   geometric, uniform, skewed: 4 MB synthetic i.i.d. bytes of known distribution
 * For each it prints the order-0 empirical entropy, then per coder the coded size
 * relative to it and encode/decode MB/s (best of 7 interleaved rounds, thread CPU
 * time), then htscodecs'
 * order-0 rANS (4x16 scalar and the older 4x8) and arith_dynamic order 0 in the same
 * run, and the ratios. Never run by meson test. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <dirent.h>

#include "entropy/adaptive_cdf.h"
#include "entropy/cdf_table.h"
#include "entropy/count_model.h"
#include "entropy/periodic_mix_model.h"
#include "entropy/periodic_model.h"
#include "entropy/rans.h"
#include "entropy/static_model.h"

#include <htscodecs/arith_dynamic.h>
#include <htscodecs/rANS_static.h>
#include <htscodecs/rANS_static4x16.h>
#ifdef HAVE_LIBPNG
#include <png.h>
#endif

typedef struct Buf {
    uint8_t *data;
    size_t size, cap;
} Buf;

static void buf_append(Buf *b, const uint8_t *p, size_t n)
{
    if (b->size + n > b->cap) {
        b->cap = (b->size + n) * 2;
        b->data = realloc(b->data, b->cap);
        if (!b->data) exit(1);
    }
    memcpy(b->data + b->size, p, n);
    b->size += n;
}

static int append_file(Buf *b, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    uint8_t chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0) buf_append(b, chunk, got);
    fclose(f);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Calls fn on every regular file of dir with the given suffix, in name order. */
static int for_each_file(const char *dir, const char *suffix, void (*fn)(Buf *, const char *),
                         Buf *b)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    char *names[256];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 256) {
        size_t l = strlen(e->d_name), sl = strlen(suffix);
        if (e->d_name[0] == '.' || l < sl || strcmp(e->d_name + l - sl, suffix)) continue;
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof(*names), cmp_str);
    for (int i = 0; i < n; i++) {
        char path[8192];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        fn(b, path);
        free(names[i]);
    }
    return n;
}

static void add_text(Buf *b, const char *path) { append_file(b, path); }

#ifdef HAVE_LIBPNG
/* MED predictor residuals of the grey image, mod 256. */
static void add_png_residuals(Buf *b, const char *path)
{
    png_image img;
    memset(&img, 0, sizeof(img));
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&img, path)) return;
    img.format = PNG_FORMAT_GRAY;
    uint8_t *px = malloc(PNG_IMAGE_SIZE(img));
    if (!px || !png_image_finish_read(&img, NULL, px, 0, NULL)) {
        free(px);
        png_image_free(&img);
        return;
    }
    unsigned w = img.width, h = img.height;
    uint8_t *res = malloc((size_t)w * h);
    for (unsigned y = 0; y < h; y++)
        for (unsigned x = 0; x < w; x++) {
            int a = x ? px[y * w + x - 1] : (y ? px[(y - 1) * w] : 0);
            int c = y ? px[(y - 1) * w + x] : a;
            int d = x && y ? px[(y - 1) * w + x - 1] : c;
            int mx = a > c ? a : c, mn = a < c ? a : c;
            int pred = d >= mx ? mn : d <= mn ? mx : a + c - d;
            res[y * w + x] = (uint8_t)(px[y * w + x] - pred);
        }
    buf_append(b, res, (size_t)w * h);
    free(res);
    free(px);
}
#endif

static void load_mnist(Buf *b, const char *path)
{
    Buf raw = {0};
    if (append_file(&raw, path) || raw.size < 16) return;
    const size_t side = 28, img = side * side;
    for (size_t off = 16; off + img <= raw.size; off += img)
        for (size_t i = 0; i < img; i++) {
            uint8_t left = i % side ? raw.data[off + i - 1] : 0;
            uint8_t r = (uint8_t)(raw.data[off + i] - left);
            buf_append(b, &r, 1);
        }
    free(raw.data);
}

static void synthetic(Buf *b, int kind)
{
    uint64_t s = 0x1234567 + (uint64_t)kind;
    size_t n = 4u << 20;
    b->data = malloc(n);
    b->size = b->cap = n;
    for (size_t i = 0; i < n; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        uint32_t u = (uint32_t)(s >> 32);
        uint8_t v;
        if (kind == 0) { /* geometric, p = 0.2: 2.5 bits */
            v = 0;
            while (v < 255 && (u % 5) != 0) {
                v++;
                u = u / 5 ? u / 5 : (uint32_t)((s = s * 6364136223846793005ULL + 1) >> 32);
            }
        } else if (kind == 1) {
            v = (uint8_t)(u >> 24);
        } else { /* 98% one value, the rest spread over 8 */
            v = (u >> 8) % 100 < 98 ? 7 : (uint8_t)(u % 8);
        }
        b->data[i] = v;
    }
}

/* Thread CPU time, not wall time: the machines this runs on are often shared, and a
 * coder should not be charged for time it spent descheduled. */
static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static double entropy_bits(const uint8_t *d, size_t n, uint64_t *counts)
{
    memset(counts, 0, 256 * sizeof(*counts));
    for (size_t i = 0; i < n; i++) counts[d[i]]++;
    double h = 0;
    for (int s = 0; s < 256; s++)
        if (counts[s]) h -= counts[s] * log2((double)counts[s] / n);
    return h;
}

/* One coder: encode in -> out (returns size or < 0), decode back. */
typedef struct Coder {
    const char *name;
    long (*encode)(const uint8_t *in, size_t n, uint8_t *out, size_t cap, void *ctx);
    int (*decode)(const uint8_t *in, size_t size, uint8_t *out, size_t n, void *ctx);
} Coder;

typedef struct ModelCtx {
    RCStaticModel m;
    unsigned max_rate;      /* adaptive: max_rate; counts and periodic: window */
    unsigned prec, period;  /* periodic: coding precision and log2 of the rebuild period */
    unsigned fast_window;   /* periodic mixture: the fast set's window (max_rate: the slow one's) */
} ModelCtx;

static long enc_rc_static(const uint8_t *in, size_t n, uint8_t *out, size_t cap, void *ctx)
{
    const RCStaticModel *m = &((ModelCtx *)ctx)->m;
    RCEncoder enc;
    rc_enc_init_fixed(&enc, out, cap);
    for (size_t i = 0; i < n; i++) rc_encode_static(&enc, m, in[i]);
    return rc_enc_flush(&enc) ? -1 : (long)enc.size;
}

static int dec_rc_static(const uint8_t *in, size_t size, uint8_t *out, size_t n, void *ctx)
{
    const RCStaticModel *m = &((ModelCtx *)ctx)->m;
    RCDecoder dec;
    rc_dec_init(&dec, in, size);
    for (size_t i = 0; i < n; i++) out[i] = (uint8_t)rc_decode_static(&dec, m);
    return rc_dec_finish(&dec);
}

static long enc_rans(const uint8_t *in, size_t n, uint8_t *out, size_t cap, void *ctx)
{
    return (long)rans_encode_bytes(&((ModelCtx *)ctx)->m, in, n, out, cap);
}

static int dec_rans(const uint8_t *in, size_t size, uint8_t *out, size_t n, void *ctx)
{
    return rans_decode_bytes(&((ModelCtx *)ctx)->m, in, size, out, n);
}

static long enc_adaptive(const uint8_t *in, size_t n, uint8_t *out, size_t cap, void *ctx)
{
    RCAdaptiveCdf m;
    if (rc_adaptive_init(&m, 256, ((ModelCtx *)ctx)->max_rate)) return -1;
    RCEncoder enc;
    rc_enc_init_fixed(&enc, out, cap);
    for (size_t i = 0; i < n; i++) rc_encode_adaptive(&enc, &m, in[i]);
    rc_adaptive_free(&m);
    return rc_enc_flush(&enc) ? -1 : (long)enc.size;
}

static int dec_adaptive(const uint8_t *in, size_t size, uint8_t *out, size_t n, void *ctx)
{
    RCAdaptiveCdf m;
    if (rc_adaptive_init(&m, 256, ((ModelCtx *)ctx)->max_rate)) return -1;
    RCDecoder dec;
    rc_dec_init(&dec, in, size);
    for (size_t i = 0; i < n; i++) out[i] = (uint8_t)rc_decode_adaptive(&dec, &m);
    rc_adaptive_free(&m);
    return rc_dec_finish(&dec);
}

static long enc_counts(const uint8_t *in, size_t n, uint8_t *out, size_t cap, void *ctx)
{
    RCCountModel m;
    if (rc_count_init(&m, 256, ((ModelCtx *)ctx)->max_rate)) return -1;
    RCEncoder enc;
    rc_enc_init_fixed(&enc, out, cap);
    for (size_t i = 0; i < n; i++) rc_encode_count(&enc, &m, in[i]);
    rc_count_free(&m);
    return rc_enc_flush(&enc) ? -1 : (long)enc.size;
}

static long enc_periodic(const uint8_t *in, size_t n, uint8_t *out, size_t cap, void *ctx)
{
    const ModelCtx *c = ctx;
    RCPeriodicModel m;
    if (rc_periodic_init(&m, 256, c->max_rate, c->prec, c->period)) return -1;
    RCEncoder enc;
    rc_enc_init_fixed(&enc, out, cap);
    for (size_t i = 0; i < n; i++) rc_encode_periodic(&enc, &m, in[i]);
    rc_periodic_free(&m);
    return rc_enc_flush(&enc) ? -1 : (long)enc.size;
}

static int dec_periodic(const uint8_t *in, size_t size, uint8_t *out, size_t n, void *ctx)
{
    const ModelCtx *c = ctx;
    RCPeriodicModel m;
    if (rc_periodic_init(&m, 256, c->max_rate, c->prec, c->period)) return -1;
    RCDecoder dec;
    rc_dec_init(&dec, in, size);
    for (size_t i = 0; i < n; i++) out[i] = (uint8_t)rc_decode_periodic(&dec, &m);
    rc_periodic_free(&m);
    return rc_dec_finish(&dec);
}

static long enc_periodic_mix(const uint8_t *in, size_t n, uint8_t *out, size_t cap, void *ctx)
{
    const ModelCtx *c = ctx;
    RCPeriodicMixModel m;
    if (rc_periodic_mix_init(&m, 256, c->max_rate, c->fast_window, c->prec, c->period)) return -1;
    RCEncoder enc;
    rc_enc_init_fixed(&enc, out, cap);
    for (size_t i = 0; i < n; i++) rc_encode_periodic_mix(&enc, &m, in[i]);
    rc_periodic_mix_free(&m);
    return rc_enc_flush(&enc) ? -1 : (long)enc.size;
}

static int dec_periodic_mix(const uint8_t *in, size_t size, uint8_t *out, size_t n, void *ctx)
{
    const ModelCtx *c = ctx;
    RCPeriodicMixModel m;
    if (rc_periodic_mix_init(&m, 256, c->max_rate, c->fast_window, c->prec, c->period)) return -1;
    RCDecoder dec;
    rc_dec_init(&dec, in, size);
    for (size_t i = 0; i < n; i++) out[i] = (uint8_t)rc_decode_periodic_mix(&dec, &m);
    rc_periodic_mix_free(&m);
    return rc_dec_finish(&dec);
}

static int dec_counts(const uint8_t *in, size_t size, uint8_t *out, size_t n, void *ctx)
{
    RCCountModel m;
    if (rc_count_init(&m, 256, ((ModelCtx *)ctx)->max_rate)) return -1;
    RCDecoder dec;
    rc_dec_init(&dec, in, size);
    for (size_t i = 0; i < n; i++) out[i] = (uint8_t)rc_decode_count(&dec, &m);
    rc_count_free(&m);
    return rc_dec_finish(&dec);
}

/* The same bytes as two 16-symbol adaptive symbols: the high nibble, then the low one
 * in the context of the high one (17 models). Shows the small-alphabet speed. */
typedef struct Nibbles {
    RCAdaptiveCdf m[17];
} Nibbles;

static int nibbles_init(Nibbles *nb, unsigned rate)
{
    for (int k = 0; k < 17; k++)
        if (rc_adaptive_init(&nb->m[k], 16, rate)) return -1;
    return 0;
}

static void nibbles_free(Nibbles *nb)
{
    for (int k = 0; k < 17; k++) rc_adaptive_free(&nb->m[k]);
}

static long enc_nibbles(const uint8_t *in, size_t n, uint8_t *out, size_t cap, void *ctx)
{
    Nibbles nb;
    if (nibbles_init(&nb, ((ModelCtx *)ctx)->max_rate)) return -1;
    RCEncoder enc;
    rc_enc_init_fixed(&enc, out, cap);
    for (size_t i = 0; i < n; i++) {
        rc_encode_adaptive(&enc, &nb.m[16], in[i] >> 4);
        rc_encode_adaptive(&enc, &nb.m[in[i] >> 4], in[i] & 15);
    }
    nibbles_free(&nb);
    return rc_enc_flush(&enc) ? -1 : (long)enc.size;
}

static int dec_nibbles(const uint8_t *in, size_t size, uint8_t *out, size_t n, void *ctx)
{
    Nibbles nb;
    if (nibbles_init(&nb, ((ModelCtx *)ctx)->max_rate)) return -1;
    RCDecoder dec;
    rc_dec_init(&dec, in, size);
    for (size_t i = 0; i < n; i++) {
        unsigned hi = rc_decode_adaptive(&dec, &nb.m[16]);
        out[i] = (uint8_t)(hi << 4 | rc_decode_adaptive(&dec, &nb.m[hi]));
    }
    nibbles_free(&nb);
    return rc_dec_finish(&dec);
}

static long enc_hts4x16(const uint8_t *in, size_t n, uint8_t *out, size_t cap, void *ctx)
{
    (void)ctx;
    unsigned int size = (unsigned int)cap;
    return rans_compress_to_4x16((unsigned char *)in, (unsigned)n, out, &size, 0) ? (long)size : -1;
}

static int dec_hts4x16(const uint8_t *in, size_t size, uint8_t *out, size_t n, void *ctx)
{
    (void)ctx;
    unsigned int got = (unsigned int)n;
    return rans_uncompress_to_4x16((unsigned char *)in, (unsigned)size, out, &got) && got == n ? 0 : -1;
}

static long enc_hts4x8(const uint8_t *in, size_t n, uint8_t *out, size_t cap, void *ctx)
{
    (void)ctx;
    unsigned int size = 0;
    unsigned char *p = rans_compress((unsigned char *)in, (unsigned)n, &size, 0);
    if (!p || size > cap) return -1;
    memcpy(out, p, size);
    free(p);
    return (long)size;
}

static int dec_hts4x8(const uint8_t *in, size_t size, uint8_t *out, size_t n, void *ctx)
{
    (void)ctx;
    unsigned int got = 0;
    unsigned char *p = rans_uncompress((unsigned char *)in, (unsigned)size, &got);
    int ok = p && got == n;
    if (ok) memcpy(out, p, n);
    free(p);
    return ok ? 0 : -1;
}

static long enc_arith(const uint8_t *in, size_t n, uint8_t *out, size_t cap, void *ctx)
{
    (void)ctx;
    unsigned int size = (unsigned int)cap;
    return arith_compress_to((unsigned char *)in, (unsigned)n, out, &size, 0) ? (long)size : -1;
}

static int dec_arith(const uint8_t *in, size_t size, uint8_t *out, size_t n, void *ctx)
{
    (void)ctx;
    unsigned int got = (unsigned int)n;
    return arith_uncompress_to((unsigned char *)in, (unsigned)size, out, &got) && got == n ? 0 : -1;
}

#define MAX_ROUNDS 31

typedef struct Result {
    long size; /* < 0: failed */
    int rounds;
    double enc[MAX_ROUNDS], dec[MAX_ROUNDS];
    double enc_mbs, dec_mbs; /* from the median times */
} Result;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(const double *t, int n)
{
    double s[MAX_ROUNDS];
    memcpy(s, t, sizeof(*t) * (size_t)n);
    qsort(s, (size_t)n, sizeof(*s), cmp_double);
    return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* One encode + decode of in with c, recording the times in r. The machine this runs
 * on may be shared, so every coder gets the same rounds, interleaved, and the median
 * round counts. */
static void run_round(const Coder *c, const Buf *in, void *ctx, uint8_t *out, size_t cap,
                      uint8_t *back, Result *r)
{
    if (r->size < -1) return; /* failed before */
    double t0 = now();
    long size = c->encode(in->data, in->size, out, cap, ctx);
    double t1 = now();
    if (size < 0) {
        r->size = -2;
        return;
    }
    memset(back, 0, in->size);
    double t2 = now();
    int ret = c->decode(out, (size_t)size, back, in->size, ctx);
    double t3 = now();
    if (ret || memcmp(back, in->data, in->size)) {
        printf("  %s: ROUND TRIP FAILED (%d)\n", c->name, ret);
        r->size = -2;
        return;
    }
    r->size = size;
    r->enc[r->rounds] = t1 - t0;
    r->dec[r->rounds] = t3 - t2;
    r->rounds++;
    r->enc_mbs = in->size / median(r->enc, r->rounds) / 1e6;
    r->dec_mbs = in->size / median(r->dec, r->rounds) / 1e6;
}

/* Bytes of the model a static coder must send: the 16-bit table coded with
 * cdf_table.h, so the size ratios against htscodecs (whose output includes its own
 * table) are fair. */
static long table_bytes(const RCStaticModel *m)
{
    RCEncoder enc;
    rc_enc_init(&enc);
    rc_encode_cdf_table(&enc, m->cdf, m->nsyms, m->prec);
    long size = rc_enc_flush(&enc) ? -1 : (long)enc.size;
    rc_enc_free(&enc);
    return size;
}

static void bench_one(const char *name, const Buf *in, int reps)
{
    if (!in->size) {
        printf("\n%s: no data (see the usage above)\n", name);
        return;
    }
    uint64_t counts[256];
    double h = entropy_bits(in->data, in->size, counts);
    double bound = h / 8;
    printf("\n%s: %zu bytes, order-0 entropy %.4f bits/byte, bound %.0f bytes\n", name, in->size,
           h / in->size, bound);
    printf("  %-24s %10s %9s %9s %9s\n", "coder", "bytes", "vs bound", "enc MB/s", "dec MB/s");

    ModelCtx m16 = {0}, m12 = {0};
    rc_static_init_weights(&m16.m, counts, 256, 16, 1);
    rc_static_init_weights(&m12.m, counts, 256, 12, 1);
    static const Coder rc = {"range static16", enc_rc_static, dec_rc_static};
    static const Coder r16 = {"rANS static16", enc_rans, dec_rans};
    static const Coder r12 = {"rANS static12", enc_rans, dec_rans};
    static const Coder ad = {"range adaptive", enc_adaptive, dec_adaptive};
    static const Coder cm = {"range counts", enc_counts, dec_counts};
    static const Coder h416 = {"htscodecs rANS 4x16 o0", enc_hts4x16, dec_hts4x16};
    static const Coder h48 = {"htscodecs rANS 4x8 o0", enc_hts4x8, dec_hts4x8};
    static const Coder ari = {"htscodecs arith o0", enc_arith, dec_arith};
    static const Coder ad16 = {"range adaptive nibbles", enc_nibbles, dec_nibbles};
    static const Coder pm = {"range periodic", enc_periodic, dec_periodic};
    static const Coder px = {"range periodic mixture", enc_periodic_mix, dec_periodic_mix};
    long table = table_bytes(&m16.m), table12 = table_bytes(&m12.m);
    ModelCtx a10 = {.max_rate = 10}, a12 = {.max_rate = 12}, w12 = {.max_rate = 12},
             w13 = {.max_rate = 13};
    /* periodic models: window, coding precision, log2 of the rebuild period */
    ModelCtx p20p6 = {.max_rate = 12, .prec = 20, .period = 6},
             p20p8 = {.max_rate = 12, .prec = 20, .period = 8},
             p20p10 = {.max_rate = 12, .prec = 20, .period = 10},
             p12p10 = {.max_rate = 12, .prec = 12, .period = 10},
             w13p20p8 = {.max_rate = 13, .prec = 20, .period = 8};
    /* periodic mixtures: slow window 14, fast window 10, precision 20 */
    ModelCtx x20p7 = {.max_rate = 14, .fast_window = 10, .prec = 20, .period = 7},
             x20p8 = {.max_rate = 14, .fast_window = 10, .prec = 20, .period = 8};

    enum { RC16, RANS16, RANS12, AD10, AD12, NIB, CNT12, CNT13, P20P6, P20P8, P20P10, P12P10, P13W20P8,
           MIX7, MIX8, H4X16, H4X8, ARITH, ROWS };
    struct {
        const Coder *c;
        void *ctx;
        long extra;
        const char *label;
        Result r;
    } rows[ROWS] = {
        [RC16] = {&rc, &m16, table, NULL, {0}},
        [RANS16] = {&r16, &m16, table, NULL, {0}},
        [RANS12] = {&r12, &m12, table12, NULL, {0}},
        [AD10] = {&ad, &a10, 0, "range adaptive rate 10", {0}},
        [AD12] = {&ad, &a12, 0, "range adaptive rate 12", {0}},
        [NIB] = {&ad16, &a10, 0, "range adaptive nibbles", {0}},
        [CNT12] = {&cm, &w12, 0, "range counts window 12", {0}},
        [CNT13] = {&cm, &w13, 0, "range counts window 13", {0}},
        [P20P6] = {&pm, &p20p6, 0, "periodic w12 k20 p6", {0}},
        [P20P8] = {&pm, &p20p8, 0, "periodic w12 k20 p8", {0}},
        [P20P10] = {&pm, &p20p10, 0, "periodic w12 k20 p10", {0}},
        [P12P10] = {&pm, &p12p10, 0, "periodic w12 k12 p10", {0}},
        [P13W20P8] = {&pm, &w13p20p8, 0, "periodic w13 k20 p8", {0}},
        [MIX7] = {&px, &x20p7, 0, "per.mix w14+10 k20 p7", {0}},
        [MIX8] = {&px, &x20p8, 0, "per.mix w14+10 k20 p8", {0}},
        [H4X16] = {&h416, NULL, 0, NULL, {0}},
        [H4X8] = {&h48, NULL, 0, NULL, {0}},
        [ARITH] = {&ari, NULL, 0, NULL, {0}},
    };
    /* BENCH_ENTROPY_ONLY=substring keeps the rows whose label holds it (and the
     * htscodecs rows), for quick A/B runs. */
    const char *only = getenv("BENCH_ENTROPY_ONLY");
    size_t cap = in->size + in->size / 2 + 100000;
    uint8_t *out = malloc(cap), *back = malloc(in->size);
    for (int i = 0; i < ROWS; i++) {
        const char *label = rows[i].label ? rows[i].label : rows[i].c->name;
        int skip = only && !strstr(label, only) && !strstr(label, "htscodecs");
        rows[i].r = (Result){.size = skip ? -3 : -1};
    }
    for (int round = 0; round < reps; round++)
        for (int i = 0; i < ROWS; i++) run_round(rows[i].c, in, rows[i].ctx, out, cap, back, &rows[i].r);
    free(out);
    free(back);
    for (int i = 0; i < ROWS; i++) {
        const char *label = rows[i].label ? rows[i].label : rows[i].c->name;
        if (rows[i].r.size == -3) continue;
        if (rows[i].r.size < 0) {
            printf("  %-24s failed\n", label);
            continue;
        }
        printf("  %-24s %10ld %+8.3f%% %9.1f %9.1f%s\n", label, rows[i].r.size,
               100.0 * (rows[i].r.size - bound) / bound, rows[i].r.enc_mbs, rows[i].r.dec_mbs,
               rows[i].extra ? "   (payload; + table below)" : "");
    }
    /* Side by side: size ratio counts our table, speed ratio > 1 means we are faster. */
    static const struct {
        int ours, theirs;
        const char *what;
    } pairs[] = {{RANS12, H4X16, "rANS static12 / hts 4x16"},
                 {RANS16, H4X16, "rANS static16 / hts 4x16"},
                 {RANS12, H4X8, "rANS static12 / hts 4x8"},
                 {AD10, ARITH, "adaptive r10 / hts arith"},
                 {NIB, ARITH, "adapt. nibbles / hts arith"},
                 {CNT12, ARITH, "counts w12 / hts arith"},
                 {CNT13, ARITH, "counts w13 / hts arith"},
                 {P20P6, ARITH, "per. w12 k20 p6 / arith"},
                 {P20P8, ARITH, "per. w12 k20 p8 / arith"},
                 {P20P10, ARITH, "per. w12 k20 p10 / arith"},
                 {P12P10, ARITH, "per. w12 k12 p10 / arith"},
                 {P13W20P8, ARITH, "per. w13 k20 p8 / arith"},
                 {MIX7, ARITH, "mix w14+10 p7 / arith"},
                 {MIX8, ARITH, "mix w14+10 p8 / arith"}};
    printf("  ratios (ours / htscodecs)    size     enc speed  dec speed   (our table %ld B at 16 bits, %ld B at 12)\n",
           table, table12);
    for (size_t k = 0; k < sizeof(pairs) / sizeof(pairs[0]); k++) {
        Result *a = &rows[pairs[k].ours].r, *b = &rows[pairs[k].theirs].r;
        if (a->size < 0 || b->size < 0) continue;
        printf("  %-28s %7.4f   %8.2fx  %8.2fx\n", pairs[k].what,
               (double)(a->size + rows[pairs[k].ours].extra) / b->size, a->enc_mbs / b->enc_mbs,
               a->dec_mbs / b->dec_mbs);
    }
    rc_static_free(&m16.m);
    rc_static_free(&m12.m);
}

/* The two adaptive model kinds at 2, 16, 256 and 65536 symbols: the text's bytes
 * folded to n symbols (byte mod n; for 65536, each byte with the one before it). */
typedef struct AlphaCtx {
    unsigned nsyms, rate;
    int counts; /* 1: RCCountModel, 0: RCAdaptiveCdf, 2: RCPeriodicModel */
    unsigned prec, period;
} AlphaCtx;

/* One model of any of the three kinds (a small dispatch: the bench's own). */
typedef struct AlphaModel {
    RCAdaptiveCdf am;
    RCCountModel cm;
    RCPeriodicModel pm;
} AlphaModel;

static int alpha_init(AlphaModel *m, const AlphaCtx *a)
{
    if (a->counts == 2) return rc_periodic_init(&m->pm, a->nsyms, a->rate, a->prec, a->period);
    return a->counts ? rc_count_init(&m->cm, a->nsyms, a->rate) : rc_adaptive_init(&m->am, a->nsyms, a->rate);
}

static void alpha_free(AlphaModel *m, const AlphaCtx *a)
{
    if (a->counts == 2)
        rc_periodic_free(&m->pm);
    else if (a->counts)
        rc_count_free(&m->cm);
    else
        rc_adaptive_free(&m->am);
}

static unsigned alpha_sym(const uint8_t *in, size_t i, unsigned n)
{
    return n == 65536 ? (unsigned)in[i] << 8 | (i ? in[i - 1] : 0) : in[i] % n;
}

static long enc_alpha(const uint8_t *in, size_t n, uint8_t *out, size_t cap, void *ctx)
{
    const AlphaCtx *a = ctx;
    AlphaModel m;
    if (alpha_init(&m, a)) return -1;
    RCEncoder enc;
    rc_enc_init_fixed(&enc, out, cap);
    for (size_t i = 0; i < n; i++) {
        if (a->counts == 2)
            rc_encode_periodic(&enc, &m.pm, alpha_sym(in, i, a->nsyms));
        else if (a->counts)
            rc_encode_count(&enc, &m.cm, alpha_sym(in, i, a->nsyms));
        else
            rc_encode_adaptive(&enc, &m.am, alpha_sym(in, i, a->nsyms));
    }
    alpha_free(&m, a);
    return rc_enc_flush(&enc) ? -1 : (long)enc.size;
}

/* Decodes and compares with the source itself (the round trip's output is unused). */
static int dec_alpha(const uint8_t *in, size_t size, uint8_t *out, size_t n, void *ctx)
{
    const AlphaCtx *a = ctx;
    const uint8_t *src = out; /* run_alpha passes the source here */
    AlphaModel m;
    if (alpha_init(&m, a)) return -1;
    RCDecoder dec;
    rc_dec_init(&dec, in, size);
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned s = a->counts == 2 ? rc_decode_periodic(&dec, &m.pm)
                     : a->counts     ? rc_decode_count(&dec, &m.cm)
                                     : rc_decode_adaptive(&dec, &m.am);
        bad |= s != alpha_sym(src, i, a->nsyms);
    }
    alpha_free(&m, a);
    return bad ? -1 : rc_dec_finish(&dec);
}

static void bench_alphabets(const Buf *text, int reps)
{
    if (!text->size) return;
    printf("\nadaptive models by alphabet size (the text folded to n symbols; Msymbols/s, median of %d)\n", reps);
    printf("  %-6s %-22s %10s %9s %9s\n", "n", "model", "bytes", "enc", "dec");
    static const unsigned sizes[4] = {2, 16, 256, 65536};
    size_t cap = text->size * 3 + 100000;
    uint8_t *out = malloc(cap);
    for (int k = 0; k < 4; k++) {
        /* the AV1-style update is O(n): 65536 symbols get a short input */
        size_t n = sizes[k] == 65536 ? 20000 : text->size;
        /* periodic: 16-bit table rebuilt every 2^8 symbols; 65536 symbols need more
         * precision (20 bits) and a longer period (2^12: a rebuild is O(n)) */
        int wide = sizes[k] == 65536;
        AlphaCtx ctx[5] = {{sizes[k], wide ? 12 : 10, 0, 0, 0},
                           {sizes[k], 12, 1, 0, 0},
                           {sizes[k], 13, 1, 0, 0},
                           {sizes[k], 12, 2, 20, wide ? 12 : 8},
                           {sizes[k], 12, 2, 20, wide ? 14 : 10}};
        const char *label[5] = {"AV1-style CDF rate 10", "counts window 12", "counts window 13",
                                wide ? "periodic w12 k20 p12" : "periodic w12 k20 p8",
                                wide ? "periodic w12 k20 p14" : "periodic w12 k20 p10"};
        if (wide) label[0] = "AV1-style CDF rate 12";
        for (int m = 0; m < 5; m++) {
            double te[MAX_ROUNDS], td[MAX_ROUNDS];
            long size = -1;
            int ok = 1;
            for (int r = 0; r < reps && ok; r++) {
                double t0 = now();
                size = enc_alpha(text->data, n, out, cap, &ctx[m]);
                double t1 = now();
                ok = size > 0 && dec_alpha(out, (size_t)size, text->data, n, &ctx[m]) == 0;
                te[r] = t1 - t0;
                td[r] = now() - t1;
            }
            if (!ok) {
                printf("  %-6u %-22s ROUND TRIP FAILED\n", sizes[k], label[m]);
                continue;
            }
            printf("  %-6u %-22s %10ld %9.1f %9.1f\n", sizes[k], label[m], size, n / median(te, reps) / 1e6,
                   n / median(td, reps) / 1e6);
        }
    }
    free(out);
}

int main(int argc, char **argv)
{
    const char *data = argc > 1 ? argv[1] : NC_SOURCE_ROOT "/data";
    const char *rounds = getenv("BENCH_ENTROPY_ROUNDS");
    int reps = rounds ? atoi(rounds) : 7;
    if (reps < 1 || reps > MAX_ROUNDS) reps = 7;
    setvbuf(stdout, NULL, _IOLBF, 0); /* progress shows when piped to a file */
    rans_set_cpu(0); /* htscodecs' scalar code paths only: the comparison */
    char path[4096];

    Buf text = {0};
    snprintf(path, sizeof(path), "%s/text/train", data);
    for_each_file(path, ".txt", add_text, &text);
    snprintf(path, sizeof(path), "%s/text/test", data);
    for_each_file(path, ".txt", add_text, &text);
    const char *text_name = "text (data/text)";
    if (text.size < (1u << 20)) {
        text.size = 0;
        text_name = "text (/usr/share/common-licenses, repeated to 1 MB)";
        while (text.size < (1u << 20))
            if (!for_each_file("/usr/share/common-licenses", "", add_text, &text)) break;
    }
    bench_one(text_name, &text, reps);
    bench_alphabets(&text, reps);

    Buf photo = {0};
#ifdef HAVE_LIBPNG
    snprintf(path, sizeof(path), "%s/photos/test", data);
    for_each_file(path, ".png", add_png_residuals, &photo);
#endif
    bench_one("photo-res (MED residuals of data/photos/test, grey)", &photo, reps);

    Buf mnist = {0};
    snprintf(path, sizeof(path), "%s/mnist/test-images-idx3-ubyte", data);
    load_mnist(&mnist, path);
    bench_one("mnist-res (left residuals of MNIST test images)", &mnist, reps);

    const char *synth_names[3] = {"synthetic geometric p=0.2", "synthetic uniform",
                                  "synthetic skewed 98%"};
    for (int k = 0; k < 3; k++) {
        Buf s = {0};
        synthetic(&s, k);
        bench_one(synth_names[k], &s, reps);
        free(s.data);
    }
    free(text.data);
    free(photo.data);
    free(mnist.data);
    return 0;
}
