/* The photo model (models/pclossless-photo.ncm, transform=residual): exact round
 * trips on crops of two test photos (RGB24 and GRAY8) and sub-crops of odd sizes
 * down to 1x1, noise (raw tiles), a smooth gradient that only the residual
 * transform makes cheap; and nc-train's photo input. argv[1]: the folder holding
 * the crops (tests/pclossless/data). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codecs/pclossless/hclt_train.h"
#include "codecs/pclossless/pc_model.h"
#include "codecs/pclossless/pc_image_files.h"
#include "codecs/pclossless/pclossless_train.h"
#include "codecs/pclossless/plane_transform.h"
#include "libnc/nn/train_job.h"
#include "tests/support/roundtrip.h"
#include "tests/test.h"

#define MODEL "pclossless-photo"

/* Codes a w x h image of ch channels (rows tightly packed) with the photo model;
 * checks the round trip and returns the packet's bits per sample, -1 on failure. */
static double roundtrip_with(const char *model, const uint8_t *pix, int w, int h, int ch)
{
    enum NCPixelFormat fmt = ch == 3 ? NC_PIX_RGB24 : NC_PIX_GRAY8;
    NCCodecContext *enc = NULL, *dec = NULL;
    NCFrame in = {0}, out = {0};
    NCPacket pkt = {0};
    double bps = -1;
    CHECK_EQ(pc_test_make_frame(&in, w, h, fmt, pix), 0);
    CHECK_EQ(pc_test_open_encoder(&enc, w, h, fmt, model, NULL), 0);
    if (enc && pc_test_encode(enc, &in, &pkt) == 0 && pc_test_open_decoder(&dec, enc, NULL) == 0 &&
        pc_test_decode(dec, &pkt, &out) == 0) {
        if (pc_test_same_pixels(&in, &out))
            bps = 8.0 * (double)pkt.size / ((double)w * h * ch);
        else
            fprintf(stderr, "round trip differs: %dx%dx%d\n", w, h, ch);
    }
    CHECK(bps >= 0);
    nc_packet_unref(&pkt);
    nc_frame_unref(&in);
    nc_frame_unref(&out);
    nc_codec_free_context(&enc);
    nc_codec_free_context(&dec);
    return bps;
}

static double roundtrip(const uint8_t *pix, int w, int h, int ch)
{
    return roundtrip_with(MODEL, pix, w, h, ch);
}

/* The crop and sub-crops of it (odd sizes, 1x1, one row, one column). */
static void test_crop(const char *path, int want_ch, double max_bps)
{
    uint8_t *pix;
    int w, h, ch;
    CHECK_EQ(pc_read_pnm(path, &pix, &w, &h, &ch), 0);
    if (!pix) return;
    CHECK_EQ(ch, want_ch);
    double bps = roundtrip(pix, w, h, ch);
    printf("%s: %dx%dx%d, %.4f bits/sample\n", path, w, h, ch, bps);
    CHECK(bps > 0 && bps < max_bps);
    static const int sub[][2] = {{1, 1}, {1, 17}, {23, 1}, {9, 7}, {17, 11}, {33, 25}};
    for (size_t s = 0; s < sizeof(sub) / sizeof(sub[0]); s++) {
        int sw = sub[s][0], sh = sub[s][1];
        uint8_t *c = malloc((size_t)sw * sh * ch);
        for (int y = 0; y < sh; y++)
            memcpy(c + (size_t)y * sw * ch, pix + ((size_t)(y + 3) * w + 5) * ch, (size_t)sw * ch);
        CHECK(roundtrip(c, sw, sh, ch) >= 0);
        free(c);
    }
    free(pix);
}

/* Noise costs 8 bits and the tile flags; a smooth gradient is nearly free once
 * its residuals are coded, where the pixel planes themselves are all different. */
static void test_synthetic(void)
{
    uint32_t s = 5;
    for (int ch = 1; ch <= 3; ch += 2) {
        int w = 37, h = 29;
        size_t n = (size_t)w * h * ch;
        uint8_t *p = malloc(n);
        for (size_t i = 0; i < n; i++) {
            s = s * 1664525u + 1013904223u;
            p[i] = (uint8_t)(s >> 24);
        }
        double noise = roundtrip(p, w, h, ch);
        printf("noise %dx%dx%d: %.4f bits/sample\n", w, h, ch, noise);
        /* 20 tiles per plane (8x8 patches), each a 6-bit raw flag, and the coder's last bytes */
        CHECK(noise > 7.9 && noise < 8.0 + (20.0 * 6 * ch + 32) / (w * h * ch));
        free(p);
    }
    int w = 96, h = 64;
    uint8_t *g = malloc((size_t)w * h * 3);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint8_t *q = g + ((size_t)y * w + x) * 3;
            q[0] = (uint8_t)(2 * x + y);
            q[1] = (uint8_t)(x + 2 * y);
            q[2] = (uint8_t)(255 - x - y);
        }
    double rgb = roundtrip(g, w, h, 3);
    /* the same pixels through a model of pixel planes (transform absent) */
    double pixels = roundtrip_with("pclossless-mnist", g, w, h, 3);
    printf("gradient %dx%d RGB24: %.4f bits/sample (pclossless-mnist, pixel planes: %.4f)\n", w,
           h, rgb, pixels);
    CHECK(rgb >= 0 && rgb < 2.0 && pixels > 4 * rgb);
    free(g);
}

