/* rvqspeech through the public API with a tiny random model: lengths, streaming
 * versus whole-packet decoding, chunking and repeat determinism, nominal rate,
 * model identity checks, damaged packets and decoding from mid-stream. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nc/codec.h"
#include "nc/log.h"
#include "tests/support/tiny_model.h"
#include "tests/test.h"

static char model_path[64];
static int encoder_threads = 1;

typedef struct Stream {
    uint8_t *extradata;
    size_t extradata_size;
    NCPacket *pkts[4096];
    int count;
    size_t bytes;
} Stream;

static void stream_free(Stream *s)
{
    free(s->extradata);
    for (int i = 0; i < s->count; i++) nc_packet_free(&s->pkts[i]);
    memset(s, 0, sizeof(*s));
}

static int drain(NCCodecContext *ctx, Stream *s)
{
    for (;;) {
        NCPacket *p = nc_packet_alloc();
        int r = nc_receive_packet(ctx, p);
        if (r < 0) {
            nc_packet_free(&p);
            return r == NC_EAGAIN || r == NC_EOF ? 0 : r;
        }
        s->bytes += p->size;
        s->pkts[s->count++] = p;
    }
}

/* Encodes x[n] in chunks of `chunk` samples with options opts. */
static int encode(const char *opts, const float *x, int n, int chunk, Stream *s)
{
    memset(s, 0, sizeof(*s));
    NCCodecContext *ctx = nc_codec_alloc_context(nc_codec_find_encoder_by_name("rvqspeech"));
    if (!ctx)
        return NC_ENOMEM;
    ctx->sample_rate = 16000;
    ctx->channels = 1;
    ctx->threads = encoder_threads;
    int r = nc_opt_set(ctx, "model_path", model_path);
    if (r >= 0) r = nc_opt_set(ctx, "model", "rvqspeech-tiny");
    if (r >= 0 && *opts) r = nc_opt_set_from_string(ctx, opts);
    if (r >= 0) r = nc_codec_open(ctx);
    if (r >= 0) {
        s->extradata = malloc(ctx->extradata_size);
        memcpy(s->extradata, ctx->extradata, ctx->extradata_size);
        s->extradata_size = ctx->extradata_size;
    }
    for (int at = 0; at < n && r >= 0; at += chunk) {
        NCFrame *f = nc_frame_alloc();
        f->media_type = NC_MEDIA_AUDIO;
        f->channels = 1;
        f->sample_rate = 16000;
        f->nb_samples = n - at < chunk ? n - at : chunk;
        r = nc_frame_get_buffer(f);
        if (r >= 0) {
            memcpy(f->data[0], x + at, sizeof(float) * (size_t)f->nb_samples);
            r = nc_send_frame(ctx, f);
        }
        nc_frame_free(&f);
        if (r >= 0) r = drain(ctx, s);
    }
    if (r >= 0) r = nc_send_frame(ctx, NULL);
    if (r >= 0) r = drain(ctx, s);
    nc_codec_free_context(&ctx);
    return r;
}

/* Decodes s into *out (malloc'd); returns the sample count or an error. */
static int decode(const Stream *s, float **out, int *errors)
{
    NCCodecContext *ctx = nc_codec_alloc_context(nc_codec_find_decoder_by_name("rvqspeech"));
    int r = nc_opt_set(ctx, "model_path", model_path);
    if (r >= 0) r = nc_codec_set_extradata(ctx, s->extradata, s->extradata_size);
    if (r >= 0) r = nc_codec_open(ctx);
    int n = 0, cap = 0;
    *out = NULL;
    *errors = 0;
    for (int i = 0; i <= s->count && r >= 0; i++) {
        r = nc_send_packet(ctx, i < s->count ? s->pkts[i] : NULL);
        NCFrame *f = nc_frame_alloc();
        int g;
        while ((g = nc_receive_frame(ctx, f)) == 0) {
            if (n + f->nb_samples > cap) {
                cap = 2 * (n + f->nb_samples);
                *out = realloc(*out, sizeof(float) * (size_t)cap);
            }
            memcpy(*out + n, f->data[0], sizeof(float) * (size_t)f->nb_samples);
            n += f->nb_samples;
            nc_frame_unref(f);
        }
        nc_frame_free(&f);
        if (g == NC_EINVALIDDATA)
            (*errors)++;
        else if (g != NC_EAGAIN && g != NC_EOF)
            r = g;
    }
    nc_codec_free_context(&ctx);
    return r < 0 ? r : n;
}

