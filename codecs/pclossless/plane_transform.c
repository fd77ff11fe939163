/* pclossless input transforms (plane_transform.h, spec §3.1): byte-exact colour
 * decorrelation and the LOCO-I median edge predictor. */
#include <string.h>

#include "codecs/pclossless/plane_transform.h"

int pc_transform_parse(const char *name)
{
    if (!name || !strcmp(name, "pixels")) return PC_TRANSFORM_PIXELS;
    if (!strcmp(name, "residual")) return PC_TRANSFORM_RESIDUAL;
    return -1;
}

const char *pc_transform_name(int transform)
{
    return transform == PC_TRANSFORM_RESIDUAL ? "residual" : "pixels";
}

int pc_med_predict(const uint8_t *p, int w, int x, int y)
{
    if (y == 0) return x == 0 ? 0 : p[x - 1];
    const uint8_t *row = p + (size_t)y * (size_t)w, *up = row - w;
    if (x == 0) return up[0];
    int a = row[x - 1], b = up[x], c = up[x - 1];
    int mx = a > b ? a : b, mn = a > b ? b : a;
    if (c >= mx) return mn;
    if (c <= mn) return mx;
    return a + b - c;
}

void pc_med_residual(const uint8_t *p, uint8_t *r, int w, int h)
{
    /* Backwards, so that r == p works: a prediction reads only earlier samples. */
    for (int y = h - 1; y >= 0; y--)
        for (int x = w - 1; x >= 0; x--) {
            size_t i = (size_t)y * (size_t)w + (size_t)x;
            r[i] = (uint8_t)(p[i] - pc_med_predict(p, w, x, y) + 128);
        }
}

void pc_med_reconstruct(const uint8_t *r, uint8_t *p, int w, int h)
{
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            size_t i = (size_t)y * (size_t)w + (size_t)x;
            p[i] = (uint8_t)(r[i] + pc_med_predict(p, w, x, y) - 128);
        }
}

void pc_image_to_planes(int transform, const uint8_t *src, ptrdiff_t linesize, int channels,
                        int w, int h, uint8_t *planes)
{
    size_t n = (size_t)w * (size_t)h;
    for (int y = 0; y < h; y++) {
        const uint8_t *s = src + (ptrdiff_t)y * linesize;
        size_t o = (size_t)y * (size_t)w;
        for (int x = 0; x < w; x++, s += channels) {
            if (channels == 3 && transform == PC_TRANSFORM_RESIDUAL) {
                planes[o + x] = s[1];
                planes[n + o + x] = (uint8_t)(s[0] - s[1] + 128);
                planes[2 * n + o + x] = (uint8_t)(s[2] - s[1] + 128);
            } else {
                for (int c = 0; c < channels; c++) planes[c * n + o + x] = s[c];
            }
        }
    }
    if (transform == PC_TRANSFORM_RESIDUAL)
        for (int c = 0; c < channels; c++) pc_med_residual(planes + c * n, planes + c * n, w, h);
}

void pc_planes_to_image(int transform, uint8_t *planes, int channels, int w, int h,
                        uint8_t *dst, ptrdiff_t linesize)
{
    size_t n = (size_t)w * (size_t)h;
    if (transform == PC_TRANSFORM_RESIDUAL)
        for (int c = 0; c < channels; c++)
            pc_med_reconstruct(planes + c * n, planes + c * n, w, h);
    for (int y = 0; y < h; y++) {
        uint8_t *d = dst + (ptrdiff_t)y * linesize;
        size_t o = (size_t)y * (size_t)w;
        for (int x = 0; x < w; x++, d += channels) {
            if (channels == 3 && transform == PC_TRANSFORM_RESIDUAL) {
                uint8_t g = planes[o + x];
                d[0] = (uint8_t)(planes[n + o + x] + g - 128);
                d[1] = g;
                d[2] = (uint8_t)(planes[2 * n + o + x] + g - 128);
            } else {
                for (int c = 0; c < channels; c++) d[c] = planes[c * n + o + x];
            }
        }
    }
}
