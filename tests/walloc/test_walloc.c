/* walloc: the latent coder (exact round trips, extremes, damage), the encoder's
 * quantization against a direct computation, and the codec end to end with a
 * small random model written here (no trained model needed). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/walloc/latent_coder.h"
#include "codecs/walloc/walloc.h"
#include "nc/nc.h"
#include "tests/test.h"

static uint32_t lcg(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

/* Laplace-like values of scale `scale`, a few of them huge. */
static void fill_latents(int32_t *q, size_t n, double scale, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        double u = (lcg(&seed) + 0.5) / 16777216.0;
        int32_t m = (int32_t)floor(-scale * log(u));
        if (lcg(&seed) % 997 == 0) m = WALLOC_MAX_MAG - (int32_t)(lcg(&seed) % 3);
        q[i] = lcg(&seed) & 1 ? -m : m;
    }
}

/* levels: walloc_layout()'s (0: index order; latents = 3 * 4^levels: bands). */
static void check_latent_round_trip(int latents, int w, int h, double scale, int levels)
{
    size_t n = (size_t)latents * w * h;
    int32_t *q = malloc(n * sizeof(int32_t)), *back = malloc(n * sizeof(int32_t));
    fill_latents(q, n, scale, (uint32_t)(latents * 131 + w * 7 + h));
    RCEncoder enc;
    rc_enc_init(&enc);
    CHECK_EQ(walloc_encode_latents(&enc, q, latents, w, h, NULL, levels, NULL), 0);
    CHECK_EQ(rc_enc_flush(&enc), 0);
    RCDecoder dec;
    rc_dec_init(&dec, enc.buf, enc.size);
    CHECK_EQ(walloc_decode_latents(&dec, back, latents, w, h, NULL, levels), 0);
    CHECK_EQ(rc_dec_finish(&dec), 0);
    CHECK(!memcmp(q, back, n * sizeof(int32_t)));
    /* Truncated: reported, and every decoded value stays in range. */
    if (enc.size > 4) {
        rc_dec_init(&dec, enc.buf, enc.size / 2);
        walloc_decode_latents(&dec, back, latents, w, h, NULL, levels);
        CHECK(rc_dec_finish(&dec) < 0);
        for (size_t i = 0; i < n; i++) CHECK(back[i] >= -WALLOC_MAX_MAG && back[i] <= WALLOC_MAX_MAG);
    }
    /* With context priors (and counting the decisions coding makes). */
    uint16_t *prior = malloc((size_t)latents * WALLOC_CONTEXTS * sizeof(uint16_t));
    uint32_t *counts = calloc((size_t)latents * WALLOC_CONTEXTS * 2, sizeof(uint32_t));
    uint32_t seed = 9;
    for (int i = 0; i < latents * WALLOC_CONTEXTS; i++) prior[i] = (uint16_t)(1 + lcg(&seed) % 65535);
    rc_enc_reset(&enc);
    CHECK_EQ(walloc_encode_latents(&enc, q, latents, w, h, prior, levels, NULL), 0);
    CHECK_EQ(rc_enc_flush(&enc), 0);
    rc_dec_init(&dec, enc.buf, enc.size);
    CHECK_EQ(walloc_decode_latents(&dec, back, latents, w, h, prior, levels), 0);
    CHECK_EQ(rc_dec_finish(&dec), 0);
    CHECK(!memcmp(q, back, n * sizeof(int32_t)));
    CHECK_EQ(walloc_count_latents(q, latents, w, h, counts, levels), 0);
    uint64_t zero_flags = 0;
    for (int c = 0; c < latents; c++)
        for (int k = 0; k < 18; k++)
            zero_flags += counts[(c * WALLOC_CONTEXTS + k) * 2] + counts[(c * WALLOC_CONTEXTS + k) * 2 + 1];
    CHECK_EQ(zero_flags, n); /* one zero flag per value */
    free(prior);
    free(counts);
    rc_enc_free(&enc);
    free(q);
    free(back);
}

