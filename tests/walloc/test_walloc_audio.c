/* walloc audio: the 1-D band layout (round trip, frequency order of the latent
 * rows), latent coding of a block exact, and the codec through the API with a
 * model written here (an exact linear one: a permutation and its inverse, no
 * post-network), so the output can be checked against the input: lengths of 1
 * sample to several blocks, mono and stereo, no jump at block edges, the bitrate
 * option within its budget, and damaged packets failing cleanly. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/walloc/latent_coder.h"
#include "codecs/walloc/walloc_audio.h"
#include "libnc/dsp/wavelet.h"
#include "nc/nc.h"
#include "tests/test.h"

#define LEVELS 6
#define ROWS (1 << LEVELS)

static uint32_t lcg(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

/* Band b of the natural packet order holds frequency rank r with b = r ^ (r >> 1);
 * a sine's energy must land there. And the bands invert to the signal. */
static void check_bands(void)
{
    enum { N = 4096 };
    float *x = malloc(N * sizeof(float)), *bands = malloc(N * sizeof(float)),
          *tmp = malloc(N * sizeof(float));
    for (int r = 3; r < ROWS; r += 7) {
        double f = (r + 0.5) / ROWS * 0.5; /* cycles per sample, mid-row */
        for (int i = 0; i < N; i++) x[i] = (float)sin(2 * M_PI * f * i);
        walloc_audio_to_bands(x, N, N, LEVELS, bands, tmp);
        int best = -1;
        double best_e = -1;
        for (int b = 0; b < ROWS; b++) {
            double e = 0;
            for (int i = 0; i < N / ROWS; i++) e += bands[b * (N / ROWS) + i] * bands[b * (N / ROWS) + i];
            if (e > best_e) best_e = e, best = b;
        }
        CHECK_EQ(best, r ^ (r >> 1));
        CHECK_EQ(nc_wpt1d_inverse(bands, N, LEVELS, tmp), 0);
        double err = 0;
        for (int i = 0; i < N; i++) err = fmax(err, fabs(bands[i] - x[i]));
        CHECK(err < 1e-4);
    }
    /* a short signal is extended symmetrically: its samples come back */
    for (int i = 0; i < 100; i++) x[i] = (float)((int)(i * 37 % 101) - 50) / 64;
    walloc_audio_to_bands(x, 100, 128, LEVELS, bands, tmp);
    CHECK_EQ(nc_wpt1d_inverse(bands, 128, LEVELS, tmp), 0);
    for (int i = 0; i < 100; i++) CHECK(fabsf(bands[i] - x[i]) < 1e-5f);
    free(x), free(bands), free(tmp);
}

/* A block's latents as the audio codec lays them out: 2 channels of [rows][cols]. */
static void check_block_latents(void)
{
    enum { C = 2, W = WALLOC_AUDIO_BLOCK / ROWS };
    size_t n = (size_t)C * ROWS * W;
    int32_t *q = malloc(n * sizeof(int32_t)), *back = malloc(n * sizeof(int32_t));
    uint32_t seed = 3;
    for (size_t i = 0; i < n; i++) {
        int row = (int)(i / W % ROWS), m = (int)(lcg(&seed) % (unsigned)(1 + 200 / (1 + row)));
        q[i] = lcg(&seed) & 1 ? -m : m;
    }
    RCEncoder enc;
    rc_enc_init(&enc);
    CHECK_EQ(walloc_encode_latents(&enc, q, C, W, ROWS, NULL, 0, NULL), 0);
    CHECK_EQ(rc_enc_flush(&enc), 0);
    RCDecoder dec;
    rc_dec_init(&dec, enc.buf, enc.size);
    CHECK_EQ(walloc_decode_latents(&dec, back, C, W, ROWS, NULL, 0), 0);
    CHECK_EQ(rc_dec_finish(&dec), 0);
    CHECK(!memcmp(q, back, n * sizeof(int32_t)));
    rc_enc_free(&enc);
    free(q), free(back);
}

/* The exact linear audio model: latent row r = band r ^ (r >> 1) (the trainer's
 * start), decoded by the transpose, post-network weights zero. */
