/* CDF 9/7 lifting (Daubechies and Sweldens' factorization, the coefficients of
 * JPEG 2000 Part 1, Annex F) and the packet transforms built from it. */
#include <string.h>

#include "libnc/dsp/wavelet.h"
/* The lifting steps are element-wise float operations in a fixed order, so every
 * version NN_SIMD_CLONES makes of them gives the same bits. */
#include "libnc/nn/simd.h"
#include "nc/error.h"

#define LIFT_A (-1.586134342059924f)
#define LIFT_B (-0.052980118572961f)
#define LIFT_C 0.882911075530934f
#define LIFT_D 0.443506852043971f
/* sqrt(2) / K and K / sqrt(2), K = 1.230174104914001: DC gain sqrt(2). */
#define GAIN_LOW 1.1496043988602418f
#define GAIN_HIGH 0.86986445162478127f

static int clamp(int i, int n)
{
    return i < 0 ? 0 : i >= n ? n - 1 : i;
}

/* Adds c * (from[a] + from[b]) to each element of to, element k of m floats.
 * Element i of `to` reads `from` at i + lo and i + hi, clamped to [0, nfrom):
 * the clamping is the whole-sample symmetric extension. The interior, where no
 * clamping happens, runs without it (and as a plain loop for m = 1). */
NN_SIMD_CLONES
static void lift(float *to, int nto, const float *from, int nfrom, int m, int lo, int hi,
                 float c)
{
    int start = -lo > 0 ? -lo : 0, end = nfrom - hi < nto ? nfrom - hi : nto;
    if (end < start) end = start;
    for (int i = 0; i < nto; i++) {
        if (i == start && m == 1) {
            for (; i < end; i++) to[i] += c * (from[i + lo] + from[i + hi]);
            if (i >= nto) break;
        }
        int a = i >= start && i < end ? i + lo : clamp(i + lo, nfrom);
        int b = i >= start && i < end ? i + hi : clamp(i + hi, nfrom);
        const float *fa = from + (size_t)a * m, *fb = from + (size_t)b * m;
        float *t = to + (size_t)i * m;
        for (int k = 0; k < m; k++) t[k] += c * (fa[k] + fb[k]);
    }
}

NN_SIMD_CLONES
static void scale(float *x, size_t n, float c)
{
    for (size_t i = 0; i < n; i++) x[i] *= c;
}

/* s = even elements (ns), d = odd ones (nd): x[2i] = s[i], x[2i+1] = d[i], so
 * d[i] sits between s[i] and s[i+1], and s[i] between d[i-1] and d[i]. */
static void lifting_forward(float *s, int ns, float *d, int nd, int m)
{
    lift(d, nd, s, ns, m, 0, 1, LIFT_A);
    lift(s, ns, d, nd, m, -1, 0, LIFT_B);
    lift(d, nd, s, ns, m, 0, 1, LIFT_C);
    lift(s, ns, d, nd, m, -1, 0, LIFT_D);
    scale(s, (size_t)ns * m, GAIN_LOW);
    scale(d, (size_t)nd * m, GAIN_HIGH);
}

static void lifting_inverse(float *s, int ns, float *d, int nd, int m)
{
    scale(s, (size_t)ns * m, 1.0f / GAIN_LOW);
    scale(d, (size_t)nd * m, 1.0f / GAIN_HIGH);
    lift(s, ns, d, nd, m, -1, 0, -LIFT_D);
    lift(d, nd, s, ns, m, 0, 1, -LIFT_C);
    lift(s, ns, d, nd, m, -1, 0, -LIFT_B);
    lift(d, nd, s, ns, m, 0, 1, -LIFT_A);
}

/* One lifting step on one element of m floats, t += c * (a + b), and the gain,
 * out = x * g: the same float operations as lift() and scale(). */
static inline __attribute__((always_inline)) void lift_one(float *t, const float *a, const float *b,
                                                           int m, float c)
{
    for (int k = 0; k < m; k++)
        t[k] += c * (a[k] + b[k]);
}

static inline __attribute__((always_inline)) void scale_one(float *out, const float *x, int m,
                                                            float g)
{
    for (int k = 0; k < m; k++)
        out[k] = x[k] * g;
}

/* lifting_forward for an even count (ns = nd = h) of elements of m floats that
 * lie interleaved in x (s[i] at element 2i, d[i] at 2i + 1, es floats apart):
 * the four steps and the gains run in one sweep, each step a few elements behind
 * the one before (the step it reads from is done there), in place in x, and the
 * gains write the results to out (os floats apart), s then d. Each element goes
 * through the same operations in the same order as in lifting_forward (same
 * bits), but x is read once from memory instead of six times and is not first
 * copied apart. */
