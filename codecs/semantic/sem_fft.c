/* A deterministic 1024-point real FFT (sem_fft.h): a 512-point complex radix-2
 * FFT on the even and odd samples, then the split that makes the real spectrum. */
#include <math.h>
#include <string.h>

#include "codecs/semantic/sem_fft.h"

#define N SEM_FFT_N
#define H (SEM_FFT_N / 2)

void sem_fft_init(SemFFT *f)
{
    /* cos and sin of 2 pi 2^b / N for b = 0..9, by halving the angle from pi/2
     * (cos(a/2) = sqrt((1 + cos a) / 2), sin(a/2) = sin a / (2 cos(a/2))) */
    double c[10], s[10];
    c[8] = 0.0, s[8] = 1.0; /* 2 pi 256 / 1024 = pi / 2 */
    c[9] = -1.0, s[9] = 0.0;
    for (int b = 7; b >= 0; b--) {
        c[b] = sqrt((1.0 + c[b + 1]) / 2.0);
        s[b] = s[b + 1] / (2.0 * c[b]);
    }
    for (int k = 0; k < N; k++) { /* e^{i 2 pi k / N}: the product over k's bits */
        double re = 1.0, im = 0.0;
        for (int b = 0; b < 10; b++)
            if (k >> b & 1) {
                double t = re * c[b] - im * s[b];
                im = re * s[b] + im * c[b];
                re = t;
            }
        f->w[k].re = (float)re;
        f->w[k].im = (float)-im;
    }
    for (int i = 0; i < H; i++) {
        int r = 0;
        for (int b = 0; b < 9; b++) r |= (i >> b & 1) << (8 - b);
        f->rev[i] = r;
    }
}

float sem_fft_cos(const SemFFT *f, int k)
{
    return f->w[k & (N - 1)].re;
}

/* In-place 512-point complex FFT of f->z; sign -1: forward (e^{-i...}), +1: inverse
 * (unscaled). Twiddle j of a stage of length len is w[j * N / len]. */
static void fft512(SemFFT *f, int sign)
{
    NCComplex *z = f->z;
    for (int i = 0; i < H; i++)
        if (f->rev[i] > i) {
            NCComplex t = z[i];
            z[i] = z[f->rev[i]];
            z[f->rev[i]] = t;
        }
    for (int len = 2; len <= H; len <<= 1) {
        int step = N / len;
        for (int i = 0; i < H; i += len)
            for (int j = 0; j < len / 2; j++) {
                NCComplex w = f->w[j * step];
                if (sign > 0) w.im = -w.im;
                NCComplex a = z[i + j], b = z[i + j + len / 2];
                NCComplex t = {b.re * w.re - b.im * w.im, b.re * w.im + b.im * w.re};
                z[i + j].re = a.re + t.re;
                z[i + j].im = a.im + t.im;
                z[i + j + len / 2].re = a.re - t.re;
                z[i + j + len / 2].im = a.im - t.im;
            }
    }
}

void sem_fft_forward(SemFFT *f, const float *in, NCComplex *out)
{
    for (int n = 0; n < H; n++) {
        f->z[n].re = in[2 * n];
        f->z[n].im = in[2 * n + 1];
    }
    fft512(f, -1);
    for (int k = 0; k <= H; k++) {
        NCComplex a = f->z[k & (H - 1)], b = f->z[(H - k) & (H - 1)];
        /* even part (a + conj b) / 2, odd part (a - conj b) / (2i) */
        float er = 0.5f * (a.re + b.re), ei = 0.5f * (a.im - b.im);
        float or_ = 0.5f * (a.im + b.im), oi = -0.5f * (a.re - b.re);
        NCComplex w = f->w[k];
        out[k].re = er + (or_ * w.re - oi * w.im);
        out[k].im = ei + (or_ * w.im + oi * w.re);
    }
}

void sem_fft_inverse(SemFFT *f, const NCComplex *in, float *out)
{
    for (int k = 0; k < H; k++) {
        NCComplex a = in[k], b = in[H - k];
        if (k == 0) {
            a.im = 0.0f;
            b.im = 0.0f;
        }
        /* even part (a + conj b), odd part (a - conj b) e^{+i 2 pi k / N} */
        float er = a.re + b.re, ei = a.im - b.im;
        float dr = a.re - b.re, di = a.im + b.im;
        NCComplex w = f->w[k];
        float or_ = dr * w.re + di * w.im, oi = di * w.re - dr * w.im;
        /* z = even + i odd */
        f->z[k].re = er - oi;
        f->z[k].im = ei + or_;
    }
    fft512(f, +1);
    for (int n = 0; n < H; n++) {
        out[2 * n] = f->z[n].re * (0.5f / H);
        out[2 * n + 1] = f->z[n].im * (0.5f / H);
    }
}
