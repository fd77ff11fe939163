/* pclossless: learning, exact coding and the codec API, with a small model trained
 * here on synthetic 8x8 images (the shipped models are exercised by
 * test_pclossless_mnist.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codecs/pclossless/hclt_train.h"
#include "codecs/pclossless/patch_coder.h"
#include "codecs/pclossless/pc_model.h"
#include "codecs/pclossless/pclossless_train.h"
#include "libnc/model_header.h"
#include "libnc/nn/train_job.h"
#include "tests/support/roundtrip.h"
#include "tests/test.h"

#define SIDE 8
#define D (SIDE * SIDE)
#define NSAMPLES 800

static uint32_t rng = 12345;
static uint32_t next_rand(void)
{
    rng = rng * 1664525u + 1013904223u;
    return rng >> 8;
}

/* Dark background with a bright rectangle and a little noise: structure an HCLT
 * can learn quickly. */
static void synth_images(uint8_t *data, int n)
{
    for (int s = 0; s < n; s++) {
        uint8_t *img = data + (size_t)s * D;
        int x0 = (int)(next_rand() % SIDE), y0 = (int)(next_rand() % SIDE);
        int x1 = x0 + (int)(next_rand() % (SIDE - x0)), y1 = y0 + (int)(next_rand() % (SIDE - y0));
        int level = 180 + (int)(next_rand() % 60);
        for (int y = 0; y < SIDE; y++)
            for (int x = 0; x < SIDE; x++) {
                int inside = x >= x0 && x <= x1 && y >= y0 && y <= y1;
                int v = (inside ? level : 10) + (int)(next_rand() % 7) - 3;
                img[y * SIDE + x] = (uint8_t)v;
            }
    }
}

static char model_file[256], other_file[256];
static uint8_t data[NSAMPLES * D];

static int track(void *opaque, int epoch, double bpd, const PCHclt *m)
{
    (void)m;
    double *last = opaque;
    if (epoch >= 2) CHECK(bpd <= last[0] + 1e-3); /* full-batch EM does not go backwards */
    last[0] = bpd;
    return 0;
}

/* Trains, writes the model file and checks the coder against the model's own
 * likelihood: the code length of exact conditionals is -log2 P(x). */
static void test_train_and_code(void)
{
    synth_images(data, NSAMPLES);
    PCTrainRecipe r;
    pc_train_recipe_default(&r);
    r.nstates = 4;
    r.batch = 100;
    r.minibatch_epochs = 1;
    r.full_epochs = 4;
    PCHclt m;
    double last = 1e9;
    CHECK_EQ(pc_hclt_train(&m, data, NSAMPLES, D, &r, track, &last), 0);
    double bpd = pc_hclt_bits_per_dim(&m, data, NSAMPLES);
    printf("synthetic 8x8: %.3f bits/pixel after training\n", bpd);
    CHECK(bpd < 4.0); /* 8 bits raw; the noise alone is log2(7) = 2.8 */

    PCCodingModel cm;
    CHECK_EQ(pc_model_write(&m, SIDE, SIDE, "pclossless-test", model_file, NULL, &cm), 0);
    PCPatchCoder pc;
    CHECK_EQ(pc_patch_coder_init(&pc, &cm), 0);
    RCEncoder enc;
    rc_enc_init(&enc);
    for (int s = 0; s < NSAMPLES; s++) pc_encode_patch(&pc, &enc, data + (size_t)s * D, SIDE, SIDE);
    CHECK_EQ(rc_enc_flush(&enc), 0);
    double coded = 8.0 * (double)enc.size / (NSAMPLES * D);
    printf("coded: %.3f bits/pixel\n", coded);
    CHECK(fabs(coded - bpd) < 0.02 * bpd + 0.01);

    uint8_t *out = malloc(NSAMPLES * D);
    RCDecoder dec;
    rc_dec_init(&dec, enc.buf, enc.size);
    for (int s = 0; s < NSAMPLES; s++) pc_decode_patch(&pc, &dec, out + (size_t)s * D, SIDE, SIDE);
    CHECK_EQ(rc_dec_finish(&dec), 0);
    CHECK(memcmp(out, data, NSAMPLES * D) == 0);
    free(out);
    rc_enc_free(&enc);
    pc_patch_coder_free(&pc);
    pc_coding_model_free(&cm);

    /* A second model under the same id, from another seed: a different hash. */
    pc_hclt_free(&m);
    r.seed = 2;
    r.full_epochs = 1;
    CHECK_EQ(pc_hclt_train(&m, data, NSAMPLES, D, &r, NULL, NULL), 0);
    CHECK_EQ(pc_model_write(&m, SIDE, SIDE, "pclossless-test", other_file, NULL, NULL), 0);
    pc_hclt_free(&m);
}