NN_SIMD_CLONES
static void analyze_rows(float *x, int h, int m, ptrdiff_t es, float *out, ptrdiff_t os)
{
#define S(i)   (x + (ptrdiff_t)(2 * (i)) * es)
#define D(i)   (x + (ptrdiff_t)(2 * (i) + 1) * es)
#define OUT(i) (out + (ptrdiff_t)(i)*os)
    for (int i = 0; i < h; i++) {
        lift_one(D(i), S(i), S(i + 1 < h ? i + 1 : h - 1), m, LIFT_A);
        lift_one(S(i), D(i > 0 ? i - 1 : 0), D(i), m, LIFT_B);
        if (i == 0) continue;
        lift_one(D(i - 1), S(i - 1), S(i), m, LIFT_C);
        lift_one(S(i - 1), D(i > 1 ? i - 2 : 0), D(i - 1), m, LIFT_D);
        scale_one(OUT(i - 1), S(i - 1), m, GAIN_LOW);
        if (i > 1) scale_one(OUT(h + i - 2), D(i - 2), m, GAIN_HIGH);
    }
    lift_one(D(h - 1), S(h - 1), S(h - 1), m, LIFT_C);
    lift_one(S(h - 1), D(h > 1 ? h - 2 : 0), D(h - 1), m, LIFT_D);
    scale_one(OUT(h - 1), S(h - 1), m, GAIN_LOW);
    if (h > 1) scale_one(OUT(2 * h - 2), D(h - 2), m, GAIN_HIGH);
    scale_one(OUT(2 * h - 1), D(h - 1), m, GAIN_HIGH);
#undef S
#undef D
#undef OUT
}

/* lifting_forward for one contiguous line of even length n = 2h: the first step
 * reads x directly as it splits it (d[i] from x[2i + 1], x[2i] and x[2i + 2]),
 * and the gains write the result back to x, so that neither needs a pass of its
 * own. The other steps are lift()'s for m = 1 written out, the clamped ends
 * apart, as loops over disjoint s and d that vectorize: the rows of the packet
 * transform are short (64 to 256 samples for walloc), where lift()'s set-up
 * per call cost as much as its work. Same operations per sample as
 * lifting_forward. */
NN_SIMD_CLONES
static void analyze_line(float *x, int h, float *tmp)
{
    float *restrict s = tmp, *restrict d = tmp + h;
    for (int i = 0; i < h - 1; i++) {
        s[i] = x[2 * i];
        d[i] = x[2 * i + 1] + LIFT_A * (x[2 * i] + x[2 * i + 2]);
    }
    s[h - 1] = x[2 * h - 2];
    d[h - 1] = x[2 * h - 1] + LIFT_A * (x[2 * h - 2] + x[2 * h - 2]);
    s[0] += LIFT_B * (d[0] + d[0]);
    for (int i = 1; i < h; i++) s[i] += LIFT_B * (d[i - 1] + d[i]);
    for (int i = 0; i < h - 1; i++) d[i] += LIFT_C * (s[i] + s[i + 1]);
    d[h - 1] += LIFT_C * (s[h - 1] + s[h - 1]);
    s[0] += LIFT_D * (d[0] + d[0]);
    for (int i = 1; i < h; i++) s[i] += LIFT_D * (d[i - 1] + d[i]);
    for (int i = 0; i < h; i++)
        x[i] = s[i] * GAIN_LOW;
    for (int i = 0; i < h; i++)
        x[h + i] = d[i] * GAIN_HIGH;
}

void nc_cdf97_analyze(float *x, int n, int m, ptrdiff_t es, float *tmp)
{
    if (n < 2) return;
    if (m == 1 && es == 1 && !(n & 1)) {
        analyze_line(x, n / 2, tmp);
        return;
    }
    if (m > 1 && !(n & 1)) {
        analyze_rows(x, n / 2, m, es, tmp, m);
        for (int i = 0; i < n; i++)
            memcpy(x + i * es, tmp + (size_t)i * m, (size_t)m * sizeof(float));
        return;
    }
    int ns = (n + 1) / 2, nd = n / 2;
    size_t row = (size_t)m * sizeof(float);
    float *s = tmp, *d = tmp + (size_t)ns * m;
    if (m == 1 && es == 1) {
        for (int i = 0; i < nd; i++) s[i] = x[2 * i], d[i] = x[2 * i + 1];
        if (ns > nd) s[nd] = x[n - 1];
    } else {
        for (int i = 0; i < n; i++)
            memcpy((i & 1 ? d + (size_t)(i / 2) * m : s + (size_t)(i / 2) * m), x + i * es, row);
    }
    lifting_forward(s, ns, d, nd, m);
    if (m == 1 && es == 1) {
        memcpy(x, tmp, (size_t)n * sizeof(float));
        return;
    }
    for (int i = 0; i < n; i++) memcpy(x + i * es, tmp + (size_t)i * m, row);
}

