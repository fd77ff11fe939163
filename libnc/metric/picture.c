#include "libnc/metric/picture.h"

#include <math.h>
#include <stdlib.h>

#include "nc/error.h"

#define WIN 11
#define SIGMA 1.5
#define C1 ((0.01 * 255) * (0.01 * 255))
#define C2 ((0.03 * 255) * (0.03 * 255))
#define MS_SCALES 5
#define MS_MIN_SIDE (WIN << (MS_SCALES - 1))

static const double ms_weights[MS_SCALES] = {0.0448, 0.2856, 0.3001, 0.2363, 0.1333};

int metric_plane_from_u8(float **out, const uint8_t *src, int linesize, int width,
                            int height, int pixel_stride, int channel)
{
    float *p;
    *out = NULL;
    if (width < 1 || height < 1 || pixel_stride < 1 || channel < 0 || channel >= pixel_stride)
        return NC_EINVAL;
    p = malloc((size_t)width * (size_t)height * sizeof(*p));
    if (!p)
        return NC_ENOMEM;
    for (int y = 0; y < height; y++) {
        const uint8_t *row = src + (ptrdiff_t)y * linesize + channel;
        for (int x = 0; x < width; x++)
            p[(size_t)y * width + x] = row[(ptrdiff_t)x * pixel_stride];
    }
    *out = p;
    return 0;
}

int metric_plane_luma_from_rgb(float **out, const uint8_t *rgb, int linesize, int width,
                                  int height)
{
    float *p;
    *out = NULL;
    if (width < 1 || height < 1)
        return NC_EINVAL;
    p = malloc((size_t)width * (size_t)height * sizeof(*p));
    if (!p)
        return NC_ENOMEM;
    for (int y = 0; y < height; y++) {
        const uint8_t *row = rgb + (ptrdiff_t)y * linesize;
        for (int x = 0; x < width; x++) {
            const uint8_t *px = row + 3 * x;
            p[(size_t)y * width + x] =
                (float)(16.0 + (65.481 * px[0] + 128.553 * px[1] + 24.966 * px[2]) / 255.0);
        }
    }
    *out = p;
    return 0;
}

double metric_mse(const NCMetricPlane *a, const NCMetricPlane *b)
{
    double acc = 0.0;
    for (int y = 0; y < a->height; y++) {
        const float *ra = a->data + (size_t)y * a->stride, *rb = b->data + (size_t)y * b->stride;
        for (int x = 0; x < a->width; x++) {
            double d = (double)ra[x] - rb[x];
            acc += d * d;
        }
    }
    return acc / ((double)a->width * a->height);
}

double metric_psnr_from_mse(double mse)
{
    return mse > 0.0 ? 10.0 * log10(255.0 * 255.0 / mse) : INFINITY;
}

static void gaussian(double *g)
{
    double sum = 0.0;
    for (int i = 0; i < WIN; i++) {
        double t = i - WIN / 2;
        g[i] = exp(-t * t / (2.0 * SIGMA * SIGMA));
        sum += g[i];
    }
    for (int i = 0; i < WIN; i++)
        g[i] /= sum;
}

/* Mean SSIM and mean contrast-structure term over the valid window positions.
 * Rows are filtered horizontally into a ring of WIN rows per moment, then
 * vertically, so memory stays O(width). */
