/* walloc's rate and quality in process, without the apps: for each quality, the
 * packets' bits per pixel over all the PGM/PPM pictures given and the mean over
 * pictures of the PSNR over their samples (RGB, or the one gray channel: what
 * bench/walloc/walloc.sh's psnr_rgb column holds). The decoded latents are
 * checked against the encoder's. For quick comparisons of encoder settings;
 * walloc.sh gives the whole-file figures.
 *
 *   bench_walloc_rd [-m MODEL.ncm] [-d DEADZONE] [-l LAMBDA] [-q "Q1 Q2 ..."] IMAGE.ppm|pgm...
 *   (defaults: the image encoder's dead zone and lambda, the bench's qualities) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/pclossless/pc_image_files.h"
#include "codecs/walloc/walloc.h"

int main(int argc, char **argv)
{
    const char *model = NULL, *qlist = "8 24 40 56 72 80";
    double deadzone = WALLOC_IMAGE_DEADZONE, lambda = WALLOC_DEFAULT_LAMBDA;
    int first = 1;
    for (; first + 1 < argc && argv[first][0] == '-'; first += 2) {
        if (!strcmp(argv[first], "-m")) model = argv[first + 1];
        else if (!strcmp(argv[first], "-d")) deadzone = atof(argv[first + 1]);
        else if (!strcmp(argv[first], "-l")) lambda = atof(argv[first + 1]);
        else if (!strcmp(argv[first], "-q")) qlist = argv[first + 1];
        else return fprintf(stderr, "unknown option %s\n", argv[first]), 2;
    }
    WallocContext wc = {0};
    if (walloc_open(&wc, NULL, WALLOC_DEFAULT_MODEL, model, NULL, 0) < 0) return 1;
    printf("| quality | bits/pixel | psnr |\n| --- | --- | --- |\n");
    for (const char *s = qlist; *s;) {
        char *end;
        int quality = (int)strtol(s, &end, 10);
        if (end == s) break;
        s = end;
        double pixels = 0, bytes = 0, psnr = 0;
        int pictures = 0;
        for (int i = first; i < argc; i++) {
            uint8_t *img, *out;
            int w, h, ch, bw, bh, q;
            if (pc_read_pnm(argv[i], &img, &w, &h, &ch) < 0) return 1;
            size_t samples = (size_t)w * h * ch;
            out = malloc(samples);
            walloc_band_size(wc.shape.levels, w, h, &bw, &bh);
            size_t nq = (size_t)bw * bh * wc.shape.latents;
            int32_t *latents = malloc(nq * sizeof(int32_t));
            RCEncoder enc;
            RCDecoder dec;
            rc_enc_init(&enc);
            if (!out || !latents ||
                walloc_encode_image(&wc, &enc, img, (ptrdiff_t)w * ch, ch, w, h, quality,
                                    (float)deadzone, (float)lambda) < 0 ||
                rc_enc_flush(&enc) < 0)
                return 1;
            memcpy(latents, wc.q, nq * sizeof(int32_t));
            rc_dec_init(&dec, enc.buf, enc.size);
            if (walloc_decode_latents_of_image(&wc, &dec, w, h, &q) < 0 || rc_dec_finish(&dec) < 0 ||
                memcmp(latents, wc.q, nq * sizeof(int32_t)) ||
                walloc_reconstruct(&wc, q, out, (ptrdiff_t)w * ch, ch, w, h) < 0)
                return fprintf(stderr, "%s: decoding failed\n", argv[i]), 1;
            double se = 0;
            for (size_t k = 0; k < samples; k++) se += ((double)img[k] - out[k]) * ((double)img[k] - out[k]);
            psnr += 10 * log10(255.0 * 255.0 * (double)samples / (se > 0 ? se : 1e-3));
            pictures++;
            pixels += (double)w * h;
            bytes += (double)enc.size;
            rc_enc_free(&enc);
            free(latents);
            free(img);
            free(out);
        }
        printf("| %d | %.5f | %.4f |\n", quality, 8 * bytes / pixels, psnr / pictures);
    }
    walloc_close(&wc);
    return 0;
}