static int same_bytes(const Stream *a, const Stream *b)
{
    if (a->count != b->count || a->extradata_size != b->extradata_size ||
        memcmp(a->extradata, b->extradata, a->extradata_size))
        return 0;
    for (int i = 0; i < a->count; i++)
        if (a->pkts[i]->size != b->pkts[i]->size ||
            memcmp(a->pkts[i]->data, b->pkts[i]->data, a->pkts[i]->size))
            return 0;
    return 1;
}

static void test_lengths_and_streaming(const float *x, int n)
{
    Stream whole, stream, chunked, again;
    float *a, *b;
    int e1, e2;
    CHECK_EQ(encode("bitrate=3000:packet_frames=50", x, n, n, &whole), 0);
    CHECK_EQ(whole.extradata[2], 6); /* 3000 bit/s = 6 stages (compact header: lead, flags, stages) */
    CHECK_EQ(encode("bitrate=3000:streaming=1", x, n, 160, &stream), 0);
    CHECK_EQ(encode("bitrate=3000:packet_frames=50", x, n, 777, &chunked), 0);
    CHECK_EQ(encode("bitrate=3000:packet_frames=50", x, n, n, &again), 0);
    CHECK(same_bytes(&whole, &again)); /* determinism */
    stream_free(&again);
    encoder_threads = 2;
    CHECK_EQ(encode("bitrate=3000:packet_frames=50", x, n, n, &again), 0);
    encoder_threads = 1;
    CHECK(same_bytes(&whole, &again)); /* thread count does not matter */
    CHECK(same_bytes(&whole, &chunked)); /* input chunking does not matter */
    CHECK_EQ((int)stream.count, (n + 319) / 320 + 1);
    int na = decode(&whole, &a, &e1), nb = decode(&stream, &b, &e2);
    CHECK_EQ(na, n);
    CHECK_EQ(nb, n);
    CHECK_EQ(e1 + e2, 0);
    /* one frame per packet or fifty: the same samples, bit for bit */
    CHECK(na == nb && !memcmp(a, b, sizeof(float) * (size_t)n));
    /* timestamps add up */
    int64_t t = 0;
    for (int i = 0; i < stream.count; i++) {
        CHECK_EQ(stream.pkts[i]->pts, t);
        t += stream.pkts[i]->duration;
    }
    CHECK_EQ(t, n);
    free(a);
    free(b);
    stream_free(&whole);
    stream_free(&stream);
    stream_free(&chunked);
    stream_free(&again);
}

static void test_rates(const float *x, int n)
{
    size_t prev = 0;
    for (int stages = 1; stages <= 12; stages++) {
        char opts[64];
        Stream s, nom;
        snprintf(opts, sizeof(opts), "stages=%d:packet_frames=50", stages);
        CHECK_EQ(encode(opts, x, n, n, &s), 0);
        snprintf(opts, sizeof(opts), "stages=%d:nominal=1:packet_frames=50", stages);
        CHECK_EQ(encode(opts, x, n, n, &nom), 0);
        CHECK(s.bytes > prev);
        prev = s.bytes;
        /* the entropy-coded stream is never larger than the nominal one by more than
         * the range coder's flush per packet */
        CHECK(s.bytes <= nom.bytes + 4 * (size_t)s.count);
        /* nominal: every full packet has the same size */
        for (int i = 0; i + 1 < nom.count; i++) CHECK_EQ(nom.pkts[i]->size, nom.pkts[0]->size);
        CHECK_EQ(nom.pkts[0]->size, 3 + (50 * stages * 10 + 7) / 8);
        float *y;
        int e;
        CHECK_EQ(decode(&nom, &y, &e), n);
        free(y);
        stream_free(&s);
        stream_free(&nom);
    }
}

/* Long packets with the default options: every sample comes back. */
static void test_default_packets(void)
{
    const int n = 16000 * 9 + 77;
    float *x = malloc(sizeof(float) * n), *y;
    rvq_test_signal(x, n, 4);
    Stream s;
    int e;
    CHECK_EQ(encode("", x, n, 4096, &s), 0);
    CHECK_EQ(s.count, 3); /* 452 frames in packets of 200 */
    CHECK_EQ(decode(&s, &y, &e), n);
    CHECK_EQ(e, 0);
    free(y);
    free(x);
    stream_free(&s);
}

