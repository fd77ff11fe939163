/* PSNR and luma by hand; SSIM and MS-SSIM: identity is 1, flat pictures give the
 * luminance term by hand, and both fall monotonically as noise grows. */
#include <math.h>
#include <stdlib.h>

#include "libnc/metric/picture.h"
#include "nc/error.h"
#include "tests/dsp/check.h"
#include "tests/metric/noise.h"

#define W 192
#define H 180

static NCMetricPlane plane(const float *data, int w, int h)
{
    NCMetricPlane p = {data, w, h, w};
    return p;
}

/* A textured test picture with edges and gradients, values in 0..255. */
static void picture(float *p)
{
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            double v = 128 + 60 * sin(x * 0.11) * cos(y * 0.07) + ((x / 24 + y / 24) % 2 ? 40 : -40);
            p[y * W + x] = (float)fmin(255.0, fmax(0.0, v));
        }
}

static void check_hand_values(void)
{
    float a[16], b[16];
    uint8_t rgb[2 * 3] = {255, 255, 255, 0, 0, 0};
    float *luma = NULL, *ch = NULL;
    for (int i = 0; i < 16; i++)
        a[i] = b[i] = (float)(i * 10);
    b[5] += 10.0f; /* mse = 100 / 16 */
    NCMetricPlane pa = plane(a, 4, 4), pb = plane(b, 4, 4);
    CHECK_NEAR(metric_mse(&pa, &pb), 6.25, 1e-12);
    CHECK_NEAR(metric_psnr_from_mse(6.25), 40.17200343523835, 1e-9);
    CHECK(isinf(metric_psnr_from_mse(0.0)));
    CHECK(metric_plane_luma_from_rgb(&luma, rgb, 6, 2, 1) == 0);
    if (luma) {
        CHECK_NEAR(luma[0], 235.0, 1e-3); /* white: studio-range peak */
        CHECK_NEAR(luma[1], 16.0, 1e-6);  /* black */
    }
    uint8_t px[2 * 3] = {1, 2, 3, 4, 5, 6};
    CHECK(metric_plane_from_u8(&ch, px, 6, 2, 1, 3, 1) == 0);
    if (ch)
        CHECK(ch[0] == 2.0f && ch[1] == 5.0f);
    free(luma);
    free(ch);
}

static void check_flat(void)
{
    /* Flat 100 vs flat 110: cs = 1, l = (2*100*110 + C1) / (100^2 + 110^2 + C1). */
    float *a = malloc(W * H * sizeof(float)), *b = malloc(W * H * sizeof(float));
    double v;
    if (!a || !b)
        goto end;
    for (int i = 0; i < W * H; i++) {
        a[i] = 100.0f;
        b[i] = 110.0f;
    }
    NCMetricPlane pa = plane(a, W, H), pb = plane(b, W, H);
    CHECK(metric_ssim(&pa, &pb, &v) == 0);
    CHECK_NEAR(v, 0.9954764440915066, 1e-9);
    /* MS-SSIM: only the last scale's luminance term differs from 1. */
    CHECK(metric_ms_ssim(&pa, &pb, &v) == 0);
    CHECK_NEAR(v, 0.9993958246284796, 1e-9);
end:
    free(a);
    free(b);
}

static void check_monotone(void)
{
    static const double sigmas[] = {0.0, 2.0, 5.0, 10.0, 20.0, 40.0};
    float *a = malloc(W * H * sizeof(float)), *b = malloc(W * H * sizeof(float));
    double last_ssim = 2.0, last_ms = 2.0, last_psnr = INFINITY;
    if (!a || !b)
        goto end;
    picture(a);
    for (size_t s = 0; s < sizeof(sigmas) / sizeof(*sigmas); s++) {
        uint64_t st = 99; /* the same noise pattern, scaled */
        double ssim, ms, psnr;
        for (int i = 0; i < W * H; i++)
            b[i] = (float)(a[i] + sigmas[s] * test_gauss(&st));
        NCMetricPlane pa = plane(a, W, H), pb = plane(b, W, H);
        CHECK(metric_ssim(&pa, &pb, &ssim) == 0);
        CHECK(metric_ms_ssim(&pa, &pb, &ms) == 0);
        psnr = metric_psnr_from_mse(metric_mse(&pa, &pb));
        if (s == 0) {
            CHECK_NEAR(ssim, 1.0, 1e-12);
            CHECK_NEAR(ms, 1.0, 1e-12);
        } else {
            CHECK(ssim < last_ssim);
            CHECK(ms < last_ms);
            CHECK(psnr < last_psnr);
            CHECK(ssim > 0.0 && ms > 0.0);
        }
        last_ssim = ssim;
        last_ms = ms;
        last_psnr = psnr;
    }
    CHECK(last_ssim < 0.5);
    /* Sizes: different sizes, and too small for the window or for 5 scales. */
    double v;
    NCMetricPlane pa = plane(a, W, H), small = plane(a, 10, 10), mid = plane(a, 100, 100);
    NCMetricPlane other = plane(b, W - 1, H);
    CHECK(metric_ssim(&pa, &other, &v) == NC_EINVAL);
    CHECK(metric_ssim(&small, &small, &v) == NC_EINVAL);
    CHECK(metric_ms_ssim(&mid, &mid, &v) == NC_EINVAL);
    CHECK(metric_ssim(&mid, &mid, &v) == 0 && fabs(v - 1.0) < 1e-12);
end:
    free(a);
    free(b);
}

/* SSIM and MS-SSIM of two 192x192 pictures against the same definitions written
 * with torch.nn.functional.conv2d / avg_pool2d (Debian's python3-torch 1.13,
 * float64), as in pytorch_msssim; 192 halves evenly, so the pooling agrees. */
static void check_torch_reference(void)
{
    enum { S = 192 };
    float *a = malloc(S * S * sizeof(float)), *b = malloc(S * S * sizeof(float));
    double v;
    if (!a || !b)
        goto end;
    for (int y = 0; y < S; y++)
        for (int x = 0; x < S; x++) {
            double va = 128 + 60 * sin(x * 0.11) * cos(y * 0.07) + ((x / 24 + y / 24) % 2 ? 40 : -40);
            va = fmin(255.0, fmax(0.0, va));
            double vb = fmin(255.0, fmax(0.0, va + 25 * sin(x * 1.7 + y * 2.3) * cos(x * 0.3)));
            a[y * S + x] = (float)va;
            b[y * S + x] = (float)vb;
        }
    NCMetricPlane pa = plane(a, S, S), pb = plane(b, S, S);
    CHECK(metric_ssim(&pa, &pb, &v) == 0);
    CHECK_NEAR(v, 0.666828115351, 1e-6);
    CHECK(metric_ms_ssim(&pa, &pb, &v) == 0);
    CHECK_NEAR(v, 0.977983179140, 1e-6);
    CHECK_NEAR(metric_psnr_from_mse(metric_mse(&pa, &pb)), 26.144420111017, 1e-6);
end:
    free(a);
    free(b);
}

int main(void)
{
    check_hand_values();
    check_torch_reference();
    check_flat();
    check_monotone();
    return nc_test_result(__FILE__);
}
