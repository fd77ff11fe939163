/* Audio codecs' golden streams (golden_audio.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/support/golden_audio.h"
#include "tests/support/tiny_model.h"

typedef struct Result {
    int packets, errors, samples;
    char symbols[2 * NC_SHA256_SIZE + 1];
    float *out;
} Result;

static int max_out(const GoldenAudioCodec *c)
{
    return c->samples + 64000;
}

static int write_stream(const GoldenAudioCodec *c, const char *path, const GoldenAudio *g)
{
    float *x = malloc(sizeof(float) * (size_t)c->samples);
    NCCodecContext *enc = nc_codec_alloc_context(nc_codec_find_encoder_by_name(c->codec));
    NCMuxer *mux = NULL;
    NCFrame *f = nc_frame_alloc();
    NCPacket *pkt = nc_packet_alloc();
    int ret = x && enc && f && pkt ? 0 : NC_ENOMEM;
    if (ret >= 0) {
        rvq_test_signal(x, c->samples, 7);
        enc->sample_rate = 16000;
        enc->channels = 1;
        ret = nc_opt_set_from_string(enc, g->options);
    }
    if (ret >= 0) ret = nc_codec_open(enc);
    NCStreamInfo info;
    if (ret >= 0) ret = nc_stream_info_from_context(&info, enc);
    if (ret >= 0) ret = nc_muxer_open_file(&mux, path, &info, NC_MUX_OVERWRITE);
    if (ret >= 0) {
        f->media_type = NC_MEDIA_AUDIO;
        f->channels = 1;
        f->sample_rate = 16000;
        f->nb_samples = c->samples;
        ret = nc_frame_get_buffer(f);
    }
    if (ret >= 0) {
        memcpy(f->data[0], x, sizeof(float) * (size_t)c->samples);
        ret = nc_send_frame(enc, f);
    }
    if (ret >= 0) ret = nc_send_frame(enc, NULL);
    for (int i = 0; ret >= 0; i++) {
        ret = nc_receive_packet(enc, pkt);
        if (ret == NC_EOF) {
            ret = 0;
            break;
        }
        if (ret >= 0 && g->damage && i == 1)
            pkt->data[pkt->size / 2] ^= 0x5a;
        if (ret >= 0 && g->damage && i == 2)
            ret = nc_packet_shrink(pkt, pkt->size - 2);
        if (ret >= 0) ret = nc_muxer_write_packet(mux, pkt);
        nc_packet_unref(pkt);
    }
    if (mux) {
        if (ret >= 0) ret = nc_muxer_close(&mux);
        else nc_muxer_abort(&mux);
    }
    nc_packet_free(&pkt);
    nc_frame_free(&f);
    nc_codec_free_context(&enc);
    free(x);
    return ret;
}

/* Decodes path twice: symbols through the codec's bitstream layer, samples through
 * the public decoder. */
