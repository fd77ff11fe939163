/* pclossless_bytes: exact round trips of raw bytes (text, noise, constant runs,
 * every size around the block), damaged and hostile packets, the model check and
 * nc-train's bytes input, with a small bytes model trained here on synthetic text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "codecs/pclossless/hclt_train.h"
#include "codecs/pclossless/pc_model.h"
#include "codecs/pclossless/pclossless_bytes.h"
#include "codecs/pclossless/pclossless_train.h"
#include "libnc/model_header.h"
#include "libnc/nn/train_job.h"
#include "tests/support/roundtrip.h"
#include "tests/test.h"

#define BLOCK 16
#define TEXT_SIZE 40000

static char model_file[256], other_file[256];
static uint8_t text[TEXT_SIZE];

static uint32_t rng = 777;
static uint32_t next_rand(void)
{
    rng = rng * 1664525u + 1013904223u;
    return rng >> 8;
}

/* Sentences of a small vocabulary: text a 4-state circuit can learn a little of. */
static void synth_text(uint8_t *out, size_t n)
{
    static const char *const words[] = {"the", "light", "of", "a", "prism", "is", "refracted",
                                        "and", "colours", "rays", "in", "glass"};
    size_t at = 0;
    while (at < n) {
        const char *w = words[next_rand() % 12];
        for (; *w && at < n; w++) out[at++] = (uint8_t)*w;
        if (at < n) out[at++] = next_rand() % 9 ? ' ' : '\n';
    }
}

static void train_models(void)
{
    synth_text(text, TEXT_SIZE);
    uint8_t *samples;
    int n;
    CHECK_EQ(pc_byte_blocks(text, TEXT_SIZE, BLOCK, 4, 1 << 20, 1, &samples, &n), 0);
    CHECK_EQ(n, (TEXT_SIZE - BLOCK) / 4 + 1);
    PCTrainRecipe r;
    pc_train_recipe_default(&r);
    r.nstates = 4;
    r.batch = 500;
    r.minibatch_epochs = 1;
    r.full_epochs = 3;
    PCHclt m;
    CHECK_EQ(pc_hclt_train(&m, samples, n, BLOCK, &r, NULL, NULL), 0);
    double bpd = pc_hclt_bits_per_dim(&m, samples, n);
    printf("synthetic text, %d blocks of %d: %.3f bits/byte\n", n, BLOCK, bpd);
    CHECK(bpd < 4.0);
    CHECK_EQ(pc_model_write(&m, BLOCK, 1, "pclossless-bytes-test", model_file, NULL, NULL), 0);
    pc_hclt_free(&m);
    r.seed = 2; /* the same id from another seed: another hash */
    r.full_epochs = 1;
    CHECK_EQ(pc_hclt_train(&m, samples, n, BLOCK, &r, NULL, NULL), 0);
    CHECK_EQ(pc_model_write(&m, BLOCK, 1, "pclossless-bytes-test", other_file, NULL, NULL), 0);
    pc_hclt_free(&m);
    free(samples);
}

static int open_codec(NCCodecContext **ctx, int encoder, const NCCodecContext *enc,
                      const char *path)
{
    *ctx = nc_codec_alloc_context(encoder ? nc_codec_find_encoder_by_name("pclossless_bytes")
                                          : nc_codec_find_decoder_by_name("pclossless_bytes"));
    if (!*ctx) return NC_ENOMEM;
    int ret = 0;
    if (encoder) ret = nc_opt_set(*ctx, "model", "pclossless-bytes-test");
    else ret = nc_codec_set_extradata(*ctx, enc->extradata, enc->extradata_size);
    if (ret >= 0) ret = nc_opt_set(*ctx, "model_path", path);
    if (ret >= 0) ret = nc_codec_open(*ctx);
    if (ret < 0) nc_codec_free_context(ctx);
    return ret;
}

static int make_frame(NCFrame *f, const uint8_t *bytes, size_t n)
{
    memset(f, 0, sizeof(*f));
    f->media_type = NC_MEDIA_BYTES;
    f->nb_bytes = n;
    f->pts = 0;
    f->duration = (int64_t)n;
    int ret = nc_frame_get_buffer(f);
    if (ret >= 0 && n) memcpy(f->data[0], bytes, n);
    return ret;
}