/* The image layout codes every channel once, each after its references. */
static void check_layout(void)
{
    for (int levels = 0; levels <= WALLOC_MAX_LEVELS; levels++) {
        int latents = levels ? 3 << (2 * levels) : 7, done[768] = {0}, okay = 1;
        int order[768], refs[768][WALLOC_REFS];
        walloc_layout(latents, levels, order, refs);
        for (int i = 0; i < latents; i++) {
            int c = order[i], nref = 0;
            okay &= c >= 0 && c < latents && !done[c];
            for (int j = 0; j < WALLOC_REFS; j++)
                if (refs[c][j] >= 0) okay &= done[refs[c][j]], nref++;
            /* luma band (0, 0) alone has none; chroma bands refer to luma's */
            okay &= (nref > 0) == (levels ? c != 0 : i != 0);
            done[c] = 1;
        }
        CHECK(okay);
    }
    int order[48], refs[48][WALLOC_REFS];
    walloc_layout(48, 2, order, refs);
    /* frequency order: band fx = 2 is packet band 3; its lower neighbour fx = 1 is 1 */
    CHECK_EQ(order[2], 3);
    CHECK_EQ(refs[3][0], 1);
    /* component 2, band 5: luma's and component 1's band 5, then its neighbours */
    CHECK_EQ(refs[37][0], 5);
    CHECK_EQ(refs[37][1], 21);
}

/* The encoder's rate-distortion choice: every coded value is floor(y),
 * floor(y) + 1 or 0 (random values: no channel is coded as residuals, where the
 * third candidate would be the prediction), the decoder gets them back, lambda 0
 * is rounding, and a larger lambda zeroes more. */
static void check_rdo(void)
{
    enum { L = 48, W = 13, H = 7, N = L * W * H };
    static float yv[N];
    static int32_t q[N], back[N];
    uint32_t seed = 21;
    int zeros[2] = {0, 0};
    for (int i = 0; i < N; i++) yv[i] = ((float)(lcg(&seed) % 20001) - 10000.0f) / (i % 5 ? 4000.0f : 300.0f);
    for (int pass = 0; pass < 3; pass++) {
        float lambda = pass == 0 ? 0.0f : pass == 1 ? 0.1f : 2.0f;
        WallocRdo rdo = {yv, lambda};
        RCEncoder enc;
        RCDecoder dec;
        int okay = 1;
        for (int i = 0; i < N; i++) q[i] = (int32_t)lrintf(yv[i]);
        rc_enc_init(&enc);
        CHECK_EQ(walloc_encode_latents(&enc, q, L, W, H, NULL, 2, &rdo), 0);
        CHECK_EQ(rc_enc_flush(&enc), 0);
        rc_dec_init(&dec, enc.buf, enc.size);
        CHECK_EQ(walloc_decode_latents(&dec, back, L, W, H, NULL, 2), 0);
        CHECK_EQ(rc_dec_finish(&dec), 0);
        CHECK(!memcmp(q, back, sizeof(q)));
        for (int i = 0; i < N; i++) {
            float a = fabsf(yv[i]);
            okay &= q[i] == 0 || q[i] == (int32_t)floorf(yv[i]) || q[i] == (int32_t)floorf(yv[i]) + 1;
            if (pass == 0) okay &= fabsf(a - (float)abs(q[i])) <= 0.5f;
            if (pass) zeros[pass - 1] += q[i] == 0;
        }
        CHECK(okay);
        rc_enc_free(&enc);
    }
    CHECK(zeros[1] > zeros[0]);
}

/* All zero latents must cost almost nothing (the contexts learn fast). */
static void check_zero_cost(void)
{
    enum { L = 12, W = 64, H = 64 };
    int32_t *q = calloc((size_t)L * W * H, sizeof(int32_t));
    RCEncoder enc;
    rc_enc_init(&enc);
    walloc_encode_latents(&enc, q, L, W, H, NULL, 1, NULL);
    rc_enc_flush(&enc);
    CHECK(enc.size < 100); /* 49152 zeros */
    rc_enc_free(&enc);
    free(q);
}

