/* The shipped models on their test splits: exact round trips and a rate check on
 * the first 200 test images of MNIST and Fashion-MNIST (skipped without data/). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/pclossless/pc_image_files.h"
#include "tests/support/roundtrip.h"
#include "tests/test.h"

#define IMAGES 200

/* Codes the first IMAGES test images as one 20-image-wide mosaic; returns the
 * bits per pixel, or -1 if the data is absent. */
static double check_set(const char *idx, const char *model)
{
    uint8_t *pix;
    int n, w, h;
    FILE *probe = fopen(idx, "rb");
    if (!probe) return -1;
    fclose(probe);
    CHECK_EQ(pc_read_idx_images(idx, &pix, &n, &w, &h), 0);
    CHECK(n >= IMAGES);
    int cols = 20, mw = cols * w, mh = IMAGES / cols * h;
    uint8_t *mosaic = malloc((size_t)mw * mh);
    for (int i = 0; i < IMAGES; i++)
        for (int y = 0; y < h; y++)
            memcpy(mosaic + ((size_t)(i / cols) * h + y) * mw + (size_t)(i % cols) * w,
                   pix + ((size_t)i * h + y) * w, (size_t)w);
    NCCodecContext *enc = NULL, *dec = NULL;
    NCFrame in = {0}, out = {0};
    NCPacket pkt = {0};
    CHECK_EQ(pc_test_make_frame(&in, mw, mh, NC_PIX_GRAY8, mosaic), 0);
    CHECK_EQ(pc_test_open_encoder(&enc, mw, mh, NC_PIX_GRAY8, model, NULL), 0);
    CHECK_EQ(pc_test_encode(enc, &in, &pkt), 0);
    CHECK_EQ(pc_test_open_decoder(&dec, enc, NULL), 0);
    CHECK_EQ(pc_test_decode(dec, &pkt, &out), 0);
    CHECK(pc_test_same_pixels(&in, &out));
    double bpd = 8.0 * (double)pkt.size / ((double)mw * mh);
    printf("%s on %s, first %d images: %.4f bits/pixel\n", model, idx, IMAGES, bpd);
    nc_packet_unref(&pkt);
    nc_frame_unref(&in);
    nc_frame_unref(&out);
    nc_codec_free_context(&enc);
    nc_codec_free_context(&dec);
    free(mosaic);
    free(pix);
    return bpd;
}

int main(int argc, char **argv)
{
    if (argc != 2) return 2;
    char path[4096];
    snprintf(path, sizeof(path), "%s/mnist/test-images-idx3-ubyte", argv[1]);
    double mnist = check_set(path, "pclossless-mnist");
    snprintf(path, sizeof(path), "%s/fashion-mnist/test-images-idx3-ubyte", argv[1]);
    double fashion = check_set(path, "pclossless-fashion");
    if (mnist < 0 && fashion < 0) {
        printf("skipped: no MNIST or Fashion-MNIST test split in %s (scripts/fetch-data)\n", argv[1]);
        return 77;
    }
    /* Loose bounds (PNG needs about 1.5 and 4.3): they catch a broken model or coder. */
    if (mnist >= 0) CHECK(mnist < 1.4);
    if (fashion >= 0) CHECK(fashion < 3.8);
    return test_result("test_pclossless_models");
}
