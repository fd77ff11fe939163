/* walloc speed on one core, without process start-up or file conversion: CPU
 * seconds to encode (transform, projection, quantization, entropy coding) and to
 * decode (entropy decoding, network, inverse transform) each PGM/PPM given, best
 * of 3, at three qualities. Run with OPENBLAS_NUM_THREADS=1 for one core.
 *
 *   bench_walloc_speed [-m MODEL.ncm] IMAGE.ppm|pgm...   (default: walloc-photo) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codecs/pclossless/pc_image_files.h"
#include "codecs/walloc/walloc.h"

static double cpu_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
    const char *model = NULL;
    int first = 1;
    if (argc > 2 && !strcmp(argv[1], "-m")) model = argv[2], first = 3;
    WallocContext wc = {0};
    if (walloc_open(&wc, NULL, WALLOC_DEFAULT_MODEL, model, NULL, 0) < 0) return 1;
    static const int qualities[] = {8, 40, 72};
    printf("| quality | bits/pixel | encode MP/s | decode MP/s |\n| --- | --- | --- | --- |\n");
    for (int qi = 0; qi < 3; qi++) {
        double pixels = 0, bytes = 0, enc_s = 0, dec_s = 0;
        for (int i = first; i < argc; i++) {
            uint8_t *img, *out;
            int w, h, ch;
            if (pc_read_pnm(argv[i], &img, &w, &h, &ch) < 0) return 1;
            out = malloc((size_t)w * h * ch);
            double best_enc = 1e30, best_dec = 1e30;
            RCEncoder enc;
            rc_enc_init(&enc);
            for (int rep = 0; rep < 3; rep++) {
                rc_enc_reset(&enc);
                double t0 = cpu_seconds();
                if (walloc_encode_image(&wc, &enc, img, (ptrdiff_t)w * ch, ch, w, h,
                                        qualities[qi], WALLOC_IMAGE_DEADZONE, WALLOC_DEFAULT_LAMBDA) < 0 || rc_enc_flush(&enc) < 0)
                    return 1;
                double t1 = cpu_seconds();
                RCDecoder dec;
                int q;
                rc_dec_init(&dec, enc.buf, enc.size);
                if (walloc_decode_latents_of_image(&wc, &dec, w, h, &q) < 0 ||
                    rc_dec_finish(&dec) < 0 ||
                    walloc_reconstruct(&wc, q, out, (ptrdiff_t)w * ch, ch, w, h) < 0)
                    return 1;
                double t2 = cpu_seconds();
                if (t1 - t0 < best_enc) best_enc = t1 - t0;
                if (t2 - t1 < best_dec) best_dec = t2 - t1;
            }
            pixels += (double)w * h;
            bytes += (double)enc.size;
            enc_s += best_enc;
            dec_s += best_dec;
            rc_enc_free(&enc);
            free(img);
            free(out);
        }
        printf("| %d | %.3f | %.1f | %.2f |\n", qualities[qi], 8 * bytes / pixels,
               pixels / enc_s * 1e-6, pixels / dec_s * 1e-6);
    }
    walloc_close(&wc);
    return 0;
}
