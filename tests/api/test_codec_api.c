/* The codec API contract: argument checks, call order, the EAGAIN/EOF state
 * machine, options, frame and packet ownership. */
#include <stdlib.h>
#include <string.h>

#include "nc/nc.h"
#include "tests/api/test_codec.h"
#include "tests/test.h"

static NCCodecContext *open_bytes_encoder(int delay)
{
    NCCodecContext *ctx = nc_codec_alloc_context(&test_bytes_encoder.p);
    CHECK(ctx);
    CHECK_EQ(nc_opt_set_int(ctx, "delay", delay), 0);
    CHECK_EQ(nc_codec_open(ctx), 0);
    return ctx;
}

static void make_bytes_frame(NCFrame *f, const char *text, int64_t pts)
{
    f->media_type = NC_MEDIA_BYTES;
    f->nb_bytes = strlen(text);
    CHECK_EQ(nc_frame_get_buffer(f), 0);
    memcpy(f->data[0], text, f->nb_bytes);
    f->pts = pts;
}

static void test_null_arguments(void)
{
    NCPacket pkt = {0};
    NCFrame frame = {0};
    CHECK(!nc_codec_alloc_context(NULL));
    CHECK_EQ(nc_codec_open(NULL), NC_EINVAL);
    CHECK_EQ(nc_send_frame(NULL, NULL), NC_EINVAL);
    CHECK_EQ(nc_send_packet(NULL, NULL), NC_EINVAL);
    CHECK_EQ(nc_receive_packet(NULL, &pkt), NC_EINVAL);
    CHECK_EQ(nc_receive_frame(NULL, &frame), NC_EINVAL);
    CHECK_EQ(nc_codec_flush(NULL), NC_EINVAL);
    CHECK_EQ(nc_opt_set(NULL, "delay", "1"), NC_EINVAL);
    CHECK_EQ(nc_codec_set_extradata(NULL, NULL, 0), NC_EINVAL);
    CHECK_EQ(nc_frame_get_buffer(NULL), NC_EINVAL);
    CHECK_EQ(nc_packet_new(NULL, 1), NC_EINVAL);
    nc_codec_free_context(NULL);
    NCCodecContext *none = NULL;
    nc_codec_free_context(&none);
    CHECK(!nc_codec_find_encoder_by_name(NULL));
    CHECK(!nc_codec_find_encoder_by_name("no-such-codec"));
    CHECK(!nc_codec_iterate(NULL));
    CHECK(strlen(nc_strerror(NC_EAGAIN)) > 0);
    CHECK(strcmp(nc_strerror(12345), "unknown error") == 0);

    NCCodecContext *ctx = nc_codec_alloc_context(&test_bytes_encoder.p);
    CHECK_EQ(nc_codec_open(ctx), 0);
    CHECK_EQ(nc_receive_packet(ctx, NULL), NC_EINVAL);
    CHECK_EQ(nc_codec_set_extradata(ctx, NULL, 3), NC_EINVAL);
    nc_codec_free_context(&ctx);
    CHECK(ctx == NULL);
}

static void test_wrong_order(void)
{
    NCCodecContext *ctx = nc_codec_alloc_context(&test_bytes_encoder.p);
    NCFrame frame = {0};
    NCPacket pkt = {0};
    make_bytes_frame(&frame, "abc", 0);
    /* Before open. */
    CHECK_EQ(nc_send_frame(ctx, &frame), NC_EINVAL);
    CHECK_EQ(nc_receive_packet(ctx, &pkt), NC_EINVAL);
    CHECK_EQ(nc_codec_flush(ctx), NC_EINVAL);
    CHECK_EQ(nc_codec_open(ctx), 0);
    /* Twice, options after open, decoder calls on an encoder. */
    CHECK_EQ(nc_codec_open(ctx), NC_EINVAL);
    CHECK_EQ(nc_opt_set(ctx, "delay", "2"), NC_EINVAL);
    CHECK_EQ(nc_codec_set_extradata(ctx, (const uint8_t *)"x", 1), NC_EINVAL);
    CHECK_EQ(nc_send_packet(ctx, &pkt), NC_EINVAL);
    NCFrame out = {0};
    CHECK_EQ(nc_receive_frame(ctx, &out), NC_EINVAL);
    /* A frame of another media type. */
    NCFrame audio = {0};
    audio.media_type = NC_MEDIA_AUDIO;
    audio.channels = 1;
    audio.nb_samples = 10;
    audio.sample_rate = 8000;
    CHECK_EQ(nc_frame_get_buffer(&audio), 0);
    CHECK_EQ(nc_send_frame(ctx, &audio), NC_EINVAL);
    nc_frame_unref(&audio);
    nc_frame_unref(&frame);
    nc_codec_free_context(&ctx);

    /* A decoder with missing or wrong extradata refuses to open. */
    NCCodecContext *dec = nc_codec_alloc_context(&test_bytes_decoder.p);
    CHECK_EQ(nc_codec_open(dec), NC_EINVALIDDATA);
    nc_codec_free_context(&dec);
}