static void fill(uint8_t *p, size_t n, int kind)
{
    for (size_t i = 0; i < n; i++)
        p[i] = kind == 0 ? 0 : kind == 1 ? 255 : kind == 2 ? (uint8_t)next_rand()
                                                            : data[i % (NSAMPLES * D)];
}

/* Exact round trips through the public API, for sizes that do and do not match
 * the model's patches. */
static void test_roundtrips(void)
{
    static const int sizes[][2] = {{1, 1}, {8, 8}, {7, 5}, {19, 13}, {64, 3}, {3, 40}, {17, 17}};
    size_t packet_size[4] = {0};
    for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++)
        for (int fmt = NC_PIX_GRAY8; fmt <= NC_PIX_RGB24; fmt++)
            for (int kind = 0; kind < 4; kind++) {
                int w = sizes[si][0], h = sizes[si][1], ch = fmt == NC_PIX_RGB24 ? 3 : 1;
                size_t n = (size_t)w * h * ch;
                uint8_t *pix = malloc(n);
                fill(pix, n, kind);
                NCCodecContext *enc = NULL, *dec = NULL;
                NCFrame in = {0}, out = {0};
                NCPacket pkt = {0};
                CHECK_EQ(pc_test_make_frame(&in, w, h, (enum NCPixelFormat)fmt, pix), 0);
                CHECK_EQ(pc_test_open_encoder(&enc, w, h, (enum NCPixelFormat)fmt, "pclossless-test",
                                              model_file), 0);
                CHECK_EQ(pc_test_encode(enc, &in, &pkt), 0);
                CHECK_EQ(pc_test_open_decoder(&dec, enc, model_file), 0);
                CHECK_EQ(pc_test_decode(dec, &pkt, &out), 0);
                if (!pc_test_same_pixels(&in, &out)) {
                    fprintf(stderr, "round trip differs: %dx%d fmt %d kind %d\n", w, h, fmt, kind);
                    CHECK(0);
                }
                if (w == 8 && h == 8 && fmt == NC_PIX_GRAY8) packet_size[kind] = pkt.size;
                nc_packet_unref(&pkt);
                nc_frame_unref(&in);
                nc_frame_unref(&out);
                nc_codec_free_context(&enc);
                nc_codec_free_context(&dec);
                free(pix);
            }
    /* An image like the training set costs far less than noise. */
    CHECK(packet_size[3] > 0 && packet_size[3] * 2 < packet_size[2]);
    /* Noise costs what its pixels do: a version 2 packet of exactly W x H bytes is
     * the pixels themselves (spec §3). */
    CHECK_EQ(packet_size[2], (size_t)(8 * 8));
}

/* Version 1 streams (before raw packets) still decode; in them a packet of the
 * picture's size is a coded one, whatever it holds (an error or pixels, never a
 * crash). */