/* Latency: output sample t depends on input samples before t + 640 (40 ms) only.
 * Two inputs that differ from sample T on decode identically up to T - 640. */
static void test_latency(const float *x, int n)
{
    const int T = 10000 + 123;
    float *x2 = malloc(sizeof(float) * n), *a, *b;
    memcpy(x2, x, sizeof(float) * n);
    for (int i = T; i < n; i++) x2[i] = -0.5f * x[i];
    Stream sa, sb;
    int e;
    CHECK_EQ(encode("streaming=1", x, n, 320, &sa), 0);
    CHECK_EQ(encode("streaming=1", x2, n, 320, &sb), 0);
    CHECK_EQ(decode(&sa, &a, &e), n);
    CHECK_EQ(decode(&sb, &b, &e), n);
    CHECK(!memcmp(a, b, sizeof(float) * (T - 640)));
    CHECK(memcmp(a, b, sizeof(float) * n)); /* the change does reach the output */
    free(a);
    free(b);
    free(x2);
    stream_free(&sa);
    stream_free(&sb);
}

static void test_damage(const float *x, int n)
{
    Stream s;
    CHECK_EQ(encode("bitrate=6000:packet_frames=10", x, n, n, &s), 0);
    float *y;
    int e;
    /* a model with another hash is refused */
    s.extradata[s.extradata_size - 1] ^= 1;
    CHECK(decode(&s, &y, &e) < 0);
    free(y);
    s.extradata[s.extradata_size - 1] ^= 1;
    /* damaged packets: clean errors, the rest still decodes */
    int flipped = 0;
    for (int i = 0; i < s.count; i += 2) {
        NCPacket *p = s.pkts[i];
        p->data[(i * 7) % p->size] ^= (uint8_t)(1 + i);
        flipped++;
    }
    int got = decode(&s, &y, &e);
    CHECK(got >= 0);
    CHECK(e >= 1 && e <= flipped);
    free(y);
    stream_free(&s);
}

/* Decoding from a packet in mid-stream (after a seek): the decoder lacks the
 * hop before the packet, so its first frame starts one hop after the packet's
 * pts and ends where the packet does. */
static void test_start_mid_stream(const float *x, int n)
{
    Stream s;
    CHECK_EQ(encode("packet_frames=10", x, n, n, &s), 0);
    CHECK(s.count > 3);
    const NCPacket *p = s.pkts[2];
    NCCodecContext *ctx = nc_codec_alloc_context(nc_codec_find_decoder_by_name("rvqspeech"));
    CHECK_EQ(nc_opt_set(ctx, "model_path", model_path), 0);
    CHECK_EQ(nc_codec_set_extradata(ctx, s.extradata, s.extradata_size), 0);
    CHECK_EQ(nc_codec_open(ctx), 0);
    NCFrame *f = nc_frame_alloc();
    CHECK_EQ(nc_send_packet(ctx, s.pkts[0]), 0);
    CHECK_EQ(nc_receive_frame(ctx, f), 0);
    CHECK_EQ(f->pts, s.pkts[0]->pts); /* the stream's start: no shift */
    nc_frame_unref(f);
    CHECK_EQ(nc_codec_flush(ctx), 0);
    CHECK_EQ(nc_send_packet(ctx, p), 0);
    CHECK_EQ(nc_receive_frame(ctx, f), 0);
    CHECK_EQ(f->pts, p->pts + 320);
    CHECK_EQ(f->pts + f->nb_samples, p->pts + p->duration);
    nc_frame_free(&f);
    nc_codec_free_context(&ctx);
    stream_free(&s);
}

int main(void)
{
    nc_log_set_level(NC_LOG_QUIET);
    snprintf(model_path, sizeof(model_path), "/tmp/rvqspeech-codec-XXXXXX.ncm");
    int fd = mkstemps(model_path, 4);
    CHECK(fd >= 0);
    CHECK_EQ(rvq_test_write_tiny_model(model_path, 2), 0);
    const int n = 16000 + 12345;
    float *x = malloc(sizeof(float) * n);
    rvq_test_signal(x, n, 1);
    test_lengths_and_streaming(x, n);
    test_rates(x, n);
    test_default_packets();
    test_latency(x, n);
    test_damage(x, n);
    test_start_mid_stream(x, n);
    free(x);
    remove(model_path);
    return test_result("test_rvqspeech_codec");
}