/* With delay d the first d sends produce no packet, flushing releases the rest,
 * then EOF sticks and further sends answer EOF. */
static void test_state_machine(int delay)
{
    NCCodecContext *ctx = open_bytes_encoder(delay);
    NCPacket *pkt = nc_packet_alloc();
    NCFrame frame = {0};
    const char *words[] = {"one", "two", "three", "four", "five", "six"};
    int received = 0;
    for (int i = 0; i < 6; i++) {
        make_bytes_frame(&frame, words[i], i);
        CHECK_EQ(nc_send_frame(ctx, &frame), 0);
        /* One frame pending: a second send is refused until we receive. */
        CHECK_EQ(nc_send_frame(ctx, &frame), NC_EAGAIN);
        nc_frame_unref(&frame);
        int ret;
        while ((ret = nc_receive_packet(ctx, pkt)) == 0) {
            CHECK(pkt->size == strlen(words[received]) &&
                  !memcmp(pkt->data, words[received], pkt->size));
            received++;
        }
        CHECK_EQ(ret, NC_EAGAIN);
        CHECK(pkt->data == NULL); /* receive leaves an empty packet on failure */
    }
    CHECK_EQ(received, 6 - delay);
    CHECK_EQ(nc_send_frame(ctx, NULL), 0);
    make_bytes_frame(&frame, "late", 9);
    CHECK_EQ(nc_send_frame(ctx, &frame), NC_EOF);
    CHECK_EQ(nc_send_frame(ctx, NULL), NC_EOF);
    nc_frame_unref(&frame);
    int ret;
    while ((ret = nc_receive_packet(ctx, pkt)) == 0) {
        CHECK(!memcmp(pkt->data, words[received], pkt->size));
        received++;
    }
    CHECK_EQ(ret, NC_EOF);
    CHECK_EQ(received, 6);
    CHECK_EQ(nc_receive_packet(ctx, pkt), NC_EOF);

    /* Flush starts a new stream. */
    CHECK_EQ(nc_codec_flush(ctx), 0);
    make_bytes_frame(&frame, "again", 10);
    CHECK_EQ(nc_send_frame(ctx, &frame), 0);
    nc_frame_unref(&frame);
    CHECK_EQ(nc_send_frame(ctx, NULL), 0);
    CHECK_EQ(nc_receive_packet(ctx, pkt), 0);
    CHECK_EQ(pkt->pts, 10);
    CHECK_EQ(nc_receive_packet(ctx, pkt), NC_EOF);
    nc_packet_free(&pkt);
    CHECK(pkt == NULL);
    nc_codec_free_context(&ctx);
}

static void test_round_trip_and_ownership(void)
{
    NCCodecContext *enc = open_bytes_encoder(0);
    NCCodecContext *dec = nc_codec_alloc_context(&test_bytes_decoder.p);
    CHECK_EQ(nc_codec_set_extradata(dec, enc->extradata, enc->extradata_size), 0);
    CHECK_EQ(nc_codec_open(dec), 0);

    /* A frame over the caller's own memory is copied; the caller keeps its data. */
    char text[] = "caller memory";
    NCFrame frame = {0};
    frame.media_type = NC_MEDIA_BYTES;
    frame.data[0] = (uint8_t *)text;
    frame.nb_bytes = strlen(text);
    frame.pts = 5;
    CHECK_EQ(nc_send_frame(enc, &frame), 0);
    memset(text, 'x', strlen(text)); /* must not change what was sent */
    NCPacket pkt = {0};
    CHECK_EQ(nc_receive_packet(enc, &pkt), 0);
    CHECK(pkt.size == 13 && !memcmp(pkt.data, "caller memory", 13));
    for (int i = 0; i < NC_INPUT_PADDING; i++) CHECK_EQ(pkt.data[pkt.size + i], 0);

    /* The decoder takes its own reference; our packet stays valid. */
    CHECK_EQ(nc_send_packet(dec, &pkt), 0);
    CHECK_EQ(nc_send_packet(dec, &pkt), NC_EAGAIN);
    CHECK(nc_buffer_size(pkt.buf) == 13);
    NCFrame out = {0};
    CHECK_EQ(nc_receive_frame(dec, &out), 0);
    CHECK(out.nb_bytes == 13 && !memcmp(out.data[0], "caller memory", 13));
    CHECK_EQ(out.pts, 5);
    CHECK_EQ(nc_receive_frame(dec, &out), NC_EAGAIN);
    /* An empty packet flushes, like NULL. */
    NCPacket empty = {0};
    CHECK_EQ(nc_send_packet(dec, &empty), 0);
    CHECK_EQ(nc_send_packet(dec, &pkt), NC_EOF);
    CHECK_EQ(nc_receive_frame(dec, &out), NC_EOF);

    /* Refs share data; unref drops only our share. */
    NCPacket copy = {0};
    CHECK_EQ(nc_packet_ref(&copy, &pkt), 0);
    CHECK(copy.data == pkt.data && !nc_buffer_is_writable(pkt.buf));
    CHECK_EQ(nc_packet_ref(&copy, &pkt), NC_EINVAL); /* dst must be empty */
    nc_packet_unref(&pkt);
    CHECK(nc_buffer_is_writable(copy.buf));
    CHECK_EQ(nc_packet_shrink(&copy, 4), 0);
    CHECK_EQ(copy.data[4], 0);
    nc_packet_unref(&copy);
    nc_frame_unref(&out);
    nc_codec_free_context(&enc);
    nc_codec_free_context(&dec);
}