static int write_linear_model(const char *path, const char *id)
{
    WallocShape sh;
    WallocNet net = {0};
    if (walloc_shape_init(&sh, 1, LEVELS, ROWS, 4) < 0) return -1;
    net.shape = sh;
    NCModelWriter *w = nc_model_writer_alloc(id, WALLOC_AUDIO_ARCH);
    nc_model_writer_set_param_int(w, "levels", LEVELS);
    nc_model_writer_set_param_int(w, "latents", ROWS);
    nc_model_writer_set_param_int(w, "hidden", 4);
    for (int i = 0; i < WALLOC_TENSORS; i++) {
        const char *name;
        int ndim, shape[4];
        int64_t dims[4], n = 1;
        walloc_net_tensor(&net, i, &name, &ndim, shape);
        for (int d = 0; d < ndim; d++) n *= dims[d] = shape[d];
        float *v = calloc((size_t)n, sizeof(float));
        for (int r = 0; i < 2 && r < ROWS; r++) /* enc.weight [r][b], dec.weight [b][r] */
            v[i == 0 ? r * ROWS + (r ^ (r >> 1)) : (r ^ (r >> 1)) * ROWS + r] = 1;
        nc_model_writer_add_f32(w, name, ndim, dims, v, NC_MODEL_F32);
        free(v);
    }
    int ret = nc_model_writer_write_file(w, path, NULL);
    nc_model_writer_free(&w);
    return ret;
}

static NCCodecContext *open_encoder(const char *model_path, int channels, const char *quality,
                                    const char *bitrate)
{
    NCCodecContext *enc = nc_codec_alloc_context(nc_codec_find_encoder_by_name("walloc_audio"));
    if (!enc) return NULL;
    enc->sample_rate = 44100, enc->channels = channels;
    nc_opt_set(enc, "model", "walloc-atest");
    nc_opt_set(enc, "model_path", model_path);
    if (quality) nc_opt_set(enc, "quality", quality);
    if (bitrate) nc_opt_set(enc, "bitrate", bitrate);
    if (nc_codec_open(enc) < 0) nc_codec_free_context(&enc);
    return enc;
}

/* A test signal: two tones and a little noise, the right channel scaled. */
static float *make_signal(int n, int channels)
{
    float *x = malloc((size_t)n * channels * sizeof(float));
    uint32_t seed = 11;
    for (int i = 0; i < n; i++)
        for (int c = 0; c < channels; c++)
            x[(size_t)c * n + i] = (float)((0.3 * sin(i * 0.031) + 0.1 * sin(i * 0.57)) * (c ? 0.6 : 1) +
                                           ((double)(lcg(&seed) % 2001) - 1000) * 1e-5);
    return x;
}

/* Encodes x (planar) in frames of 10000 samples; the packets into pkts. */
static int encode_all(NCCodecContext *enc, const float *x, int n, int channels, NCPacket *pkts,
                      int max)
{
    int count = 0;
    for (int at = 0, flushed = 0; !flushed; at += 10000) {
        NCFrame f = {0};
        int len = n - at < 10000 ? n - at : 10000;
        int ret = 0;
        if (at < n) {
            f.media_type = NC_MEDIA_AUDIO, f.nb_samples = len, f.channels = channels;
            f.sample_rate = 44100;
            if (nc_frame_get_buffer(&f) < 0) return -1;
            for (int c = 0; c < channels; c++)
                memcpy(f.data[c], x + (size_t)c * n + at, (size_t)len * sizeof(float));
            ret = nc_send_frame(enc, &f);
            nc_frame_unref(&f);
        } else {
            ret = nc_send_frame(enc, NULL);
            flushed = 1;
        }
        if (ret < 0) return -1;
        while (count < max && (ret = nc_receive_packet(enc, &pkts[count])) == 0) count++;
        if (ret != NC_EAGAIN && ret != NC_EOF) return -1;
    }
    return count;
}

static NCCodecContext *open_decoder(const NCCodecContext *enc, const char *model_path)
{
    NCCodecContext *dec = nc_codec_alloc_context(nc_codec_find_decoder_by_name("walloc_audio"));
    dec->sample_rate = 44100, dec->channels = enc->channels;
    nc_codec_set_extradata(dec, enc->extradata, enc->extradata_size);
    nc_opt_set(dec, "model_path", model_path);
    if (nc_codec_open(dec) < 0) nc_codec_free_context(&dec);
    return dec;
}

/* Round trip at quality 100: every length comes back whole, close to the input
 * everywhere (block edges included: no click). */