static int read_stream(const GoldenAudioCodec *c, const char *path, Result *r)
{
    memset(r, 0, sizeof(*r));
    NCDemuxer *dmx = NULL;
    NCCodecContext *dec = NULL;
    void *layer = NULL;
    NCSha256 sha;
    NCPacket pkt = {0};
    NCFrame frame = {0};
    r->out = malloc(sizeof(float) * (size_t)max_out(c));
    int ret = r->out ? nc_demuxer_open_file(&dmx, path) : NC_ENOMEM;
    const NCStreamInfo *info = ret >= 0 ? nc_demuxer_stream_info(dmx) : NULL;
    if (ret >= 0 && !(layer = c->open(info))) ret = NC_EINVALIDDATA;
    if (ret >= 0) ret = (dec = nc_codec_alloc_context(nc_codec_find_decoder_by_name(c->codec)))
                            ? nc_stream_info_to_context(info, dec) : NC_ENOMEM;
    if (ret >= 0) ret = nc_codec_open(dec);
    nci_sha256_init(&sha);
    while (ret >= 0 && (ret = nc_demuxer_read_packet(dmx, &pkt)) >= 0) {
        r->packets++;
        c->hash_packet(layer, &pkt, &sha);
        ret = nc_send_packet(dec, &pkt);
        nc_packet_unref(&pkt);
        int g;
        while (ret >= 0 && (g = nc_receive_frame(dec, &frame)) != NC_EAGAIN) {
            if (g == NC_EINVALIDDATA) {
                r->errors++;
                continue;
            }
            if (g < 0) {
                ret = g;
                break;
            }
            if (r->samples + frame.nb_samples > max_out(c)) {
                ret = NC_ERANGE;
                break;
            }
            memcpy(r->out + r->samples, frame.data[0], sizeof(float) * (size_t)frame.nb_samples);
            r->samples += frame.nb_samples;
            nc_frame_unref(&frame);
        }
    }
    if (ret == NC_EOF) ret = 0;
    uint8_t digest[NC_SHA256_SIZE];
    nci_sha256_final(&sha, digest);
    nci_sha256_hex(digest, r->symbols);
    nc_frame_unref(&frame);
    if (layer)
        c->close(layer);
    nc_codec_free_context(&dec);
    nc_demuxer_close(&dmx);
    return ret;
}

static int write_expect(const GoldenAudioCodec *c, const char *dir, const GoldenAudio *g,
                        const Result *r)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s.expect", dir, g->name);
    FILE *f = fopen(path, "w");
    if (!f) return NC_EIO;
    fprintf(f, "packets %d\nerrors %d\nsamples %d\n%s_sha256 %s\n", r->packets, r->errors,
            r->samples, c->symbols, r->symbols);
    fclose(f);
    snprintf(path, sizeof(path), "%s/%s.s16", dir, g->name);
    f = fopen(path, "wb");
    if (!f) return NC_EIO;
    for (int i = 0; i < r->samples; i++) {
        float v = r->out[i] * 32768.0f;
        int s = (int)lrintf(v < -32768.0f ? -32768.0f : v > 32767.0f ? 32767.0f : v);
        uint8_t le[2] = {(uint8_t)s, (uint8_t)((unsigned)s >> 8)};
        fwrite(le, 1, 2, f);
    }
    fclose(f);
    return 0;
}

static int check(const GoldenAudioCodec *c, const char *dir, const GoldenAudio *g, const Result *r)
{
    char path[4096], sha[128] = "", format[64];
    int packets = -1, errors = -1, samples = -1, bad = 0;
    snprintf(path, sizeof(path), "%s/%s.expect", dir, g->name);
    snprintf(format, sizeof(format), "packets %%d\nerrors %%d\nsamples %%d\n%s_sha256 %%127s",
             c->symbols);
    FILE *f = fopen(path, "r");
    if (!f || fscanf(f, format, &packets, &errors, &samples, sha) != 4) {
        fprintf(stderr, "%s: cannot read %s\n", g->name, path);
        if (f) fclose(f);
        return 1;
    }
    fclose(f);
    if (packets != r->packets || errors != r->errors || samples != r->samples ||
        strcmp(sha, r->symbols)) {
        fprintf(stderr, "%s: got packets %d errors %d samples %d %s %s\n", g->name, r->packets,
                r->errors, r->samples, c->symbols, r->symbols);
        return 1;
    }
    snprintf(path, sizeof(path), "%s/%s.s16", dir, g->name);
    f = fopen(path, "rb");
    double err = 0, sig = 0, worst = 0;
    for (int i = 0; f && i < samples; i++) {
        uint8_t le[2];
        if (fread(le, 1, 2, f) != 2) {
            bad = 1;
            break;
        }
        double ref = (int16_t)(le[0] | le[1] << 8) / 32768.0, d = r->out[i] - ref;
        err += d * d;
        sig += ref * ref;
        if (fabs(d) > worst) worst = fabs(d);
    }
    if (f) fclose(f);
    double snr = 10 * log10((sig + 1e-20) / (err + 1e-20));
    /* the spec's tolerance plus the reference's 16-bit rounding */
    if (!f || bad || worst > c->max_error + 1.0 / 32768 || snr < c->min_snr_db) {
        fprintf(stderr, "%s: decoded audio off: max error %g, SNR %.1f dB\n", g->name, worst, snr);
        return 1;
    }
    printf("%s: ok (%d packets, %d rejected, %d samples, max error %.2g, SNR %.1f dB)\n",
           g->name, r->packets, r->errors, r->samples, worst, snr);
    return 0;
}