static void test_audio_parameters(void)
{
    NCCodecContext *ctx = nc_codec_alloc_context(&test_audio_encoder.p);
    CHECK_EQ(nc_codec_open(ctx), NC_EINVAL); /* no sample rate */
    nc_codec_free_context(&ctx);
    ctx = nc_codec_alloc_context(&test_audio_encoder.p);
    ctx->sample_rate = 44100;
    ctx->channels = 1;
    CHECK_EQ(nc_codec_open(ctx), NC_ENOTSUP);
    nc_codec_free_context(&ctx);
    ctx = nc_codec_alloc_context(&test_audio_encoder.p);
    ctx->sample_rate = 16000;
    ctx->channels = 9;
    CHECK_EQ(nc_codec_open(ctx), NC_EINVAL);
    ctx->channels = 2;
    CHECK_EQ(nc_codec_open(ctx), 0);
    CHECK_EQ(ctx->time_base.den, 16000);
    NCFrame f = {0};
    f.media_type = NC_MEDIA_AUDIO;
    f.sample_rate = 16000;
    f.channels = 1; /* context says 2 */
    f.nb_samples = 160;
    CHECK_EQ(nc_frame_get_buffer(&f), 0);
    CHECK_EQ(nc_send_frame(ctx, &f), NC_EINVAL);
    nc_frame_unref(&f);
    f.media_type = NC_MEDIA_AUDIO;
    f.sample_rate = 16000;
    f.channels = 2;
    f.nb_samples = 160;
    CHECK_EQ(nc_frame_get_buffer(&f), 0);
    ((float *)f.data[1])[159] = 0.5f;
    f.pts = 0;
    CHECK_EQ(nc_send_frame(ctx, &f), 0);
    CHECK_EQ(nc_send_frame(ctx, NULL), 0);
    NCPacket pkt = {0};
    CHECK_EQ(nc_receive_packet(ctx, &pkt), 0);
    CHECK(pkt.size == 2 * 160 * sizeof(float));
    CHECK_EQ(pkt.duration, 160);
    float last;
    memcpy(&last, pkt.data + pkt.size - 4, 4);
    CHECK(last == 0.5f);
    nc_packet_unref(&pkt);
    nc_frame_unref(&f);
    nc_codec_free_context(&ctx);
}