/* Encodes bytes[0..n) and decodes it again; returns the packet size, -1 on a
 * mismatch. */
static long roundtrip(NCCodecContext *enc, NCCodecContext *dec, const uint8_t *bytes, size_t n)
{
    NCFrame in, out = {0};
    NCPacket pkt = {0};
    long size = -1;
    CHECK_EQ(make_frame(&in, bytes, n), 0);
    CHECK_EQ(pc_test_encode(enc, &in, &pkt), 0);
    CHECK(pkt.size > 0);
    CHECK_EQ(pc_test_decode(dec, &pkt, &out), 0);
    if (out.media_type == NC_MEDIA_BYTES && out.nb_bytes == n &&
        (n == 0 || !memcmp(out.data[0], bytes, n)))
        size = (long)pkt.size;
    else
        fprintf(stderr, "bytes round trip differs: %zu bytes\n", n);
    nc_packet_unref(&pkt);
    nc_frame_unref(&in);
    nc_frame_unref(&out);
    return size;
}

static void test_roundtrips(void)
{
    NCCodecContext *enc, *dec;
    CHECK_EQ(open_codec(&enc, 1, NULL, model_file), 0);
    CHECK_EQ(open_codec(&dec, 0, enc, model_file), 0);
    if (!enc || !dec) return;
    static const size_t sizes[] = {0, 1, 2, 15, 16, 17, 31, 33, 100, 1000, 65536, 65537, 200003};
    size_t big = 200003;
    uint8_t *buf = malloc(big);
    for (int kind = 0; kind < 4; kind++) {
        for (size_t i = 0; i < big; i++)
            buf[i] = kind == 0 ? text[i % TEXT_SIZE] : kind == 1 ? (uint8_t)next_rand()
                                                   : kind == 2 ? 0 : 0xFF;
        for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
            long size = roundtrip(enc, dec, buf, sizes[s]);
            CHECK(size > 0);
            /* Raw fallback: never above 8 bits per byte plus the flags (6 bits for a
             * raw block), the length and the end of the stream. */
            size_t blocks = (sizes[s] + BLOCK - 1) / BLOCK;
            CHECK((size_t)size <= sizes[s] + (6 * blocks + 7) / 8 + 6);
            if (kind == 0 && sizes[s] == 200003)
                printf("synthetic text: %.3f bits/byte\n", 8.0 * (double)size / 200003);
            if (kind == 0 && sizes[s] == 200003) CHECK(8.0 * (double)size / 200003 < 4.0);
            if (kind == 1 && sizes[s] == 200003)
                printf("random bytes: %.4f bits/byte (raw blocks: 8 + 6 / %d)\n", 8.0 * (double)size / 200003, BLOCK);
        }
    }
    free(buf);
    nc_codec_free_context(&enc);
    nc_codec_free_context(&dec);
}

/* A packet holding a chosen length field and then `fill` raw bytes of value v. */
static void length_packet(NCPacket *pkt, uint32_t bits, uint32_t rest, int fill)
{
    RCEncoder e;
    rc_enc_init(&e);
    rc_encode_bits(&e, bits, PC_BYTES_LENGTH_BITS);
    if (bits > 1 && bits <= 32) rc_encode_bits(&e, rest, bits - 1);
    for (int i = 0; i < fill; i++) rc_encode_bits(&e, 0x41, 8);
    CHECK_EQ(rc_enc_flush(&e), 0);
    CHECK_EQ(nc_packet_from_data(pkt, e.buf, e.size), 0);
    rc_enc_free(&e);
}

