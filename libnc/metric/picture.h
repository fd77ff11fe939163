/* Picture quality on 8-bit content held as float planes (values 0..255):
 * PSNR, SSIM (Wang et al., 2004) and MS-SSIM (Wang et al., 2003).
 *
 * SSIM: 11x11 Gaussian window (sigma 1.5), K1 = 0.01, K2 = 0.03, L = 255, computed
 * where the window fits ("valid"), averaged over those positions; sums in double.
 * MS-SSIM: 5 scales with weights 0.0448, 0.2856, 0.3001, 0.2363, 0.1333; between
 * scales a 2x2 box average halves the plane (an odd last row/column is dropped);
 * contrast-structure terms below zero count as zero (as pytorch_msssim does). It
 * needs the smaller side >= 176 pixels (the window must fit at the 5th scale). */
#ifndef NC_METRIC_PICTURE_H
#define NC_METRIC_PICTURE_H

#include <stdint.h>

typedef struct NCMetricPlane {
    const float *data;
    int width, height;
    int stride; /* floats per row */
} NCMetricPlane;

/* Channel `channel` of 8-bit pixels with pixel_stride bytes per pixel (1 for a
 * plane, 3 for RGB24) into a new width x height float plane (*out, free()). */
int metric_plane_from_u8(float **out, const uint8_t *src, int linesize, int width,
                            int height, int pixel_stride, int channel);
/* BT.601 studio-range luma of RGB24, unrounded: 16 + (65.481 R + 128.553 G +
 * 24.966 B) / 255, what YUV420P conversion would store before rounding. */
int metric_plane_luma_from_rgb(float **out, const uint8_t *rgb, int linesize, int width,
                                  int height);

/* Mean squared error; both planes the same size. */
double metric_mse(const NCMetricPlane *a, const NCMetricPlane *b);
/* 10 log10(255^2 / mse); +INFINITY for identical planes. */
double metric_psnr_from_mse(double mse);

/* Mean SSIM into *out. NC_EINVAL when sizes differ or a side is below 11. */
int metric_ssim(const NCMetricPlane *a, const NCMetricPlane *b, double *out);
/* MS-SSIM into *out. NC_EINVAL when sizes differ or a side is below 176. */
int metric_ms_ssim(const NCMetricPlane *a, const NCMetricPlane *b, double *out);

#endif