static void test_version1(void)
{
    const int w = 8, h = 8;
    uint8_t noise[64], like[64];
    fill(noise, sizeof(noise), 2);
    fill(like, sizeof(like), 3);
    NCCodecContext *enc = NULL, *dec = NULL;
    CHECK_EQ(pc_test_open_encoder(&enc, w, h, NC_PIX_GRAY8, "pclossless-test", model_file), 0);
    NCFrame in = {0}, out = {0};
    NCPacket coded = {0}, raw = {0};
    CHECK_EQ(pc_test_make_frame(&in, w, h, NC_PIX_GRAY8, like), 0);
    CHECK_EQ(pc_test_encode(enc, &in, &coded), 0);
    nc_frame_unref(&in);
    CHECK_EQ(pc_test_make_frame(&in, w, h, NC_PIX_GRAY8, noise), 0);
    CHECK_EQ(pc_test_encode(enc, &in, &raw), 0);
    CHECK(coded.size < 64 && raw.size == 64 && !memcmp(raw.data, noise, 64));
    CHECK(enc->extradata[0] & NCI_MODEL_HEADER_COMPACT);
    enc->extradata[0] = (uint8_t)((enc->extradata[0] & 0xC0) | 1); /* the header of version 1 */
    CHECK_EQ(pc_test_open_decoder(&dec, enc, model_file), 0);
    nc_frame_unref(&in);
    CHECK_EQ(pc_test_make_frame(&in, w, h, NC_PIX_GRAY8, like), 0);
    CHECK_EQ(pc_test_decode(dec, &coded, &out), 0);
    CHECK(pc_test_same_pixels(&in, &out));
    nc_frame_unref(&out);
    pc_test_decode(dec, &raw, &out);
    nc_frame_unref(&out);
    nc_frame_unref(&in);
    nc_packet_unref(&coded);
    nc_packet_unref(&raw);
    nc_codec_free_context(&enc);
    nc_codec_free_context(&dec);
}

/* Damaged packets and headers fail cleanly; another model is refused. */
static void test_damage(void)
{
    int w = 21, h = 11;
    uint8_t pix[21 * 11];
    fill(pix, sizeof(pix), 3);
    NCCodecContext *enc = NULL, *dec = NULL;
    NCFrame in = {0}, out = {0};
    NCPacket pkt = {0}, bad = {0};
    CHECK_EQ(pc_test_make_frame(&in, w, h, NC_PIX_GRAY8, pix), 0);
    CHECK_EQ(pc_test_open_encoder(&enc, w, h, NC_PIX_GRAY8, "pclossless-test", model_file), 0);
    CHECK_EQ(pc_test_encode(enc, &in, &pkt), 0);
    CHECK_EQ(pc_test_open_decoder(&dec, enc, model_file), 0);

    for (size_t cut = 0; cut < pkt.size; cut += 1 + pkt.size / 16) { /* truncated */
        CHECK_EQ(nc_packet_from_data(&bad, pkt.data, cut), 0);
        int ret = pc_test_decode(dec, &bad, &out);
        CHECK(ret == NC_ETRUNCATED || ret == NC_EINVALIDDATA);
        nc_frame_unref(&out);
        nc_packet_unref(&bad);
    }
    int detected = 0, trials = 0;
    for (size_t i = 0; i < pkt.size; i++, trials++) { /* one flipped byte: never a crash */
        CHECK_EQ(nc_packet_from_data(&bad, pkt.data, pkt.size), 0);
        bad.data[i] ^= 0x5a;
        int ret = pc_test_decode(dec, &bad, &out);
        CHECK(ret == 0 || ret == NC_ETRUNCATED || ret == NC_EINVALIDDATA);
        if (ret == 0) CHECK(out.width == w && out.height == h);
        detected += ret < 0 || !pc_test_same_pixels(&in, &out);
        nc_frame_unref(&out);
        nc_packet_unref(&bad);
    }
    CHECK(detected == trials); /* a damaged packet never decodes to the original */
    CHECK_EQ(nc_packet_from_data(&bad, pkt.data, pkt.size), 0); /* trailing garbage */
    nc_packet_unref(&bad);
    CHECK_EQ(nc_packet_new(&bad, pkt.size + 3), 0);
    memcpy(bad.data, pkt.data, pkt.size);
    bad.data[pkt.size] = 0x77;
    CHECK_EQ(pc_test_decode(dec, &bad, &out), NC_EINVALIDDATA);
    nc_packet_unref(&bad);
    nc_frame_unref(&out);
    CHECK_EQ(pc_test_decode(dec, &pkt, &out), 0); /* still usable */
    CHECK(pc_test_same_pixels(&in, &out));
    nc_frame_unref(&out);
    nc_codec_free_context(&dec);

    /* Headers: damaged, later version, and a model with another hash. */
    uint8_t header[128];
    size_t hs = enc->extradata_size;
    memcpy(header, enc->extradata, hs);
    NCCodecContext *d2 = nc_codec_alloc_context(nc_codec_find_decoder_by_name("pclossless"));
    d2->width = w;
    d2->height = h;
    d2->pix_fmt = NC_PIX_GRAY8;
    header[0] ^= NCI_MODEL_HEADER_COMPACT; /* read as a classic header: no PCL magic */
    CHECK_EQ(nc_codec_set_extradata(d2, header, hs), 0);
    CHECK_EQ(nc_codec_open(d2), NC_EINVALIDDATA);
    nc_codec_free_context(&d2);

    d2 = nc_codec_alloc_context(nc_codec_find_decoder_by_name("pclossless"));
    d2->width = w;
    d2->height = h;
    d2->pix_fmt = NC_PIX_GRAY8;
    header[0] ^= NCI_MODEL_HEADER_COMPACT;
    header[0] = (uint8_t)((header[0] & 0xC0) | 9); /* version 9 */
    CHECK_EQ(nc_codec_set_extradata(d2, header, hs), 0);
    CHECK_EQ(nc_codec_open(d2), NC_ENOTSUP);
    nc_codec_free_context(&d2);

    CHECK(pc_test_open_decoder(&d2, enc, other_file) == NC_EMODEL);
    CHECK(d2 == NULL);

    nc_packet_unref(&pkt);
    nc_frame_unref(&in);
    nc_codec_free_context(&enc);
}