static void test_damage(void)
{
    NCCodecContext *enc, *dec, *other = NULL;
    CHECK_EQ(open_codec(&enc, 1, NULL, model_file), 0);
    CHECK_EQ(open_codec(&dec, 0, enc, model_file), 0);
    if (!enc || !dec) return;
    NCFrame in, out = {0};
    NCPacket pkt = {0}, bad = {0};
    CHECK_EQ(make_frame(&in, text, 3001), 0);
    CHECK_EQ(pc_test_encode(enc, &in, &pkt), 0);

    for (size_t cut = 0; cut < pkt.size; cut += 1 + pkt.size / 32) { /* truncated */
        CHECK_EQ(nc_packet_from_data(&bad, pkt.data, cut), 0);
        int ret = pc_test_decode(dec, &bad, &out);
        CHECK(ret == NC_ETRUNCATED || ret == NC_EINVALIDDATA);
        CHECK(out.data[0] == NULL); /* no frame for a damaged packet */
        nc_frame_unref(&out);
        nc_packet_unref(&bad);
    }
    for (size_t i = 0; i < pkt.size; i++) { /* one flipped byte: an error or other bytes */
        CHECK_EQ(nc_packet_from_data(&bad, pkt.data, pkt.size), 0);
        bad.data[i] ^= 0x5a;
        int ret = pc_test_decode(dec, &bad, &out);
        CHECK(ret == 0 || ret == NC_ETRUNCATED || ret == NC_EINVALIDDATA);
        if (ret == 0) CHECK(out.nb_bytes != 3001 || memcmp(out.data[0], text, 3001));
        nc_frame_unref(&out);
        nc_packet_unref(&bad);
    }
    CHECK_EQ(nc_packet_new(&bad, pkt.size + 2), 0); /* trailing garbage */
    memcpy(bad.data, pkt.data, pkt.size);
    bad.data[pkt.size] = 0x77;
    bad.data[pkt.size + 1] = 0;
    CHECK_EQ(pc_test_decode(dec, &bad, &out), NC_EINVALIDDATA);
    nc_packet_unref(&bad);

    /* Hostile lengths: 0 or > 25 length bits, a length above the maximum, and the
     * maximum announced by a packet far too short for it, which must stop early. */
    length_packet(&bad, 0, 0, 4);
    CHECK_EQ(pc_test_decode(dec, &bad, &out), NC_EINVALIDDATA);
    nc_packet_unref(&bad);
    length_packet(&bad, 26, 0, 4);
    CHECK_EQ(pc_test_decode(dec, &bad, &out), NC_EINVALIDDATA);
    nc_packet_unref(&bad);
    length_packet(&bad, 25, 2, 4); /* n = 2^24 + 1 */
    CHECK_EQ(pc_test_decode(dec, &bad, &out), NC_EINVALIDDATA);
    nc_packet_unref(&bad);
    length_packet(&bad, 25, 1, 40); /* n = 2^24, 40 bytes of blocks */
    clock_t t0 = clock();
    CHECK_EQ(pc_test_decode(dec, &bad, &out), NC_ETRUNCATED);
    double seconds = (double)(clock() - t0) / CLOCKS_PER_SEC;
    CHECK(seconds < 2.0); /* one chunk, not 16 MiB of blocks */
    nc_packet_unref(&bad);
    nc_frame_unref(&out);

    CHECK_EQ(pc_test_decode(dec, &pkt, &out), 0); /* still usable */
    CHECK(out.nb_bytes == 3001 && !memcmp(out.data[0], text, 3001));
    nc_frame_unref(&out);

    /* A decoder limited to smaller frames refuses this one, cleanly. */
    NCCodecContext *small = nc_codec_alloc_context(nc_codec_find_decoder_by_name("pclossless_bytes"));
    CHECK_EQ(nc_codec_set_extradata(small, enc->extradata, enc->extradata_size), 0);
    CHECK_EQ(nc_opt_set(small, "model_path", model_file), 0);
    CHECK_EQ(nc_opt_set_int(small, "max_frame_bytes", 3000), 0);
    CHECK_EQ(nc_codec_open(small), 0);
    CHECK_EQ(pc_test_decode(small, &pkt, &out), NC_ERANGE);
    CHECK(out.data[0] == NULL);
    nc_codec_free_context(&small);

    /* Damaged header, later version, another model under the same id. */
    uint8_t header[128];
    size_t hs = enc->extradata_size;
    memcpy(header, enc->extradata, hs);
    header[0] ^= NCI_MODEL_HEADER_COMPACT; /* read as a classic header: no PCL magic */
    NCCodecContext *d2 = nc_codec_alloc_context(nc_codec_find_decoder_by_name("pclossless_bytes"));
    CHECK_EQ(nc_codec_set_extradata(d2, header, hs), 0);
    CHECK_EQ(nc_codec_open(d2), NC_EINVALIDDATA);
    nc_codec_free_context(&d2);
    header[0] ^= NCI_MODEL_HEADER_COMPACT;
    header[0] = (uint8_t)((header[0] & 0xC0) | (PC_HEADER_VERSION + 1)); /* a later version */
    d2 = nc_codec_alloc_context(nc_codec_find_decoder_by_name("pclossless_bytes"));
    CHECK_EQ(nc_codec_set_extradata(d2, header, hs), 0);
    CHECK_EQ(nc_codec_open(d2), NC_ENOTSUP);
    nc_codec_free_context(&d2);
    CHECK_EQ(open_codec(&other, 0, enc, other_file), NC_EMODEL);
    CHECK(other == NULL);

    /* A frame above the maximum is refused by the encoder, not truncated. */
    NCFrame huge = {0};
    huge.media_type = NC_MEDIA_BYTES;
    huge.nb_bytes = PC_BYTES_MAX_FRAME + 1;
    CHECK_EQ(nc_frame_get_buffer(&huge), 0);
    CHECK_EQ(pc_test_encode(enc, &huge, &bad), NC_EINVAL);
    nc_frame_unref(&huge);

    nc_packet_unref(&pkt);
    nc_frame_unref(&in);
    nc_codec_free_context(&enc);
    nc_codec_free_context(&dec);
}

