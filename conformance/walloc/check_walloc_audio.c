/* walloc audio conformance: golden .nc streams made with the shipped walloc-music
 * model (conformance/walloc_audio/).
 *
 *   check_walloc_audio make DIR   writes the streams, their decoded samples
 *                                 (NAME.s16: 16-bit little endian, interleaved),
 *                                 expected.txt (the runner's audio / error rules)
 *                                 and latents.txt (NAME and the SHA-256 of its
 *                                 decoded latents, int32 little endian, all packets)
 *   check_walloc_audio check DIR  requires the latents bit for bit, re-encoding the
 *                                 source (regenerated here) to give the same packet
 *                                 bytes, and damaged streams to fail with their error.
 * conformance/run checks the decoded samples against NAME.s16 (expected.txt).
 * The signals are made with integer arithmetic so that `make` is reproducible. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/walloc/walloc_audio.h"
#include "libnc/model/sha256.h"
#include "conformance/walloc/golden_list.h"
#include "nc/nc.h"

typedef struct Golden {
    const char *name;
    int rate, channels, samples, quality, pattern;
    int damage; /* 0 none, 1 truncated first packet, 2 wrong model hash */
} Golden;

static const Golden goldens[] = {
    {"stereo_44k_tones_q48", 44100, 2, WALLOC_AUDIO_BLOCK + 5000, 48, 0, 0},
    {"mono_48k_noise_q20", 48000, 1, 3000, 20, 1, 0},
    {"stereo_44k_1sample_q100", 44100, 2, 1, 100, 0, 0},
    {"damaged_truncated", 44100, 2, 4000, 60, 0, 1},
    {"damaged_model_hash", 44100, 1, 4000, 40, 0, 2},
};

static uint32_t lcg(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 16;
}

/* A triangle wave of period p in -1..1 (exact in float). */
static float tri(int i, int p)
{
    int t = i % p;
    return (float)(4 * (t < p / 2 ? t : p - t) - p) / (float)p;
}

/* 0: two triangle tones, the right channel a mix; 1: noise. Planar. */
static void draw(float *x, const Golden *g)
{
    uint32_t seed = 7;
    for (int i = 0; i < g->samples; i++)
        for (int c = 0; c < g->channels; c++) {
            float v = g->pattern ? ((float)(lcg(&seed) % 2001) - 1000.0f) / 4096.0f
                                 : 0.375f * tri(i, 100 + 60 * c) + 0.125f * tri(i, 17);
            x[(size_t)c * g->samples + i] = v;
        }
}

static NCCodecContext *open_encoder(const Golden *g)
{
    NCCodecContext *enc = nc_codec_alloc_context(nc_codec_find_encoder_by_name("walloc_audio"));
    char q[16];
    snprintf(q, sizeof(q), "%d", g->quality);
    if (!enc) return NULL;
    enc->sample_rate = g->rate;
    enc->channels = g->channels;
    if (nc_opt_set(enc, "quality", q) < 0 || nc_codec_open(enc) < 0) nc_codec_free_context(&enc);
    return enc;
}

/* All packets of g's signal (one frame, then the flush); their count or an error. */
static int encode(const Golden *g, NCCodecContext *enc, NCPacket *pkts, int max)
{
    NCFrame f = {0};
    f.media_type = NC_MEDIA_AUDIO;
    f.nb_samples = g->samples;
    f.channels = g->channels;
    f.sample_rate = g->rate;
    int ret = nc_frame_get_buffer(&f), n = 0;
    float *x = malloc((size_t)g->samples * g->channels * sizeof(float));
    if (ret >= 0 && !x) ret = NC_ENOMEM;
    if (ret >= 0) {
        draw(x, g);
        for (int c = 0; c < g->channels; c++)
            memcpy(f.data[c], x + (size_t)c * g->samples, (size_t)g->samples * sizeof(float));
        ret = nc_send_frame(enc, &f);
    }
    if (ret >= 0) ret = nc_send_frame(enc, NULL);
    while (ret >= 0 && n < max && (ret = nc_receive_packet(enc, &pkts[n])) == 0) n++;
    free(x);
    nc_frame_unref(&f);
    return ret == NC_EOF ? n : ret < 0 ? ret : NC_EBUG;
}

