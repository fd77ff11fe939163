/* pclossless on photos: codes each PGM/PPM file given as one frame with a model,
 * checks the exact round trip and prints its bytes (packet only, no container) and
 * CPU seconds; photos.sh adds the anchors. */
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

static int code_file(const char *path, const char *model)
{
    uint8_t *pix;
    int w, h, ch;
    if (pc_read_pnm(path, &pix, &w, &h, &ch) < 0) return 1;
    enum NCPixelFormat fmt = ch == 3 ? NC_PIX_RGB24 : NC_PIX_GRAY8;
    NCCodecContext *enc = NULL, *dec = NULL;
    NCFrame in = {0}, out = {0};
    NCPacket pkt = {0};
    int ret = 1;
    if (pc_test_make_frame(&in, w, h, fmt, pix) < 0 ||
        pc_test_open_encoder(&enc, w, h, fmt, model, NULL) < 0 ||
        pc_test_open_decoder(&dec, enc, NULL) < 0)
        goto done;
    double t0 = now();
    if (pc_test_encode(enc, &in, &pkt) < 0) goto done;
    double t1 = now();
    if (pc_test_decode(dec, &pkt, &out) < 0) goto done;
    double t2 = now();
    if (!pc_test_same_pixels(&in, &out)) {
        fprintf(stderr, "bench_pclossless_photos: %s does not round-trip\n", path);
        goto done;
    }
    const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    printf("%s %d %d %d %zu %.2f %.2f\n", name, w, h, ch, pkt.size, t1 - t0, t2 - t1);
    ret = 0;
done:
    nc_packet_unref(&pkt);
    nc_frame_unref(&in);
    nc_frame_unref(&out);
    nc_codec_free_context(&enc);
    nc_codec_free_context(&dec);
    free(pix);
    return ret;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_pclossless_photos MODEL-ID FILE.pgm|FILE.ppm...\n"
                        "prints: name width height channels bytes encode-CPU-s decode-CPU-s\n");
        return 2;
    }
    for (int i = 2; i < argc; i++)
        if (code_file(argv[i], argv[1])) return 1;
    return 0;
}