/* nc-train pclossless -o input=bytes: a folder of files in, a D x 1 model out. */
static void test_trainer(void)
{
    char dir[256], path[512], out[512];
    snprintf(dir, sizeof(dir), "pclossless-bytes-train-%d", (int)getpid());
    CHECK_EQ(mkdir(dir, 0700), 0);
    snprintf(path, sizeof(path), "%s/a.txt", dir);
    FILE *f = fopen(path, "wb");
    CHECK(f && fwrite(text, 1, 5000, f) == 5000);
    if (f) fclose(f);
    snprintf(out, sizeof(out), "%s/pclossless-small.ncm", dir);
    const char *options[] = {"input=bytes", "block=24", "stride=8", "states=3",
                             "minibatch_epochs=1", "full_epochs=1"};
    NCTrainJob job = {.data_dir = dir, .out_path = out, .seed = 1, .options = options, .n_options = 6};
    CHECK_EQ(pclossless_trainer.train(&job), 0);
    NCModel *model = NULL;
    PCCodingModel cm;
    CHECK_EQ(nc_model_load_file(&model, out), 0);
    CHECK_EQ(pc_coding_model_from_ncm(&cm, model), 0);
    CHECK_EQ(cm.nstates, 3);
    CHECK_EQ(cm.patch_w, 24);
    CHECK_EQ(cm.patch_h, 1);
    pc_coding_model_free(&cm);
    nc_model_free(&model);
    const char *bad[] = {"input=sounds"};
    job.options = bad;
    job.n_options = 1;
    CHECK_EQ(pclossless_trainer.train(&job), NC_EINVAL);
    const char *none[] = {"input=bytes", "max_samples=0"};
    job.options = none;
    job.n_options = 2;
    CHECK_EQ(pclossless_trainer.train(&job), NC_EINVAL);
    remove(out);
    remove(path);
    rmdir(dir);
}

int main(void)
{
    snprintf(model_file, sizeof(model_file), "pclossless-bytes-test-%d.ncm", (int)getpid());
    snprintf(other_file, sizeof(other_file), "pclossless-bytes-other-%d.ncm", (int)getpid());
    nc_log_set_level(NC_LOG_QUIET);
    train_models();
    test_roundtrips();
    test_damage();
    test_trainer();
    remove(model_file);
    remove(other_file);
    return test_result("test_pclossless_bytes");
}