static void check_round_trip(const char *model_path, int n, int channels)
{
    enum { MAX_PACKETS = 64 };
    NCPacket pkts[MAX_PACKETS] = {{0}};
    float *x = make_signal(n, channels);
    NCCodecContext *enc = open_encoder(model_path, channels, "100", NULL);
    CHECK(enc != NULL);
    if (!enc) return;
    int count = encode_all(enc, x, n, channels, pkts, MAX_PACKETS);
    /* a full block whenever WALLOC_AUDIO_BLOCK samples are buffered, then the rest */
    CHECK_EQ(count, (n >= WALLOC_AUDIO_BLOCK ? (n - WALLOC_AUDIO_OVERLAP) / WALLOC_AUDIO_HOP : 0) + 1);
    NCCodecContext *dec = open_decoder(enc, model_path);
    CHECK(dec != NULL);
    int got = 0;
    double max_err = 0;
    for (int p = 0; dec && p < count; p++) {
        NCFrame out = {0};
        CHECK_EQ(nc_send_packet(dec, &pkts[p]), 0);
        CHECK_EQ(nc_receive_frame(dec, &out), 0);
        CHECK_EQ(out.channels, channels);
        for (int c = 0; c < channels; c++)
            for (int i = 0; i < out.nb_samples && got + i < n; i++)
                max_err = fmax(max_err, fabs(((float *)out.data[c])[i] - x[(size_t)c * n + got + i]));
        got += out.nb_samples;
        nc_frame_unref(&out);
    }
    CHECK_EQ(got, n);
    CHECK(max_err < 0.01); /* the step at quality 100 is 0.0033 */
    /* Damage: every truncation and a flipped byte of the first packet are
     * rejected or decode to a frame of a valid length. */
    for (size_t cut = 0; dec && cut < pkts[0].size + 1; cut += 1 + pkts[0].size / 13) {
        NCPacket part = {0};
        CHECK_EQ(nc_packet_from_data(&part, pkts[0].data, cut < pkts[0].size ? cut : pkts[0].size), 0);
        if (cut == pkts[0].size && part.size > 3) part.data[part.size / 2] ^= 0x5a;
        if (nc_send_packet(dec, &part) == 0) {
            NCFrame out = {0};
            int r = nc_receive_frame(dec, &out);
            CHECK(r < 0 || (out.nb_samples >= 1 && out.nb_samples <= WALLOC_AUDIO_BLOCK));
            nc_frame_unref(&out);
        }
        nc_packet_unref(&part);
    }
    for (int p = 0; p < count; p++) nc_packet_unref(&pkts[p]);
    nc_codec_free_context(&dec);
    nc_codec_free_context(&enc);
    free(x);
}

/* bitrate=N: the packets stay within N bit/s over the stream plus one packet's
 * share (what the carried budget allows), and spend most of it. */
static void check_bitrate(const char *model_path)
{
    enum { N = 5 * WALLOC_AUDIO_HOP + 1000, MAX_PACKETS = 16 };
    NCPacket pkts[MAX_PACKETS] = {{0}};
    float *x = make_signal(N, 2);
    NCCodecContext *enc = open_encoder(model_path, 2, NULL, "48000");
    CHECK(enc != NULL);
    if (!enc) return;
    int count = encode_all(enc, x, N, 2, pkts, MAX_PACKETS);
    double bits = 0;
    for (int p = 0; p < count; p++) bits += 8.0 * pkts[p].size, nc_packet_unref(&pkts[p]);
    double budget = 48000.0 * N / 44100, share = 48000.0 * WALLOC_AUDIO_HOP / 44100;
    CHECK(bits <= budget + share);
    CHECK(bits >= 0.5 * budget);
    nc_codec_free_context(&enc);
    free(x);
}

int main(int argc, char **argv)
{
    nc_log_set_level(NC_LOG_QUIET);
    check_bands();
    check_block_latents();
    char path[4096];
    snprintf(path, sizeof(path), "%s/walloc-atest.ncm", argc > 1 ? argv[1] : ".");
    CHECK_EQ(write_linear_model(path, "walloc-atest"), 0);
    static const int lengths[] = {1, 100, WALLOC_AUDIO_BLOCK - 1, WALLOC_AUDIO_BLOCK,
                                  WALLOC_AUDIO_BLOCK + 1, 2 * WALLOC_AUDIO_HOP + WALLOC_AUDIO_OVERLAP + 5};
    for (int i = 0; i < 6; i++) {
        check_round_trip(path, lengths[i], 1);
        check_round_trip(path, lengths[i], 2);
    }
    check_bitrate(path);
    /* the image codec refuses an audio model */
    NCCodecContext *img = nc_codec_alloc_context(nc_codec_find_encoder_by_name("walloc"));
    img->width = img->height = 8, img->pix_fmt = NC_PIX_GRAY8;
    nc_opt_set(img, "model", "walloc-atest");
    nc_opt_set(img, "model_path", path);
    CHECK_EQ(nc_codec_open(img), NC_EMODEL);
    nc_codec_free_context(&img);
    remove(path);
    return test_result("walloc_audio");
}