void nc_cdf97_synthesize(float *x, int n, int m, ptrdiff_t es, float *tmp)
{
    if (n < 2) return;
    int ns = (n + 1) / 2, nd = n / 2;
    size_t row = (size_t)m * sizeof(float);
    float *s = tmp, *d = tmp + (size_t)ns * m;
    if (m == 1 && es == 1) {
        memcpy(tmp, x, (size_t)n * sizeof(float));
        lifting_inverse(s, ns, d, nd, m);
        for (int i = 0; i < nd; i++) x[2 * i] = s[i], x[2 * i + 1] = d[i];
        if (ns > nd) x[n - 1] = s[nd];
        return;
    }
    for (int i = 0; i < n; i++) memcpy(tmp + (size_t)i * m, x + i * es, row);
    lifting_inverse(s, ns, d, nd, m);
    for (int i = 0; i < n; i++)
        memcpy(x + i * es, (i & 1 ? d + (size_t)(i / 2) * m : s + (size_t)(i / 2) * m), row);
}

static int check_size(int n, int levels)
{
    if (levels < 0 || levels > NC_WPT_MAX_LEVELS || n <= 0 || n % (1 << levels)) return NC_EINVAL;
    return 0;
}

int nc_wpt1d_forward(float *x, int n, int levels, float *tmp)
{
    int ret = check_size(n, levels);
    if (ret < 0) return ret;
    for (int l = 0; l < levels; l++) {
        int bn = n >> l;
        for (int b = 0; b < 1 << l; b++) nc_cdf97_analyze(x + (size_t)b * bn, bn, 1, 1, tmp);
    }
    return 0;
}

int nc_wpt1d_inverse(float *x, int n, int levels, float *tmp)
{
    int ret = check_size(n, levels);
    if (ret < 0) return ret;
    for (int l = levels - 1; l >= 0; l--) {
        int bn = n >> l;
        for (int b = 0; b < 1 << l; b++) nc_cdf97_synthesize(x + (size_t)b * bn, bn, 1, 1, tmp);
    }
    return 0;
}

/* Moves the 2^levels x 2^levels grid of blocks of a plane (the in-place result
 * of the levels) in grid to band-major order in bands, or back. */
static void regroup(float *grid_plane, float *bands, int w, int h, int levels, int to_bands)
{
    int g = 1 << levels, bw = w >> levels, bh = h >> levels;
    size_t row = (size_t)bw * sizeof(float);
    for (int by = 0; by < g; by++)
        for (int bx = 0; bx < g; bx++)
            for (int r = 0; r < bh; r++) {
                float *grid = grid_plane + (size_t)(by * bh + r) * w + (size_t)bx * bw;
                float *band = bands + ((size_t)(by * g + bx) * bh + r) * bw;
                if (to_bands)
                    memcpy(band, grid, row);
                else
                    memcpy(grid, band, row);
            }
}

/* Each level's column pass reads one of x and tmp and writes the other (the
 * sweep's output), so no level copies its result back; the row pass of the next
 * level runs there, with the other buffer as its scratch, and the regrouping
 * writes the last level's result from where it is to x. */
int nc_wpt2d_forward(float *x, int w, int h, int levels, float *tmp)
{
    int ret = check_size(w, levels);
    if (ret >= 0) ret = check_size(h, levels);
    if (ret < 0) return ret;
    float *in = x, *out = tmp;
    for (int l = 0; l < levels; l++) {
        /* check_size: bw and bh are even here */
        int bw = w >> l, bh = h >> l;
        for (int by = 0; by < 1 << l; by++)
            for (int bx = 0; bx < 1 << l; bx++) {
                size_t at = (size_t)by * bh * w + (size_t)bx * bw;
                /* scratch: the block's first row in out, which only its own
                 * column pass writes, after */
                for (int r = 0; r < bh; r++)
                    analyze_line(in + at + (size_t)r * w, bw / 2, out + at);
                analyze_rows(in + at, bh / 2, bw, w, out + at, w);
            }
        float *t = in;
        in = out, out = t;
    }
    if (!levels) return 0;
    if (in == x) {
        regroup(x, tmp, w, h, levels, 1);
        memcpy(x, tmp, (size_t)w * h * sizeof(float));
    } else {
        regroup(tmp, x, w, h, levels, 1);
    }
    return 0;
}

int nc_wpt2d_inverse(float *x, int w, int h, int levels, float *tmp)
{
    int ret = check_size(w, levels);
    if (ret >= 0) ret = check_size(h, levels);
    if (ret < 0) return ret;
    if (levels) {
        memcpy(tmp, x, (size_t)w * h * sizeof(float));
        regroup(x, tmp, w, h, levels, 0);
    }
    for (int l = levels - 1; l >= 0; l--) {
        int bw = w >> l, bh = h >> l;
        for (int by = 0; by < 1 << l; by++)
            for (int bx = 0; bx < 1 << l; bx++) {
                float *block = x + (size_t)by * bh * w + (size_t)bx * bw;
                nc_cdf97_synthesize(block, bh, bw, w, tmp);
                for (int r = 0; r < bh; r++)
                    nc_cdf97_synthesize(block + (size_t)r * w, bw, 1, 1, tmp);
            }
    }
    return 0;
}