static void test_frames(void)
{
    NCFrame *f = nc_frame_alloc();
    CHECK(f && f->pts == NC_NOPTS_VALUE);
    f->media_type = NC_MEDIA_IMAGE;
    f->width = 7;
    f->height = 5;
    f->pix_fmt = NC_PIX_YUV420P;
    CHECK_EQ(nc_frame_get_buffer(f), 0);
    CHECK(f->data[0] && f->data[1] && f->data[2] && !f->data[3]);
    CHECK(f->linesize[0] >= 7 && f->linesize[1] >= 4);
    CHECK_EQ(nc_frame_get_buffer(f), NC_EINVAL); /* already has data */
    NCFrame ref = {0};
    CHECK_EQ(nc_frame_ref(&ref, f), 0);
    CHECK(ref.data[1] == f->data[1]);
    nc_frame_free(&f);
    CHECK(f == NULL);
    ref.data[2][0] = 1; /* still ours */
    nc_frame_unref(&ref);

    NCFrame bad = {0};
    bad.media_type = NC_MEDIA_IMAGE;
    bad.width = 100000;
    bad.height = 1;
    bad.pix_fmt = NC_PIX_GRAY8;
    CHECK_EQ(nc_frame_get_buffer(&bad), NC_EINVAL);
    bad.width = 16;
    bad.pix_fmt = NC_PIX_NONE;
    CHECK_EQ(nc_frame_get_buffer(&bad), NC_EINVAL);
    bad.media_type = NC_MEDIA_AUDIO;
    bad.channels = 0;
    CHECK_EQ(nc_frame_get_buffer(&bad), NC_EINVAL);
    CHECK(bad.data[0] == NULL);
    CHECK_EQ(nc_pix_fmt_from_name("rgb24"), NC_PIX_RGB24);
    CHECK_EQ(nc_pix_fmt_from_name("bogus"), NC_PIX_NONE);
    CHECK(strcmp(nc_media_type_name(NC_MEDIA_AUDIO), "audio") == 0);
}

static void test_options(void)
{
    NCCodecContext *ctx = nc_codec_alloc_context(&test_bytes_encoder.p);
    char buf[64];
    int64_t i;
    double d, lo, hi;
    /* Defaults. */
    CHECK_EQ(nc_opt_get(ctx, "label", buf, sizeof(buf)), 0);
    CHECK(strcmp(buf, "none") == 0);
    CHECK_EQ(nc_opt_get(ctx, "mode", buf, sizeof(buf)), 0);
    CHECK(strcmp(buf, "slow") == 0);
    CHECK_EQ(nc_opt_get_int(ctx, "delay", &i), 0);
    CHECK_EQ(i, 1);
    /* Good values of every type. */
    CHECK_EQ(nc_opt_set(ctx, "delay", "3"), 0);
    CHECK_EQ(nc_opt_set(ctx, "gain", "1.5"), 0);
    CHECK_EQ(nc_opt_set(ctx, "mode", "exact"), 0);
    CHECK_EQ(nc_opt_set(ctx, "checksum", "yes"), 0);
    CHECK_EQ(nc_opt_set(ctx, "label", "hello"), 0);
    CHECK_EQ(nc_opt_get_int(ctx, "mode", &i), 0);
    CHECK_EQ(i, 7);
    CHECK_EQ(nc_opt_get_float(ctx, "gain", &d), 0);
    CHECK(d == 1.5);
    CHECK_EQ(nc_opt_get(ctx, "checksum", buf, sizeof(buf)), 0);
    CHECK(strcmp(buf, "true") == 0);
    /* Bad values keep the previous value. */
    CHECK_EQ(nc_opt_set(ctx, "delay", "5"), NC_ERANGE);
    CHECK_EQ(nc_opt_set(ctx, "delay", "-1"), NC_ERANGE);
    CHECK_EQ(nc_opt_set(ctx, "delay", "2x"), NC_EINVAL);
    CHECK_EQ(nc_opt_set(ctx, "delay", ""), NC_EINVAL);
    CHECK_EQ(nc_opt_set(ctx, "delay", "99999999999999999999999"), NC_EINVAL);
    CHECK_EQ(nc_opt_set(ctx, "delay", "9223372036854775k"), NC_ERANGE);
    CHECK_EQ(nc_opt_get_int(ctx, "delay", &i), 0);
    CHECK_EQ(i, 3);
    CHECK_EQ(nc_opt_set(ctx, "gain", "nan"), NC_ERANGE);
    CHECK_EQ(nc_opt_set(ctx, "gain", "2.5"), NC_ERANGE);
    CHECK_EQ(nc_opt_set(ctx, "mode", "medium"), NC_EINVAL);
    CHECK_EQ(nc_opt_set(ctx, "checksum", "maybe"), NC_EINVAL);
    CHECK_EQ(nc_opt_set(ctx, "label", "a string longer than sixteen"), NC_ERANGE);
    CHECK_EQ(nc_opt_set(ctx, "nosuchkey", "1"), NC_ENOOPT);
    CHECK_EQ(nc_opt_set(ctx, "delay", NULL), NC_EINVAL);
    CHECK_EQ(nc_opt_set_int(ctx, "mode", 3), NC_ERANGE);
    CHECK_EQ(nc_opt_set_int(ctx, "label", 3), NC_EINVAL);
    CHECK_EQ(nc_opt_set_float(ctx, "delay", 2.5), NC_EINVAL);
    CHECK_EQ(nc_opt_set_float(ctx, "delay", 2.0), 0);
    CHECK_EQ(nc_opt_get(ctx, "label", buf, 3), NC_ENOSPC);
    CHECK_EQ(nc_opt_get(ctx, "nosuchkey", buf, sizeof(buf)), NC_ENOOPT);
    /* Lists. */
    CHECK_EQ(nc_opt_set_from_string(ctx, "delay=4:mode=fast"), 0);
    CHECK_EQ(nc_opt_get_int(ctx, "delay", &i), 0);
    CHECK_EQ(i, 4);
    CHECK_EQ(nc_opt_set_from_string(ctx, "delay"), NC_EINVAL);
    CHECK_EQ(nc_opt_set_from_string(ctx, "delay=1:bogus=2"), NC_ENOOPT);
    /* Listing and bounds. */
    int count = 0;
    for (const NCOption *o = nc_opt_next(ctx->codec, NULL); o; o = nc_opt_next(ctx->codec, o))
        count++;
    CHECK_EQ(count, 5);
    const NCOption *mode = nc_opt_find(ctx->codec, "mode");
    CHECK_EQ(nc_opt_get_bounds(mode, &lo, &hi), 0);
    CHECK(lo == 0 && hi == 7);
    CHECK_EQ(nc_opt_get_bounds(nc_opt_find(ctx->codec, "label"), &lo, &hi), NC_EINVAL);
    CHECK_EQ(nc_opt_default_string(mode, buf, sizeof(buf)), 0);
    CHECK(strcmp(buf, "slow") == 0);
    CHECK(nc_opt_next(&test_bytes_decoder.p, NULL) == NULL);
    nc_codec_free_context(&ctx);
}