/* A random model of the image architecture, written to path. */
static int write_random_model(const char *path, const char *id, int latents, int hidden)
{
    WallocShape sh;
    WallocNet net = {0};
    if (walloc_shape_init(&sh, 0, 2, latents, hidden) < 0) return -1;
    net.shape = sh;
    NCModelWriter *w = nc_model_writer_alloc(id, WALLOC_ARCH);
    nc_model_writer_set_param_int(w, "levels", 2);
    nc_model_writer_set_param_int(w, "latents", latents);
    nc_model_writer_set_param_int(w, "hidden", hidden);
    uint32_t seed = 5;
    for (int i = 0; i < WALLOC_TENSORS; i++) {
        const char *name;
        int ndim, shape[4];
        int64_t dims[4], n = 1;
        walloc_net_tensor(&net, i, &name, &ndim, shape);
        for (int d = 0; d < ndim; d++) n *= dims[d] = shape[d];
        float *v = malloc((size_t)n * sizeof(float));
        for (int64_t k = 0; k < n; k++) v[k] = ((float)(lcg(&seed) % 2001) - 1000.0f) / 4000.0f;
        nc_model_writer_add_f32(w, name, ndim, dims, v, NC_MODEL_F32);
        free(v);
    }
    int ret = nc_model_writer_write_file(w, path, NULL);
    nc_model_writer_free(&w);
    return ret;
}

static void draw(uint8_t *img, int w, int h, int ch)
{
    uint32_t seed = 11;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int c = 0; c < ch; c++) {
                int dx = x - w / 2, dy = y - h / 3;
                int v = dx * dx + dy * dy < w * h / 8 ? 190 - 2 * y : 40 + x + c * 30;
                img[(y * w + x) * ch + c] = (uint8_t)(v + (int)(lcg(&seed) % 7));
            }
}

/* The encoder's latents are round(projection / step) of the bands, and decode
 * to exactly the same integers. */
