/* nc-conform-compare: the comparison rules of conformance/run (README.md), the
 * role opus_compare plays for Opus. Standalone (libc and libm only) so that another
 * implementation can build it without libnc: cc -O2 compare.c -lm.
 *
 *   nc-conform-compare audio REF.s16 OUT.f32 MAX_ERROR MIN_SNR_DB
 *       REF: 16-bit little-endian samples (value / 32768); OUT: 32-bit float
 *       little-endian samples, channels interleaved. Passes when both hold the same
 *       number of samples, no sample differs by more than MAX_ERROR and the SNR of
 *       OUT against REF is at least MIN_SNR_DB.
 *   nc-conform-compare pixels REF OUT MAX_DIFF MIN_PSNR_DB
 *       8-bit samples (pixels, planes and frames in decoding order): same size, no
 *       sample differs by more than MAX_DIFF, PSNR at least MIN_PSNR_DB. REF may be a
 *       binary PGM or PPM (P5/P6, maxval 255): its samples are compared, not its header.
 *
 * Prints one line (the measured worst error and SNR/PSNR); exits 0 on pass, 1 on
 * fail, 2 on bad usage or unreadable files. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The whole file; NULL when it cannot be read. */
static uint8_t *read_all(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) break;
        uint8_t *bigger = cap < ((size_t)1 << 31) ? realloc(buf, cap * 2) : NULL;
        if (!bigger) free(buf);
        buf = bigger;
        cap *= 2;
    }
    if (buf && ferror(f)) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *size = n;
    return buf;
}

/* The offset of the samples in a binary PGM/PPM ("P5"/"P6", width, height, maxval 255,
 * one whitespace), or 0 when buf is not one (raw samples). */
static size_t pnm_header_size(const uint8_t *buf, size_t n)
{
    if (n < 2 || buf[0] != 'P' || (buf[1] != '5' && buf[1] != '6')) return 0;
    size_t i = 2;
    for (int field = 0; field < 3; field++) {
        while (i < n && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n')) i++;
        if (i >= n || buf[i] < '0' || buf[i] > '9') return 0;
        while (i < n && buf[i] >= '0' && buf[i] <= '9') i++;
    }
    return i < n ? i + 1 : 0;
}

static double ref_sample(const uint8_t *p, int audio)
{
    return audio ? (int16_t)(uint16_t)(p[0] | p[1] << 8) / 32768.0 : p[0];
}

static double out_sample(const uint8_t *p, int audio)
{
    if (!audio) return p[0];
    uint32_t bits = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                    (uint32_t)p[3] << 24;
    float v;
    memcpy(&v, &bits, 4);
    return v;
}

int main(int argc, char **argv)
{
    if (argc != 6 || (strcmp(argv[1], "audio") && strcmp(argv[1], "pixels"))) {
        fprintf(stderr, "usage: nc-conform-compare audio|pixels REF OUT MAX_ERROR MIN_DB\n");
        return 2;
    }
    int audio = !strcmp(argv[1], "audio");
    size_t ref_bytes = audio ? 2 : 1, out_bytes = audio ? 4 : 1, nref, nout;
    double max_allowed = atof(argv[4]), min_db = atof(argv[5]);
    uint8_t *ref = read_all(argv[2], &nref), *out = read_all(argv[3], &nout);
    if (!ref || !out) {
        printf("FAIL cannot read %s\n", ref ? argv[3] : argv[2]);
        free(ref);
        free(out);
        return 2;
    }
    size_t skip = audio ? 0 : pnm_header_size(ref, nref);
    nref -= skip;
    size_t n = nref / ref_bytes;
    if (nref % ref_bytes || nout % out_bytes || nout / out_bytes != n) {
        printf("FAIL %zu samples decoded, %zu expected\n", nout / out_bytes, n);
        free(ref);
        free(out);
        return 1;
    }
    double err = 0, sig = 0, worst = 0;
    for (size_t i = 0; i < n; i++) {
        double r = ref_sample(ref + skip + i * ref_bytes, audio);
        double d = out_sample(out + i * out_bytes, audio) - r;
        if (!(fabs(d) <= worst)) worst = fabs(d); /* a NaN sticks */
        err += d * d;
        sig += audio ? r * r : 255.0 * 255.0;
    }
    free(ref);
    free(out);
    double db = n ? 10 * log10((sig + 1e-20) / (err + 1e-20)) : INFINITY;
    int pass = worst <= max_allowed && db >= min_db;
    printf("%s %zu samples, max error %.3g (allowed %g), %s %.1f dB (at least %g)\n",
           pass ? "ok" : "FAIL", n, worst, max_allowed, audio ? "SNR" : "PSNR", db, min_db);
    return pass ? 0 : 1;
}