/* nc-train's entry: an idx file in a folder in, a loadable model out. */
static void test_trainer(void)
{
    char dir[256], path[512];
    snprintf(dir, sizeof(dir), "pclossless-train-%d", (int)getpid());
    CHECK_EQ(mkdir(dir, 0700), 0);
    snprintf(path, sizeof(path), "%s/train-images-idx3-ubyte", dir);
    FILE *f = fopen(path, "wb");
    uint8_t hdr[16] = {0, 0, 8, 3, 0, 0, NSAMPLES >> 8, NSAMPLES & 255, 0, 0, 0, SIDE, 0, 0, 0, SIDE};
    CHECK(f && fwrite(hdr, 1, 16, f) == 16 && fwrite(data, 1, sizeof(data), f) == sizeof(data));
    if (f) fclose(f);
    char out[512];
    snprintf(out, sizeof(out), "%s/pclossless-small.ncm", dir);
    const char *options[] = {"states=3", "minibatch_epochs=1", "full_epochs=1"};
    NCTrainJob job = {.data_dir = dir, .out_path = out, .seed = 1, .options = options, .n_options = 3};
    CHECK_EQ(pclossless_trainer.train(&job), 0);
    NCModel *model = NULL;
    PCCodingModel cm;
    CHECK_EQ(nc_model_load_file(&model, out), 0);
    CHECK_EQ(pc_coding_model_from_ncm(&cm, model), 0);
    CHECK_EQ(cm.nstates, 3);
    CHECK_EQ(cm.patch_w, SIDE);
    pc_coding_model_free(&cm);
    nc_model_free(&model);
    const char *bad[] = {"no_such_option=1"};
    job.options = bad;
    job.n_options = 1;
    CHECK_EQ(pclossless_trainer.train(&job), NC_EINVAL);
    remove(out);
    remove(path);
    rmdir(dir);
}

int main(void)
{
    snprintf(model_file, sizeof(model_file), "pclossless-test-%d.ncm", (int)getpid());
    snprintf(other_file, sizeof(other_file), "pclossless-other-%d.ncm", (int)getpid());
    nc_log_set_level(NC_LOG_QUIET);
    test_train_and_code();
    test_roundtrips();
    test_version1();
    test_damage();
    test_trainer();
    remove(model_file);
    remove(other_file);
    return test_result("test_pclossless");
}
