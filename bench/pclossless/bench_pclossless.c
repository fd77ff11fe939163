/* pclossless on an idx3 image set (MNIST layout): bits per pixel and speed, for
 * the whole set as one mosaic image and image by image, with exact round trips
 * checked. Writes the same pixels as PGM files for the anchors (run.sh). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codecs/pclossless/pc_image_files.h"
#include "tests/support/roundtrip.h"

/* CPU seconds of this process: a busy machine does not inflate them. */
static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int write_pgm(const char *path, const uint8_t *pix, int w, int h)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    fprintf(f, "P5\n%d %d\n255\n", w, h);
    size_t n = fwrite(pix, 1, (size_t)w * h, f);
    return fclose(f) == 0 && n == (size_t)w * h ? 0 : -1;
}

/* Encodes and decodes frames[0..n) with one encoder and one decoder context;
 * returns the total packet bytes, or -1 if anything fails or differs. */
static long long code_frames(NCFrame *frames, int n, const char *model, double *enc_s,
                             double *dec_s)
{
    NCCodecContext *enc = NULL, *dec = NULL;
    NCPacket *pkts = calloc((size_t)n, sizeof(NCPacket));
    long long bytes = -1;
    if (!pkts || pc_test_open_encoder(&enc, frames[0].width, frames[0].height, frames[0].pix_fmt,
                                      model, NULL) < 0 ||
        pc_test_open_decoder(&dec, enc, NULL) < 0)
        goto done;
    double t0 = now();
    for (int i = 0; i < n; i++)
        if (pc_test_encode(enc, &frames[i], &pkts[i]) < 0) goto done;
    *enc_s = now() - t0;
    t0 = now();
    long long total = 0;
    for (int i = 0; i < n; i++) {
        NCFrame out = {0};
        int ret = pc_test_decode(dec, &pkts[i], &out);
        int same = ret == 0 && pc_test_same_pixels(&frames[i], &out);
        nc_frame_unref(&out);
        if (!same) {
            fprintf(stderr, "bench_pclossless: image %d does not round-trip\n", i);
            goto done;
        }
        total += (long long)pkts[i].size;
    }
    *dec_s = now() - t0;
    bytes = total;
done:
    for (int i = 0; pkts && i < n; i++) nc_packet_unref(&pkts[i]);
    free(pkts);
    nc_codec_free_context(&enc);
    nc_codec_free_context(&dec);
    return bytes;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: bench_pclossless TEST-IDX3-FILE MODEL-ID OUT-DIR [N-PER-IMAGE-FILES "
                        "[anchors]]\n");
        return 2;
    }
    const char *model = argv[2], *dir = argv[3];
    int nfiles = argc > 4 ? atoi(argv[4]) : 1000;
    uint8_t *pix;
    int n, w, h;
    if (pc_read_idx_images(argv[1], &pix, &n, &w, &h) < 0) return 1;
    /* The mosaic: 100 images per row (the whole 10,000-image test split is
     * 2800 x 2800 for MNIST); a partial last row is left out. */
    int cols = n < 100 ? n : 100, rows = n / cols;
    n = rows * cols;
    int mw = cols * w, mh = rows * h;
    uint8_t *mosaic = malloc((size_t)mw * mh);
    if (!mosaic) return 1;
    for (int i = 0; i < n; i++)
        for (int y = 0; y < h; y++)
            memcpy(mosaic + ((size_t)(i / cols) * h + y) * mw + (size_t)(i % cols) * w,
                   pix + ((size_t)i * h + y) * w, (size_t)w);
    char path[4096];
    snprintf(path, sizeof(path), "%s/mosaic.pgm", dir);
    if (write_pgm(path, mosaic, mw, mh) < 0) return 1;
    snprintf(path, sizeof(path), "%s/pixels.raw", dir);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(pix, 1, (size_t)n * w * h, f) != (size_t)n * w * h || fclose(f)) return 1;
    if (nfiles > n) nfiles = n;
    for (int i = 0; i < nfiles; i++) {
        snprintf(path, sizeof(path), "%s/img%05d.pgm", dir, i);
        if (write_pgm(path, pix + (size_t)i * w * h, w, h) < 0) return 1;
    }

    /* "anchors": only write the files the anchors read, and the geometry. */
    if (argc > 5 && !strcmp(argv[5], "anchors")) {
        printf("pclossless mosaic %d images %dx%d: 0 bytes 0 bpd encode 0 s decode 0 s\n", n, mw, mh);
        return 0;
    }
    double pixels = (double)n * w * h, enc_s, dec_s;
    NCFrame mf;
    if (pc_test_make_frame(&mf, mw, mh, NC_PIX_GRAY8, mosaic) < 0) return 1;
    long long bytes = code_frames(&mf, 1, model, &enc_s, &dec_s);
    nc_frame_unref(&mf);
    if (bytes < 0) return 1;
    printf("pclossless mosaic %d images %dx%d: %lld bytes %.4f bpd encode %.2f s decode %.2f s\n",
           n, mw, mh, bytes, 8.0 * (double)bytes / pixels, enc_s, dec_s);

    NCFrame *frames = calloc((size_t)n, sizeof(NCFrame));
    for (int i = 0; i < n; i++)
        if (pc_test_make_frame(&frames[i], w, h, NC_PIX_GRAY8, pix + (size_t)i * w * h) < 0) return 1;
    bytes = code_frames(frames, n, model, &enc_s, &dec_s);
    long long first_bytes = code_frames(frames, nfiles, model, &(double){0}, &(double){0});
    for (int i = 0; i < n; i++) nc_frame_unref(&frames[i]);
    free(frames);
    if (bytes < 0 || first_bytes < 0) return 1;
    printf("pclossless per-image %d packets: %lld bytes %.4f bpd encode %.2f s decode %.2f s\n", n,
           bytes, 8.0 * (double)bytes / pixels, enc_s, dec_s);
    printf("pclossless per-image first %d: %lld bytes %.4f bpd\n", nfiles, first_bytes,
           8.0 * (double)first_bytes / ((double)nfiles * w * h));
    free(mosaic);
    free(pix);
    return 0;
}
