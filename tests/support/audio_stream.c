/* Audio round trips through the public API (audio_stream.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libnc/bytes.h"
#include "tests/support/audio_stream.h"

void nct_stream_free(NCTestStream *s)
{
    free(s->extradata);
    for (int i = 0; i < s->count; i++) nc_packet_free(&s->pkts[i]);
    memset(s, 0, sizeof(*s));
}

int nct_stream_same(const NCTestStream *a, const NCTestStream *b)
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

/* Moves every packet the encoder has ready into s. */
static int drain(NCCodecContext *ctx, NCTestStream *s)
{
    for (;;) {
        if (s->count == (int)(sizeof(s->pkts) / sizeof(s->pkts[0])))
            return NC_ENOMEM;
        NCPacket *p = nc_packet_alloc();
        int r = p ? nc_receive_packet(ctx, p) : NC_ENOMEM;
        if (r < 0) {
            nc_packet_free(&p);
            return r == NC_EAGAIN || r == NC_EOF ? 0 : r;
        }
        s->bytes += p->size;
        s->pkts[s->count++] = p;
    }
}

int nct_audio_encode(const char *codec, const char *options, const float *x, int n, int rate,
                     int chunk, int threads, NCTestStream *s)
{
    memset(s, 0, sizeof(*s));
    NCCodecContext *ctx = nc_codec_alloc_context(nc_codec_find_encoder_by_name(codec));
    if (!ctx)
        return NC_ENOMEM;
    ctx->sample_rate = rate;
    ctx->channels = 1;
    ctx->threads = threads;
    int r = *options ? nc_opt_set_from_string(ctx, options) : 0;
    if (r >= 0) r = nc_codec_open(ctx);
    if (r >= 0 && !(s->extradata = malloc(ctx->extradata_size ? ctx->extradata_size : 1)))
        r = NC_ENOMEM;
    if (r >= 0) {
        memcpy(s->extradata, ctx->extradata, ctx->extradata_size);
        s->extradata_size = ctx->extradata_size;
    }
    for (int at = 0; at < n && r >= 0; at += chunk) {
        NCFrame *f = nc_frame_alloc();
        if (!f) {
            r = NC_ENOMEM;
            break;
        }
        f->media_type = NC_MEDIA_AUDIO;
        f->channels = 1;
        f->sample_rate = rate;
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

int nct_audio_decode(const char *codec, const char *options, const NCTestStream *s, int first,
                     float **out, int *errors, int64_t *first_pts)
{
    NCCodecContext *ctx = nc_codec_alloc_context(nc_codec_find_decoder_by_name(codec));
    int r = ctx ? 0 : NC_ENOMEM;
    if (r >= 0 && *options) r = nc_opt_set_from_string(ctx, options);
    if (r >= 0) r = nc_codec_set_extradata(ctx, s->extradata, s->extradata_size);
    if (r >= 0) r = nc_codec_open(ctx);
    int n = 0, cap = 0, bad = 0;
    *out = NULL;
    if (first_pts)
        *first_pts = NC_NOPTS_VALUE;
    for (int i = first; i <= s->count && r >= 0; i++) {
        r = nc_send_packet(ctx, i < s->count ? s->pkts[i] : NULL);
        NCFrame *f = nc_frame_alloc();
        int g = f ? 0 : NC_ENOMEM;
        while (g >= 0 && (g = nc_receive_frame(ctx, f)) == 0) {
            if (n + f->nb_samples > cap) {
                cap = 2 * (n + f->nb_samples);
                float *grown = realloc(*out, sizeof(float) * (size_t)cap);
                if (!grown) {
                    g = NC_ENOMEM;
                    break;
                }
                *out = grown;
            }
            if (first_pts && *first_pts == NC_NOPTS_VALUE)
                *first_pts = f->pts;
            memcpy(*out + n, f->data[0], sizeof(float) * (size_t)f->nb_samples);
            n += f->nb_samples;
            nc_frame_unref(f);
        }
        nc_frame_free(&f);
        if (g == NC_EINVALIDDATA || g == NC_ETRUNCATED)
            bad++;
        else if (g != NC_EAGAIN && g != NC_EOF)
            r = g;
    }
    if (errors)
        *errors = bad;
    nc_codec_free_context(&ctx);
    return r < 0 ? r : n;
}

int nct_write_wav(const char *path, const float *x, int n, int rate)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    uint8_t h[44];
    const uint32_t data = (uint32_t)n * 2;
    memcpy(h, "RIFF", 4);
    nci_wl32(h + 4, 36 + data);
    memcpy(h + 8, "WAVEfmt ", 8);
    nci_wl32(h + 16, 16);
    nci_wl16(h + 20, 1); /* PCM */
    nci_wl16(h + 22, 1); /* mono */
    nci_wl32(h + 24, (uint32_t)rate);
    nci_wl32(h + 28, (uint32_t)rate * 2);
    nci_wl16(h + 32, 2);
    nci_wl16(h + 34, 16);
    memcpy(h + 36, "data", 4);
    nci_wl32(h + 40, data);
    int ok = fwrite(h, 1, 44, f) == 44;
    for (int i = 0; i < n && ok; i++) {
        uint8_t s[2];
        nci_wl16(s, (uint16_t)(int16_t)lrintf(fmaxf(-1.0f, fminf(1.0f, x[i])) * 32767.0f));
        ok = fwrite(s, 2, 1, f) == 1;
    }
    return fclose(f) == 0 && ok ? 0 : -1;
}