static void write_file(const char *path, const char *header, const uint8_t *pix, size_t n)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return;
    CHECK(fputs(header, f) >= 0 && fwrite(pix, 1, n, f) == n);
    fclose(f);
}

/* nc-train pclossless -o input=photos on a folder of one PGM and one PPM: a model
 * with the residual transform and the patch asked for; bad input is refused. */
static void test_trainer(void)
{
    char dir[256], gray[512], rgb[512], junk[512], out[512];
    snprintf(dir, sizeof(dir), "pclossless-photo-train-%d", (int)getpid());
    CHECK_EQ(mkdir(dir, 0700), 0);
    snprintf(gray, sizeof(gray), "%s/a.pgm", dir);
    snprintf(rgb, sizeof(rgb), "%s/b.ppm", dir);
    snprintf(junk, sizeof(junk), "%s/c.ppm", dir);
    snprintf(out, sizeof(out), "%s/pclossless-tiny.ncm", dir);
    uint8_t pix[40 * 30 * 3];
    for (size_t i = 0; i < sizeof(pix); i++) pix[i] = (uint8_t)(i * 13 / 7 + (i % 5));
    write_file(gray, "P5\n# a comment\n40 30\n255\n", pix, 40 * 30);
    write_file(rgb, "P6 40 30 255\n", pix, sizeof(pix));

    uint8_t *data;
    int n, images;
    CHECK_EQ(pc_photo_patches(dir, 4, 4, 4, PC_TRANSFORM_RESIDUAL, 1000000, 1, &data, &n, &images), 0);
    CHECK_EQ(images, 2);
    CHECK_EQ(n, 4 * (10 * 7)); /* four planes of 10 x 7 patches */
    free(data);
    CHECK_EQ(pc_photo_patches(dir, 4, 4, 2, PC_TRANSFORM_PIXELS, 100, 1, &data, &n, &images), 0);
    CHECK_EQ(n, 100);
    /* a model naming an unknown transform is refused by the codec */
    PCHclt m;
    PCTrainRecipe r;
    pc_train_recipe_default(&r);
    r.nstates = 2;
    r.minibatch_epochs = 0;
    r.full_epochs = 1;
    CHECK_EQ(pc_hclt_train(&m, data, n, 16, &r, NULL, NULL), 0);
    const char *wavelet[] = {"transform", "wavelet", NULL};
    CHECK_EQ(pc_model_write(&m, 4, 4, "pclossless-wavelet", out, wavelet, NULL), 0);
    pc_hclt_free(&m);
    NCCodecContext *enc = NULL;
    CHECK_EQ(pc_test_open_encoder(&enc, 8, 8, NC_PIX_GRAY8, "pclossless-wavelet", out), NC_EMODEL);
    CHECK(enc == NULL);
    remove(out);
    free(data);

    const char *options[] = {"input=photos", "patch=4", "transform=residual", "states=2",
                             "minibatch_epochs=1", "full_epochs=1"};
    NCTrainJob job = {.data_dir = dir, .out_path = out, .seed = 1, .options = options, .n_options = 6};
    CHECK_EQ(pclossless_trainer.train(&job), 0);
    NCModel *model = NULL;
    PCCodingModel cm;
    CHECK_EQ(nc_model_load_file(&model, out), 0);
    if (model) {
        CHECK(nc_model_param(model, "transform") && !strcmp(nc_model_param(model, "transform"), "residual"));
        CHECK_EQ(pc_coding_model_from_ncm(&cm, model), 0);
        CHECK_EQ(cm.patch_w, 4);
        CHECK_EQ(cm.nstates, 2);
        pc_coding_model_free(&cm);
        nc_model_free(&model);
    }
    remove(out);
    /* an unknown input; an unknown transform; a damaged PPM in the folder */
    const char *bad_input[] = {"input=jpeg"};
    NCTrainJob bad = {.data_dir = dir, .out_path = out, .seed = 1, .options = bad_input,
                      .n_options = 1};
    CHECK_EQ(pclossless_trainer.train(&bad), NC_EINVAL);
    const char *unknown[] = {"input=photos", "transform=wavelet"};
    bad.options = unknown;
    bad.n_options = 2;
    CHECK_EQ(pclossless_trainer.train(&bad), NC_EINVAL);
    write_file(junk, "P6\n40 30\n255\n", pix, 100); /* truncated */
    CHECK(pclossless_trainer.train(&job) < 0);
    write_file(junk, "P6\n40 30\n65535\n", pix, sizeof(pix)); /* 16-bit */
    CHECK_EQ(pclossless_trainer.train(&job), NC_EINVALIDDATA);
    write_file(junk, "P6\n99999999 30\n255\n", pix, sizeof(pix)); /* huge */
    CHECK_EQ(pclossless_trainer.train(&job), NC_EINVALIDDATA);
    remove(junk);
    remove(out);
    remove(gray);
    remove(rgb);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    if (argc != 2) return 2;
    nc_log_set_level(NC_LOG_QUIET);
    char path[4096];
    snprintf(path, sizeof(path), "%s/astronaut_61x47.ppm", argv[1]);
    test_crop(path, 3, 6.0);
    snprintf(path, sizeof(path), "%s/camera_53x41.pgm", argv[1]);
    test_crop(path, 1, 6.0);
    test_synthetic();
    test_trainer();
    return test_result("test_pclossless_photo");
}