/* Whether two streams hold the same packets (bytes, pts, duration, flags), stream
 * parameters and headers (as the codec compares them). */
static int same_stream(const GoldenAudioCodec *c, const char *a, const char *b)
{
    NCDemuxer *da = NULL, *db = NULL;
    int same = nc_demuxer_open_file(&da, a) >= 0 && nc_demuxer_open_file(&db, b) >= 0;
    if (same) {
        const NCStreamInfo *ia = nc_demuxer_stream_info(da), *ib = nc_demuxer_stream_info(db);
        same = !strcmp(ia->codec_name, ib->codec_name) && ia->sample_rate == ib->sample_rate &&
               ia->channels == ib->channels && c->same_header(ia, ib);
    }
    while (same) {
        NCPacket pa = {0}, pb = {0};
        int ra = nc_demuxer_read_packet(da, &pa), rb = nc_demuxer_read_packet(db, &pb);
        same = ra == rb && pa.size == pb.size && pa.pts == pb.pts &&
               pa.duration == pb.duration && pa.flags == pb.flags &&
               (!pa.size || !memcmp(pa.data, pb.data, pa.size));
        nc_packet_unref(&pa);
        nc_packet_unref(&pb);
        if (ra < 0) break;
    }
    nc_demuxer_close(&da);
    nc_demuxer_close(&db);
    return same;
}

/* The encoder is deterministic too: the same input and options give the golden
 * packets with any compiler and optimization level (on one platform: its analysis
 * uses libm and kissfft). */
static int check_encoder(const GoldenAudioCodec *c, const char *golden, const GoldenAudio *g)
{
    char path[64];
    snprintf(path, sizeof(path), "/tmp/check_%s-%ld.nc", c->codec, (long)getpid());
    int ret = write_stream(c, path, g), same = ret >= 0 && same_stream(c, path, golden);
    remove(path);
    if (!same)
        fprintf(stderr, "%s: re-encoding does not give the golden stream\n", g->name);
    return !same;
}

int golden_audio_main(const GoldenAudioCodec *c, const GoldenAudio *goldens, int count, int argc,
                      char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: check_%s DIR [--write]\n", c->codec);
        return 2;
    }
    int writing = argc > 2 && !strcmp(argv[2], "--write"), failures = 0;
    nc_log_set_level(NC_LOG_QUIET);
    for (int i = 0; i < count; i++) {
        const GoldenAudio *g = &goldens[i];
        char path[4096];
        Result r = {0};
        snprintf(path, sizeof(path), "%s/%s.nc", argv[1], g->name);
        if (writing && !g->current) continue; /* older streams: decoded only */
        int ret = writing ? write_stream(c, path, g) : 0;
        if (ret >= 0) ret = read_stream(c, path, &r);
        if (ret < 0) {
            fprintf(stderr, "%s: %s\n", g->name, nc_strerror(ret));
            failures++;
        } else if (writing) {
            failures += write_expect(c, argv[1], g, &r) < 0;
        } else {
            failures += check(c, argv[1], g, &r);
            if (!g->damage && g->current)
                failures += check_encoder(c, path, g);
        }
        free(r.out);
    }
    return failures ? 1 : 0;
}