static void check_quantization(const char *model_path)
{
    WallocContext wc = {0};
    if (walloc_open(&wc, NULL, "walloc-test", model_path, NULL, 0) < 0) {
        CHECK(0);
        return;
    }
    const int w = 37, h = 22, ch = 3, quality = 60;
    uint8_t img[37 * 22 * 3];
    draw(img, w, h, ch);
    RCEncoder enc;
    rc_enc_init(&enc);
    CHECK_EQ(walloc_encode_image(&wc, &enc, img, w * ch, ch, w, h, quality, 0, 0), 0);
    CHECK_EQ(rc_enc_flush(&enc), 0);
    int bw, bh;
    walloc_band_size(2, w, h, &bw, &bh);
    CHECK_EQ(bw, 10);
    CHECK_EQ(bh, 6);
    size_t n = (size_t)bw * bh, nl = (size_t)wc.shape.latents;
    int32_t *q = malloc(nl * n * sizeof(int32_t));
    memcpy(q, wc.q, nl * n * sizeof(int32_t));
    float *bands = malloc((size_t)48 * n * sizeof(float)), *tmp = malloc((size_t)48 * n * sizeof(float));
    walloc_image_to_bands(img, w * ch, ch, w, h, 2, bands, tmp);
    double step = walloc_step(quality);
    int within = 1;
    for (size_t c = 0; c < nl; c++)
        for (size_t i = 0; i < n; i++) {
            double y = 0;
            for (int b = 0; b < 48; b++) y += (double)wc.enc_w[c * 48 + b] * bands[b * n + i];
            within &= fabs(y / step - q[c * n + i]) <= 0.5 + 1e-3;
        }
    CHECK(within);
    /* With the rate-distortion choice: each value one of the two integers around
     * y / step, or 0, or (channels coded as residuals) the median prediction. */
    rc_enc_reset(&enc);
    CHECK_EQ(walloc_encode_image(&wc, &enc, img, w * ch, ch, w, h, quality, 0, 0.3f), 0);
    for (size_t c = 0; c < nl; c++)
        for (size_t i = 0; i < n; i++) {
            double y = 0;
            for (int b = 0; b < 48; b++) y += (double)wc.enc_w[c * 48 + b] * bands[b * n + i];
            const int32_t *qc = wc.q + c * n, v = qc[i];
            int x = (int)(i % (size_t)bw), yy = (int)(i / (size_t)bw);
            int32_t l = x ? qc[i - 1] : 0, t = yy ? qc[i - bw] : 0, tl = x && yy ? qc[i - bw - 1] : 0;
            int32_t lo = l < t ? l : t, hi = l < t ? t : l;
            int32_t med = tl >= hi ? lo : tl <= lo ? hi : l + t - tl;
            within &= fabs(y / step - v) < 1 + 1e-3 || v == 0 || v == med;
        }
    CHECK(within);
    rc_enc_reset(&enc);
    CHECK_EQ(walloc_encode_image(&wc, &enc, img, w * ch, ch, w, h, quality, 0, 0), 0);
    CHECK_EQ(rc_enc_flush(&enc), 0);
    RCDecoder dec;
    int qd = -1;
    rc_dec_init(&dec, enc.buf, enc.size);
    CHECK_EQ(walloc_decode_latents_of_image(&wc, &dec, w, h, &qd), 0);
    CHECK_EQ(rc_dec_finish(&dec), 0);
    CHECK_EQ(qd, quality);
    CHECK(!memcmp(q, wc.q, nl * n * sizeof(int32_t)));
    uint8_t out[37 * 22 * 3];
    CHECK_EQ(walloc_reconstruct(&wc, qd, out, w * ch, ch, w, h), 0);
    /* A bad quality value is refused. */
    uint8_t bad[8] = {0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0};
    rc_dec_init(&dec, bad, sizeof(bad));
    CHECK_EQ(walloc_decode_latents_of_image(&wc, &dec, w, h, &qd), NC_EINVALIDDATA);
    CHECK(step > 0.1486 && step < 0.1488); /* 2 * 2^-3.75 */
    CHECK_EQ(walloc_step(0) == 2.0f, 1);
    CHECK_EQ(walloc_step(16) == 1.0f, 1);
    rc_enc_free(&enc);
    free(q), free(bands), free(tmp);
    walloc_close(&wc);
}

/* Through the public API, gray and RGB, sizes down to 1x1; damaged packets fail
 * cleanly. */