/* Decodes path's packets' latents with the walloc internals: their hash; *first
 * (unless NULL) gets the first packet. */
static int decode_file(const char *path, char hex[2 * NC_SHA256_SIZE + 1], NCPacket *first)
{
    NCDemuxer *dmx;
    WallocContext wc = {0};
    NCIModelPin pin;
    int ret = nc_demuxer_open_file(&dmx, path);
    if (ret < 0) return ret;
    const NCStreamInfo *info = nc_demuxer_stream_info(dmx);
    const int ch = info->channels;
    ret = walloc_header_parse(NULL, info->extradata, info->extradata_size,
                              WALLOC_HEADER_VERSION_AUDIO, &pin);
    if (ret >= 0) ret = walloc_open(&wc, NULL, pin.id, NULL, &pin, 1);
    NCSha256 s;
    nci_sha256_init(&s);
    while (ret >= 0) {
        NCPacket pkt = {0};
        if ((ret = nc_demuxer_read_packet(dmx, &pkt)) == NC_EOF) {
            ret = 0;
            break;
        }
        RCDecoder dec;
        int n, last, quality;
        rc_dec_init(&dec, pkt.data, pkt.size);
        ret = walloc_audio_decode_latents(&wc, &dec, ch, &n, &last, &quality);
        if (ret >= 0) ret = rc_dec_finish(&dec);
        if (ret >= 0) {
            int cols = (n + (1 << wc.shape.levels) - 1) >> wc.shape.levels;
            size_t count = (size_t)ch * cols * wc.shape.latents;
            for (size_t i = 0; i < count; i++) {
                uint32_t v = (uint32_t)wc.q[i];
                uint8_t le[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
                nci_sha256_update(&s, le, 4);
            }
        }
        if (ret >= 0 && first && !first->data) nc_packet_ref(first, &pkt);
        nc_packet_unref(&pkt);
    }
    uint8_t digest[NC_SHA256_SIZE];
    nci_sha256_final(&s, digest);
    nci_sha256_hex(digest, hex);
    walloc_close(&wc);
    nc_demuxer_close(&dmx);
    return ret;
}

/* The decoded samples through the public decoder, as 16-bit interleaved. */
static int decode_pcm(const char *path, const char *out_path)
{
    NCDemuxer *dmx;
    int ret = nc_demuxer_open_file(&dmx, path);
    if (ret < 0) return ret;
    const NCStreamInfo *info = nc_demuxer_stream_info(dmx);
    NCCodecContext *dec = nc_codec_alloc_context(nc_codec_find_decoder_by_name("walloc_audio"));
    FILE *out = fopen(out_path, "wb");
    if (!dec || !out) ret = NC_ENOMEM;
    if (ret >= 0) {
        dec->sample_rate = info->sample_rate;
        dec->channels = info->channels;
        ret = nc_codec_set_extradata(dec, info->extradata, info->extradata_size);
    }
    if (ret >= 0) ret = nc_codec_open(dec);
    while (ret >= 0) {
        NCPacket pkt = {0};
        NCFrame f = {0};
        if ((ret = nc_demuxer_read_packet(dmx, &pkt)) == NC_EOF) {
            ret = 0;
            break;
        }
        if (ret >= 0) ret = nc_send_packet(dec, &pkt);
        if (ret >= 0) ret = nc_receive_frame(dec, &f);
        for (int i = 0; ret >= 0 && i < f.nb_samples; i++)
            for (int c = 0; c < f.channels; c++) {
                float v = ((const float *)f.data[c])[i] * 32768.0f;
                int s = v >= 32767 ? 32767 : v <= -32768 ? -32768 : (int)(v + (v < 0 ? -0.5f : 0.5f));
                uint8_t le[2] = {(uint8_t)s, (uint8_t)((unsigned)s >> 8)};
                fwrite(le, 1, 2, out);
            }
        nc_frame_unref(&f);
        nc_packet_unref(&pkt);
    }
    if (out && fclose(out) != 0 && ret >= 0) ret = NC_EIO;
    nc_codec_free_context(&dec);
    nc_demuxer_close(&dmx);
    return ret;
}

#define MAX_PACKETS 8

static int make(const char *dir)
{
    char path[4096], name[4096];
    snprintf(path, sizeof(path), "%s/expected.txt", dir);
    FILE *exp = fopen(path, "w");
    snprintf(path, sizeof(path), "%s/latents.txt", dir);
    FILE *lat = fopen(path, "w");
    if (!exp || !lat) return 1;
    for (size_t i = 0; i < sizeof(goldens) / sizeof(goldens[0]); i++) {
        const Golden *g = &goldens[i];
        NCCodecContext *enc = open_encoder(g);
        NCPacket pkts[MAX_PACKETS] = {{0}};
        int n = enc ? encode(g, enc, pkts, MAX_PACKETS) : -1;
        if (n < 1) return 1;
        NCStreamInfo info;
        nc_stream_info_from_context(&info, enc);
        uint8_t header[WALLOC_HEADER_MAX_SIZE];
        memcpy(header, enc->extradata, enc->extradata_size);
        if (g->damage == 2) header[enc->extradata_size - 1] ^= 0x80;
        if (g->damage == 1) nc_packet_shrink(&pkts[0], pkts[0].size / 2);
        info.extradata = header;
        NCMuxer *mux;
        snprintf(path, sizeof(path), "%s/%s.nc", dir, g->name);
        if (nc_muxer_open_file(&mux, path, &info, NC_MUX_OVERWRITE) < 0) return 1;
        for (int p = 0; p < n; p++) {
            if (nc_muxer_write_packet(mux, &pkts[p]) < 0) return 1;
            nc_packet_unref(&pkts[p]);
        }
        if (nc_muxer_close(&mux) < 0) return 1;
        nc_codec_free_context(&enc);
        char hex[2 * NC_SHA256_SIZE + 1];
        int ret = decode_file(path, hex, NULL);
        if (g->damage) {
            fprintf(exp, "%s.nc error %d\n", g->name, ret);
            fprintf(lat, "%s error %d\n", g->name, ret);
            continue;
        }
        snprintf(name, sizeof(name), "%s/%s.s16", dir, g->name);
        if (ret < 0 || decode_pcm(path, name) < 0) return 1;
        /* 16-bit rounding of the reference is 1.5e-5; the network may run on BLAS/SIMD */
        fprintf(exp, "%s.nc audio %s.s16 0.001 60\n", g->name, g->name);
        fprintf(lat, "%s latents %s\n", g->name, hex);
    }
    return (fclose(exp) != 0) | (fclose(lat) != 0);
}

static int check_one(const char *dir, const Golden *g, const char *kind, const char *value)
{
    char path[4096], hex[2 * NC_SHA256_SIZE + 1];
    NCPacket pkt = {0}, again[MAX_PACKETS] = {{0}};
    snprintf(path, sizeof(path), "%s/%s.nc", dir, g->name);
    int ret = decode_file(path, hex, &pkt), ok;
    if (!strcmp(kind, "error")) {
        ok = ret == atoi(value);
        printf("%s: %s (decoder returned %d: %s)\n", ok ? "ok" : "FAIL", g->name, ret, nc_strerror(ret));
    } else {
        NCCodecContext *enc = open_encoder(g);
        int n = enc ? encode(g, enc, again, MAX_PACKETS) : -1;
        int same = n >= 1 && again[0].size == pkt.size && !memcmp(again[0].data, pkt.data, pkt.size);
        for (int p = 0; p < n; p++) nc_packet_unref(&again[p]);
        nc_codec_free_context(&enc);
        ok = ret == 0 && !strcmp(hex, value) && same;
        printf("%s: %s (decoder returned %d, latents %s, re-encoded first packet %s)\n",
               ok ? "ok" : "FAIL", g->name, ret, ret == 0 && !strcmp(hex, value) ? "exact" : "DIFFER",
               same ? "same" : "DIFFERS");
    }
    nc_packet_unref(&pkt);
    return ok;
}

static int check_entry(const char *dir, size_t index, const char *kind, const char *value)
{
    return check_one(dir, &goldens[index], kind, value);
}

int main(int argc, char **argv)
{
    return walloc_checker_main(argc, argv, "check_walloc_audio", make, "latents.txt", goldens,
                               sizeof(goldens) / sizeof(goldens[0]), sizeof(goldens[0]),
                               check_entry);
}