static void test_registry(void)
{
    void *it = NULL;
    int n = 0;
    for (const NCCodec *c; (c = nc_codec_iterate(&it));) {
        CHECK(c->name && c->long_name);
        CHECK(strncmp(c->name, "test_", 5) != 0); /* test codecs never registered */
        CHECK(nc_codec_is_encoder(c) ? nc_codec_find_encoder_by_name(c->name) == c
                                     : nc_codec_find_decoder_by_name(c->name) == c);
        n++;
    }
    CHECK(nc_codec_iterate(&it) == NULL); /* stays at the end */
    CHECK(n >= 0);
    CHECK(nc_version() == NC_VERSION);
    CHECK(strcmp(nc_version_string(), NC_VERSION_STRING) == 0);
    CHECK(nc_version_api() == NC_API_VERSION);
    CHECK(!nc_codec_is_encoder(NULL));
}

static int log_calls, log_last_level;
static const void *log_last_ctx;

static void count_log(void *opaque, const void *ctx, int level, const char *fmt, va_list args)
{
    (void)fmt;
    (void)args;
    CHECK(opaque == &log_calls);
    log_calls++;
    log_last_level = level;
    log_last_ctx = ctx;
}

static void test_logging(void)
{
    nc_log_set_callback(count_log, &log_calls);
    nc_log_set_level(NC_LOG_ERROR);
    CHECK_EQ(nc_log_get_level(), NC_LOG_ERROR);
    NCCodecContext *ctx = nc_codec_alloc_context(&test_bytes_encoder.p);
    CHECK_EQ(nc_opt_set(ctx, "delay", "9"), NC_ERANGE); /* logs why, about ctx */
    CHECK_EQ(log_calls, 1);
    CHECK_EQ(log_last_level, NC_LOG_ERROR);
    CHECK(log_last_ctx == ctx);
    CHECK(!strcmp(nc_log_context_name(log_last_ctx), "test_bytes")); /* the codec spoke */
    CHECK(nc_log_context_name(NULL) == NULL);
    nc_log(NULL, NC_LOG_INFO, "dropped below the level");
    CHECK_EQ(log_calls, 1);
    nc_log_set_level(NC_LOG_QUIET);
    CHECK_EQ(nc_opt_set(ctx, "delay", "9"), NC_ERANGE);
    CHECK_EQ(log_calls, 1);
    nc_log_set_level(1000);
    CHECK_EQ(nc_log_get_level(), NC_LOG_DEBUG);
    nc_log_set_callback(NULL, NULL);
    nc_log_set_level(NC_LOG_QUIET);
    nc_codec_free_context(&ctx);
}

int main(void)
{
    test_logging();
    nc_log_set_level(NC_LOG_QUIET);
    test_null_arguments();
    test_wrong_order();
    for (int delay = 0; delay <= 4; delay++) test_state_machine(delay);
    test_round_trip_and_ownership();
    test_audio_parameters();
    test_frames();
    test_options();
    test_registry();
    return test_result("test_codec_api");
}