static int ssim_stats(const NCMetricPlane *a, const NCMetricPlane *b, double *ssim,
                      double *cs)
{
    int ow = a->width - WIN + 1, oh = a->height - WIN + 1;
    double g[WIN], *ring, sum_ssim = 0.0, sum_cs = 0.0;
    if (a->width != b->width || a->height != b->height || ow < 1 || oh < 1)
        return NC_EINVAL;
    gaussian(g);
    /* 5 moments (a, b, a^2, b^2, ab) x WIN rows x ow columns */
    ring = malloc((size_t)5 * WIN * (size_t)ow * sizeof(*ring));
    if (!ring)
        return NC_ENOMEM;
    for (int y = 0; y < a->height; y++) {
        const float *ra = a->data + (size_t)y * a->stride, *rb = b->data + (size_t)y * b->stride;
        double *row = ring + (size_t)(y % WIN) * 5 * ow;
        for (int x = 0; x < ow; x++) {
            double m[5] = {0, 0, 0, 0, 0};
            for (int i = 0; i < WIN; i++) {
                double va = ra[x + i], vb = rb[x + i];
                m[0] += g[i] * va;
                m[1] += g[i] * vb;
                m[2] += g[i] * va * va;
                m[3] += g[i] * vb * vb;
                m[4] += g[i] * va * vb;
            }
            for (int k = 0; k < 5; k++)
                row[(size_t)k * ow + x] = m[k];
        }
        if (y < WIN - 1)
            continue;
        for (int x = 0; x < ow; x++) {
            double m[5] = {0, 0, 0, 0, 0};
            for (int i = 0; i < WIN; i++) {
                const double *r = ring + (size_t)((y - WIN + 1 + i) % WIN) * 5 * ow;
                for (int k = 0; k < 5; k++)
                    m[k] += g[i] * r[(size_t)k * ow + x];
            }
            double va = m[2] - m[0] * m[0], vb = m[3] - m[1] * m[1], cov = m[4] - m[0] * m[1];
            double c = (2.0 * cov + C2) / (va + vb + C2);
            double l = (2.0 * m[0] * m[1] + C1) / (m[0] * m[0] + m[1] * m[1] + C1);
            sum_cs += c;
            sum_ssim += l * c;
        }
    }
    free(ring);
    *ssim = sum_ssim / ((double)ow * oh);
    *cs = sum_cs / ((double)ow * oh);
    return 0;
}

int metric_ssim(const NCMetricPlane *a, const NCMetricPlane *b, double *out)
{
    double cs;
    return ssim_stats(a, b, out, &cs);
}

/* 2x2 box average into a new plane of half the size (odd edges dropped). */
static float *halve(const NCMetricPlane *p, NCMetricPlane *out)
{
    int w = p->width / 2, h = p->height / 2;
    float *d = malloc((size_t)w * (size_t)h * sizeof(*d));
    if (!d)
        return NULL;
    for (int y = 0; y < h; y++) {
        const float *r0 = p->data + (size_t)(2 * y) * p->stride, *r1 = r0 + p->stride;
        for (int x = 0; x < w; x++)
            d[(size_t)y * w + x] = 0.25f * (r0[2 * x] + r0[2 * x + 1] + r1[2 * x] + r1[2 * x + 1]);
    }
    out->data = d;
    out->width = w;
    out->height = h;
    out->stride = w;
    return d;
}

int metric_ms_ssim(const NCMetricPlane *a, const NCMetricPlane *b, double *out)
{
    NCMetricPlane pa = *a, pb = *b;
    float *own_a = NULL, *own_b = NULL;
    double result = 1.0;
    int err = 0;
    if (a->width != b->width || a->height != b->height || a->width < MS_MIN_SIDE ||
        a->height < MS_MIN_SIDE)
        return NC_EINVAL;
    for (int s = 0; s < MS_SCALES; s++) {
        double ssim, cs;
        err = ssim_stats(&pa, &pb, &ssim, &cs);
        if (err)
            break;
        double term = s == MS_SCALES - 1 ? ssim : cs;
        result *= pow(term > 0.0 ? term : 0.0, ms_weights[s]);
        if (s < MS_SCALES - 1) {
            NCMetricPlane na, nb;
            float *da = halve(&pa, &na), *db = halve(&pb, &nb);
            free(own_a);
            free(own_b);
            own_a = da;
            own_b = db;
            if (!da || !db) {
                err = NC_ENOMEM;
                break;
            }
            pa = na;
            pb = nb;
        }
    }
    free(own_a);
    free(own_b);
    if (!err)
        *out = result;
    return err;
}
