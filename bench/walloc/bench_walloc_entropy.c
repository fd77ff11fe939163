/* What the context modelling of walloc's latents buys, in bits: for each quality,
 * over the given PGM/PPM pictures, the coded size against the empirical entropy
 * of the latents under models of growing context (ideal, fitted to the data
 * with no cost for their tables, so lower bounds for static models of that kind):
 *   order 0 per channel   a factorized per-channel model (what WaLLoC's paper and
 *                         "learned per-channel entropy models" assume)
 *   + spatial context      conditioned on the spatial bucket (spec §4)
 *   + cross-channel        conditioned on both buckets
 *   coded                  the actual adaptive coder (learns as it goes)
 *
 *   bench_walloc_entropy [-m MODEL.ncm] IMAGE.ppm|pgm...   (default: walloc-photo) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/pclossless/pc_image_files.h"
#include "codecs/walloc/walloc.h"

#define VALUES 511 /* -255..255, larger magnitudes clamped (rare) */

static int clampv(int32_t v) { return v < -255 ? 0 : v > 255 ? VALUES - 1 : v + 255; }
static int m15(int32_t v) { int a = v < 0 ? -v : v; return a > 15 ? 15 : a; }

static int spatial(const int32_t *q, int w, int x, int y)
{
    int s = 2 * (x ? m15(q[y * w + x - 1]) : 0) + 2 * (y ? m15(q[(y - 1) * w + x]) : 0) +
            (x && y ? m15(q[(y - 1) * w + x - 1]) : 0) + (y && x + 1 < w ? m15(q[(y - 1) * w + x + 1]) : 0);
    return s == 0 ? 0 : s <= 2 ? 1 : s <= 5 ? 2 : s <= 10 ? 3 : s <= 20 ? 4 : 5;
}

static int cross(const int32_t *p, int w, int h, int x, int y)
{
    if (!p) return 0;
    int s = 2 * m15(p[y * w + x]) + (x ? m15(p[y * w + x - 1]) : 0) + (x + 1 < w ? m15(p[y * w + x + 1]) : 0) +
            (y ? m15(p[(y - 1) * w + x]) : 0) + (y + 1 < h ? m15(p[(y + 1) * w + x]) : 0);
    return s == 0 ? 0 : s <= 3 ? 1 : 2;
}

/* Sum over contexts of n * H(value | context), counts[ctx][VALUES]. */
static double entropy_bits(const uint32_t *counts, int contexts)
{
    double bits = 0;
    for (int c = 0; c < contexts; c++) {
        const uint32_t *k = counts + (size_t)c * VALUES;
        double n = 0;
        for (int v = 0; v < VALUES; v++) n += k[v];
        for (int v = 0; v < VALUES; v++)
            if (k[v]) bits -= k[v] * log2(k[v] / n);
    }
    return bits;
}

int main(int argc, char **argv)
{
    const char *model = NULL;
    int first = 1;
    if (argc > 2 && !strcmp(argv[1], "-m")) model = argv[2], first = 3;
    WallocContext wc = {0};
    if (walloc_open(&wc, NULL, WALLOC_DEFAULT_MODEL, model, NULL, 0) < 0) return 1;
    static const int qualities[] = {8, 24, 40, 56, 72};
    printf("| quality | order 0 per channel | + spatial context | + cross-channel | coded (adaptive) |\n");
    printf("| --- | --- | --- | --- | --- |\n");
    for (int qi = 0; qi < 5; qi++) {
        double pixels = 0, coded = 0, h0 = 0, h1 = 0, h2 = 0;
        for (int i = first; i < argc; i++) {
            uint8_t *img;
            int w, h, ch, bw, bh;
            if (pc_read_pnm(argv[i], &img, &w, &h, &ch) < 0) return 1;
            RCEncoder enc;
            rc_enc_init(&enc);
            if (walloc_encode_image(&wc, &enc, img, (ptrdiff_t)w * ch, ch, w, h, qualities[qi],
                                    WALLOC_IMAGE_DEADZONE, WALLOC_DEFAULT_LAMBDA) < 0 ||
                rc_enc_flush(&enc) < 0)
                return 1;
            walloc_band_size(wc.shape.levels, w, h, &bw, &bh);
            size_t n = (size_t)bw * bh;
            uint32_t *c0 = calloc(VALUES, 4), *c1 = calloc(6 * VALUES, 4), *c2 = calloc(18 * VALUES, 4);
            for (int c = 0; c < wc.shape.latents; c++) {
                const int32_t *q = wc.q + c * n, *p = c ? q - n : NULL;
                memset(c0, 0, VALUES * 4), memset(c1, 0, 6 * VALUES * 4), memset(c2, 0, 18 * VALUES * 4);
                for (int y = 0; y < bh; y++)
                    for (int x = 0; x < bw; x++) {
                        int v = clampv(q[y * bw + x]), sb = spatial(q, bw, x, y), pb = cross(p, bw, bh, x, y);
                        c0[v]++, c1[sb * VALUES + v]++, c2[(sb * 3 + pb) * VALUES + v]++;
                    }
                h0 += entropy_bits(c0, 1), h1 += entropy_bits(c1, 6), h2 += entropy_bits(c2, 18);
            }
            pixels += (double)w * h;
            coded += 8.0 * enc.size;
            free(c0), free(c1), free(c2), free(img);
            rc_enc_free(&enc);
        }
        printf("| %d | %.4f bpp | %.4f bpp | %.4f bpp | %.4f bpp |\n", qualities[qi], h0 / pixels,
               h1 / pixels, h2 / pixels, coded / pixels);
    }
    walloc_close(&wc);
    return 0;
}