static void check_codec(const char *model_path)
{
    static const int sizes[][3] = {{1, 1, 1}, {5, 3, 3}, {33, 17, 1}, {40, 24, 3}};
    for (int s = 0; s < 4; s++) {
        int w = sizes[s][0], h = sizes[s][1], ch = sizes[s][2];
        enum NCPixelFormat fmt = ch == 3 ? NC_PIX_RGB24 : NC_PIX_GRAY8;
        NCCodecContext *enc = nc_codec_alloc_context(nc_codec_find_encoder_by_name("walloc"));
        CHECK(enc != NULL);
        if (!enc) return;
        enc->width = w, enc->height = h, enc->pix_fmt = fmt;
        CHECK_EQ(nc_opt_set(enc, "model", "walloc-test"), 0);
        CHECK_EQ(nc_opt_set(enc, "model_path", model_path), 0);
        CHECK_EQ(nc_opt_set(enc, "quality", "90"), 0);
        CHECK(nc_opt_set(enc, "quality", "101") < 0);
        CHECK_EQ(nc_codec_open(enc), 0);
        NCFrame f = {0}, out = {0};
        f.media_type = NC_MEDIA_IMAGE, f.width = w, f.height = h, f.pix_fmt = fmt;
        CHECK_EQ(nc_frame_get_buffer(&f), 0);
        uint8_t *img = malloc((size_t)w * h * ch);
        draw(img, w, h, ch);
        for (int y = 0; y < h; y++) memcpy(f.data[0] + y * f.linesize[0], img + y * w * ch, (size_t)w * ch);
        NCPacket pkt = {0};
        CHECK_EQ(nc_send_frame(enc, &f), 0);
        CHECK_EQ(nc_receive_packet(enc, &pkt), 0);
        NCCodecContext *dec = nc_codec_alloc_context(nc_codec_find_decoder_by_name("walloc"));
        dec->width = w, dec->height = h, dec->pix_fmt = fmt;
        CHECK_EQ(nc_codec_set_extradata(dec, enc->extradata, enc->extradata_size), 0);
        CHECK_EQ(nc_opt_set(dec, "model_path", model_path), 0);
        CHECK_EQ(nc_codec_open(dec), 0);
        CHECK_EQ(nc_send_packet(dec, &pkt), 0);
        CHECK_EQ(nc_receive_frame(dec, &out), 0);
        CHECK_EQ(out.width, w);
        CHECK_EQ(out.height, h);
        nc_frame_unref(&out);
        /* Every truncation of the packet is rejected or decodes to a full frame. */
        for (size_t cut = 0; cut < pkt.size; cut += 1 + pkt.size / 16) {
            NCPacket part = {0};
            CHECK_EQ(nc_packet_from_data(&part, pkt.data, cut), 0);
            if (nc_send_packet(dec, &part) == 0) {
                int r = nc_receive_frame(dec, &out);
                CHECK(r < 0 || (out.width == w && out.height == h));
                nc_frame_unref(&out);
            }
            nc_packet_unref(&part);
        }
        nc_codec_free_context(&dec);
        /* A decoder given a different model's hash refuses to open. */
        dec = nc_codec_alloc_context(nc_codec_find_decoder_by_name("walloc"));
        dec->width = w, dec->height = h, dec->pix_fmt = fmt;
        uint8_t header[WALLOC_HEADER_MAX_SIZE];
        memcpy(header, enc->extradata, enc->extradata_size);
        header[enc->extradata_size - 1] ^= 1;
        nc_codec_set_extradata(dec, header, enc->extradata_size);
        nc_opt_set(dec, "model_path", model_path);
        CHECK_EQ(nc_codec_open(dec), NC_EMODEL);
        nc_codec_free_context(&dec);
        /* An image stream of version 1 (the coding order before reference
         * channels) is refused, not decoded wrongly. */
        dec = nc_codec_alloc_context(nc_codec_find_decoder_by_name("walloc"));
        dec->width = w, dec->height = h, dec->pix_fmt = fmt;
        memcpy(header, enc->extradata, enc->extradata_size);
        CHECK_EQ(header[0] & 0x3f, WALLOC_HEADER_VERSION_IMAGE); /* compact lead byte */
        header[0] = (uint8_t)((header[0] & 0xc0) | 1);
        nc_codec_set_extradata(dec, header, enc->extradata_size);
        nc_opt_set(dec, "model_path", model_path);
        CHECK_EQ(nc_codec_open(dec), NC_ENOTSUP);
        nc_codec_free_context(&dec);
        nc_packet_unref(&pkt);
        nc_frame_unref(&f);
        free(img);
        nc_codec_free_context(&enc);
    }
}

int main(int argc, char **argv)
{
    nc_log_set_level(NC_LOG_QUIET);
    check_latent_round_trip(1, 1, 1, 0.3, 0);
    check_latent_round_trip(3, 17, 9, 0.1, 0);
    check_latent_round_trip(24, 40, 30, 2.0, 0);
    check_latent_round_trip(5, 64, 8, 300.0, 0);
    check_latent_round_trip(12, 1, 1, 0.3, 1);
    check_latent_round_trip(48, 23, 11, 1.0, 2);
    check_latent_round_trip(192, 9, 5, 40.0, 3);
    check_layout();
    check_rdo();
    check_zero_cost();
    char path[4096];
    snprintf(path, sizeof(path), "%s/walloc-test.ncm", argc > 1 ? argv[1] : ".");
    CHECK_EQ(write_random_model(path, "walloc-test", 6, 8), 0);
    check_quantization(path);
    check_codec(path);
    remove(path);
    return test_result("walloc");
}
