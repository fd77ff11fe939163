#include <stdint.h>
#include <string.h>

#include "libnc/codec_internal.h"
#include "tests/api/test_codec.h"

#define QUEUE 5

typedef struct TestPriv {
    int delay;      /* option */
    double gain;    /* option, unused by the coding: exercises FLOAT */
    int mode;       /* option: ENUM */
    int checksum;   /* option: BOOL */
    char *label;    /* option: STRING */
    NCPacket queue[QUEUE];
    int queued;
} TestPriv;

static const NCOptionEnumValue modes[] = {
    {"fast", 0, "quick"}, {"slow", 1, "careful"}, {"exact", 7, "bit-exact"}, {NULL, 0, NULL}};

static const NCOption test_options[] = {
    {"delay", "frames held back", NC_OPT_INT, offsetof(TestPriv, delay), {.i = 1}, 0, 4, NULL, "frames"},
    {"gain", "a float", NC_OPT_FLOAT, offsetof(TestPriv, gain), {.f = 1.0}, 0.0, 2.0, NULL, NULL},
    {"mode", "an enum", NC_OPT_ENUM, offsetof(TestPriv, mode), {.i = 1}, 0, 0, modes, NULL},
    {"checksum", "a bool", NC_OPT_BOOL, offsetof(TestPriv, checksum), {.i = 0}, 0, 1, NULL, NULL},
    {"label", "a string", NC_OPT_STRING, offsetof(TestPriv, label), {.s = "none"}, 0, 16, NULL, NULL},
    {NULL, NULL, 0, 0, {0}, 0, 0, NULL, NULL},
};

static int test_init_encoder(NCCodecContext *ctx)
{
    TestPriv *p = ctx->priv_data;
    uint8_t header[5] = {'T', 'S', 'T', '1', (uint8_t)p->delay};
    return nc_codec_set_extradata(ctx, header, sizeof(header));
}

static int test_init_decoder(NCCodecContext *ctx)
{
    if (ctx->extradata_size != 5 || memcmp(ctx->extradata, "TST1", 4) || ctx->extradata[4] > 4)
        return NC_EINVALIDDATA;
    return 0;
}

static void test_close(NCCodecContext *ctx)
{
    TestPriv *p = ctx->priv_data;
    for (int i = 0; i < QUEUE; i++) nc_packet_unref(&p->queue[i]);
    p->queued = 0;
}

static int frame_to_packet(const NCFrame *f, NCPacket *pkt)
{
    if (f->media_type == NC_MEDIA_BYTES) {
        int ret = nc_packet_from_data(pkt, f->data[0], f->nb_bytes);
        if (ret < 0) return ret;
        pkt->duration = 1;
    } else {
        size_t plane = (size_t)f->nb_samples * sizeof(float);
        int ret = nc_packet_new(pkt, plane * (size_t)f->channels);
        if (ret < 0) return ret;
        for (int c = 0; c < f->channels; c++) memcpy(pkt->data + plane * (size_t)c, f->data[c], plane);
        pkt->duration = f->nb_samples;
    }
    pkt->pts = f->pts;
    pkt->flags = NC_PKT_FLAG_KEY;
    return 0;
}

/* Queues encoded frames until `delay` are waiting, then releases the oldest. */
static int test_receive_packet(NCCodecContext *ctx, NCPacket *pkt)
{
    TestPriv *p = ctx->priv_data;
    while (p->queued <= p->delay) {
        NCFrame frame = {0};
        int ret = nci_codec_get_frame(ctx, &frame);
        if (ret == NC_EOF) break;
        if (ret < 0) return ret;
        ret = frame_to_packet(&frame, &p->queue[p->queued]);
        nc_frame_unref(&frame);
        if (ret < 0) return ret;
        p->queued++;
    }
    if (!p->queued) return NC_EOF;
    nc_packet_move_ref(pkt, &p->queue[0]);
    memmove(&p->queue[0], &p->queue[1], sizeof(p->queue[0]) * (QUEUE - 1));
    memset(&p->queue[QUEUE - 1], 0, sizeof(p->queue[0]));
    p->queued--;
    return 0;
}

static int test_receive_frame(NCCodecContext *ctx, NCFrame *frame)
{
    NCPacket pkt = {0};
    int ret = nci_codec_get_packet(ctx, &pkt);
    if (ret < 0) return ret;
    frame->media_type = NC_MEDIA_BYTES;
    frame->nb_bytes = pkt.size;
    ret = nc_frame_get_buffer(frame);
    if (ret >= 0) {
        if (pkt.size) memcpy(frame->data[0], pkt.data, pkt.size);
        frame->pts = pkt.pts;
        frame->duration = pkt.duration;
    }
    nc_packet_unref(&pkt);
    return ret;
}

static void test_flush(NCCodecContext *ctx)
{
    test_close(ctx);
}

static const NCCodecCallbacks encoder_cb = {
    .priv_size = sizeof(TestPriv),
    .init = test_init_encoder,
    .close = test_close,
    .receive_packet = test_receive_packet,
    .flush = test_flush,
};

static const NCCodecCallbacks decoder_cb = {
    .priv_size = sizeof(TestPriv),
    .init = test_init_decoder,
    .receive_frame = test_receive_frame,
};

const NCCodec nc_test_bytes_encoder = {
    .name = "test_bytes", .long_name = "test-only bytes codec", .media_type = NC_MEDIA_BYTES,
    .is_encoder = 1, .capabilities = NC_CODEC_CAP_DELAY | NC_CODEC_CAP_LOSSLESS,
    .options = test_options, .cb = &encoder_cb,
};

const NCCodec nc_test_bytes_decoder = {
    .name = "test_bytes", .long_name = "test-only bytes codec", .media_type = NC_MEDIA_BYTES,
    .is_encoder = 0, .capabilities = NC_CODEC_CAP_LOSSLESS, .cb = &decoder_cb,
};

static const int test_rates[] = {8000, 16000, 0};

const NCCodec nc_test_audio_encoder = {
    .name = "test_audio", .long_name = "test-only audio codec", .media_type = NC_MEDIA_AUDIO,
    .is_encoder = 1, .capabilities = NC_CODEC_CAP_DELAY, .sample_rates = test_rates,
    .options = test_options, .cb = &encoder_cb,
};
