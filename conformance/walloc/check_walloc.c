/* walloc conformance: golden .nc streams made with the shipped walloc-photo
 * model, and what decoding each must give.
 *
 *   check_walloc make DIR   writes the golden streams, their decoded images
 *                           (NAME.pgm / NAME.ppm) and expected.txt
 *   check_walloc check DIR  decodes every stream of DIR/expected.txt and requires:
 *                           the SHA-256 of the decoded latents (int32, little
 *                           endian, all packets) bit for bit; the decoded image
 *                           within WALLOC_TOLERANCE of NAME.p?m at every sample
 *                           (the network may run on BLAS/SIMD); re-encoding the
 *                           source picture (regenerated here) gives the same
 *                           packet bytes; damaged streams their error code.
 * The pictures are drawn with integer arithmetic so that `make` is reproducible. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/walloc/walloc.h"
#include "libnc/model/sha256.h"
#include "conformance/walloc/golden_list.h"
#include "nc/nc.h"

#define WALLOC_TOLERANCE 2

typedef struct Golden {
    const char *name;
    int w, h, channels, quality, pattern;
    int damage; /* 0 none, 1 truncated packet, 2 wrong model hash */
} Golden;

static const Golden goldens[] = {
    {"rgb24_48x32_shaded_q40", 48, 32, 3, 40, 0, 0},
    {"rgb24_29x19_noise_q100", 29, 19, 3, 100, 1, 0},
    {"gray_37x23_shaded_q64", 37, 23, 1, 64, 0, 0},
    {"rgb24_1x1_q0", 1, 1, 3, 0, 0, 0},
    {"gray_64x8_edges_q20", 64, 8, 1, 20, 2, 0},
    {"damaged_truncated", 48, 32, 3, 72, 0, 1},
    {"damaged_model_hash", 48, 32, 3, 40, 0, 2},
};

static uint32_t lcg(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 24;
}

/* 0: a shaded disc on a slope with mild noise; 1: noise; 2: vertical edges. */
static void draw(uint8_t *img, const Golden *g)
{
    uint32_t seed = 42;
    for (int y = 0; y < g->h; y++)
        for (int x = 0; x < g->w; x++)
            for (int c = 0; c < g->channels; c++) {
                int dx = 2 * x - g->w, dy = 2 * y - g->h, v;
                if (g->pattern == 0)
                    v = (dx * dx + dy * dy < g->w * g->h / 2 ? 210 - 3 * y : 30 + 2 * x) + 20 * c +
                        (int)(lcg(&seed) % 5);
                else if (g->pattern == 1)
                    v = (int)lcg(&seed);
                else
                    v = (x / 5) % 2 ? 220 : 35;
                img[((size_t)y * g->w + x) * g->channels + c] = (uint8_t)(v > 255 ? 255 : v);
            }
}

static const char *ext(int channels) { return channels == 3 ? "ppm" : "pgm"; }

static int write_pnm(const char *path, const uint8_t *img, int w, int h, int ch)
{
    FILE *f = fopen(path, "wb");
    if (!f) return 1;
    fprintf(f, "P%c\n%d %d\n255\n", ch == 3 ? '6' : '5', w, h);
    size_t n = (size_t)w * h * ch;
    int bad = fwrite(img, 1, n, f) != n;
    return fclose(f) != 0 || bad;
}

static int read_pnm(const char *path, uint8_t *img, int w, int h, int ch)
{
    FILE *f = fopen(path, "rb");
    int fw, fh, maxval;
    char p, t;
    if (!f) return 1;
    int ok = fscanf(f, "%c%c %d %d %d", &p, &t, &fw, &fh, &maxval) == 5 && fw == w && fh == h &&
             fgetc(f) != EOF && fread(img, 1, (size_t)w * h * ch, f) == (size_t)w * h * ch;
    fclose(f);
    return !ok;
}

static NCCodecContext *open_encoder(const Golden *g)
{
    NCCodecContext *enc = nc_codec_alloc_context(nc_codec_find_encoder_by_name("walloc"));
    char q[16];
    snprintf(q, sizeof(q), "%d", g->quality);
    if (!enc) return NULL;
    enc->width = g->w;
    enc->height = g->h;
    enc->pix_fmt = g->channels == 3 ? NC_PIX_RGB24 : NC_PIX_GRAY8;
    if (nc_opt_set(enc, "quality", q) < 0 || nc_codec_open(enc) < 0) nc_codec_free_context(&enc);
    return enc;
}

/* The one packet of g's picture. */
static int encode(const Golden *g, NCCodecContext *enc, NCPacket *pkt)
{
    NCFrame f = {0};
    f.media_type = NC_MEDIA_IMAGE;
    f.width = g->w;
    f.height = g->h;
    f.pix_fmt = enc->pix_fmt;
    int ret = nc_frame_get_buffer(&f);
    uint8_t *img = malloc((size_t)g->w * g->h * g->channels);
    if (ret >= 0 && !img) ret = NC_ENOMEM;
    if (ret >= 0) {
        draw(img, g);
        for (int y = 0; y < g->h; y++)
            memcpy(f.data[0] + (size_t)y * f.linesize[0], img + (size_t)y * g->w * g->channels,
                   (size_t)g->w * g->channels);
        ret = nc_send_frame(enc, &f);
    }
    if (ret >= 0) ret = nc_receive_packet(enc, pkt);
    free(img);
    nc_frame_unref(&f);
    return ret;
}

/* Decodes path's packets with the walloc internals: the latents' hash and the
 * image of the last packet; 0 or the first error. */
static int decode_file(const char *path, char hex[2 * NC_SHA256_SIZE + 1], uint8_t *img,
                       NCPacket *first)
{
    NCDemuxer *dmx;
    WallocContext wc = {0};
    NCIModelPin pin;
    int ret = nc_demuxer_open_file(&dmx, path);
    if (ret < 0) return ret;
    const NCStreamInfo *info = nc_demuxer_stream_info(dmx);
    int ch = walloc_channels(info->pix_fmt);
    ret = ch ? walloc_header_parse(NULL, info->extradata, info->extradata_size,
                                   WALLOC_HEADER_VERSION_IMAGE, &pin)
             : NC_EINVALIDDATA;
    if (ret >= 0) ret = walloc_open(&wc, NULL, pin.id, NULL, &pin, 0);
    NCSha256 s;
    nci_sha256_init(&s);
    while (ret >= 0) {
        NCPacket pkt = {0};
        if ((ret = nc_demuxer_read_packet(dmx, &pkt)) == NC_EOF) {
            ret = 0;
            break;
        }
        RCDecoder dec;
        int quality;
        rc_dec_init(&dec, pkt.data, pkt.size);
        if (ret >= 0) ret = walloc_decode_latents_of_image(&wc, &dec, info->width, info->height, &quality);
        if (ret >= 0) ret = rc_dec_finish(&dec);
        if (ret >= 0) {
            int bw, bh;
            walloc_band_size(wc.shape.levels, info->width, info->height, &bw, &bh);
            size_t n = (size_t)bw * bh * wc.shape.latents;
            for (size_t i = 0; i < n; i++) {
                uint32_t v = (uint32_t)wc.q[i];
                uint8_t le[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
                nci_sha256_update(&s, le, 4);
            }
            ret = walloc_reconstruct(&wc, quality, img, (ptrdiff_t)info->width * ch, ch,
                                     info->width, info->height);
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

static int make(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/expected.txt", dir);
    FILE *exp = fopen(path, "w");
    if (!exp) return 1;
    for (size_t i = 0; i < sizeof(goldens) / sizeof(goldens[0]); i++) {
        const Golden *g = &goldens[i];
        NCCodecContext *enc = open_encoder(g);
        NCPacket pkt = {0};
        if (!enc || encode(g, enc, &pkt) < 0) return 1;
        NCStreamInfo info;
        nc_stream_info_from_context(&info, enc);
        uint8_t header[WALLOC_HEADER_MAX_SIZE];
        memcpy(header, enc->extradata, enc->extradata_size);
        if (g->damage == 2) header[enc->extradata_size - 1] ^= 0x80;
        if (g->damage == 1) nc_packet_shrink(&pkt, pkt.size / 2);
        info.extradata = header;
        NCMuxer *mux;
        snprintf(path, sizeof(path), "%s/%s.nc", dir, g->name);
        if (nc_muxer_open_file(&mux, path, &info, NC_MUX_OVERWRITE) < 0 ||
            nc_muxer_write_packet(mux, &pkt) < 0 || nc_muxer_close(&mux) < 0)
            return 1;
        nc_packet_unref(&pkt);
        nc_codec_free_context(&enc);
        char hex[2 * NC_SHA256_SIZE + 1];
        uint8_t *img = malloc((size_t)g->w * g->h * g->channels);
        int ret = decode_file(path, hex, img, NULL);
        if (g->damage) {
            fprintf(exp, "%s error %d\n", g->name, ret);
        } else {
            snprintf(path, sizeof(path), "%s/%s.%s", dir, g->name, ext(g->channels));
            if (ret < 0 || write_pnm(path, img, g->w, g->h, g->channels)) return 1;
            /* the picture and tolerance are for conformance/run (its pixels rule) */
            fprintf(exp, "%s latents %s %s.%s %d\n", g->name, hex, g->name, ext(g->channels),
                    WALLOC_TOLERANCE);
        }
        free(img);
    }
    return fclose(exp) != 0;
}

static int check_one(const char *dir, const Golden *g, const char *kind, const char *value)
{
    char path[4096], hex[2 * NC_SHA256_SIZE + 1];
    size_t n = (size_t)g->w * g->h * g->channels;
    uint8_t *img = malloc(n), *want = malloc(n);
    NCPacket pkt = {0}, again = {0};
    snprintf(path, sizeof(path), "%s/%s.nc", dir, g->name);
    int ret = decode_file(path, hex, img, &pkt), ok;
    if (!strcmp(kind, "error")) {
        ok = ret == atoi(value);
        printf("%s: %s (decoder returned %d: %s)\n", ok ? "ok" : "FAIL", g->name, ret, nc_strerror(ret));
    } else {
        snprintf(path, sizeof(path), "%s/%s.%s", dir, g->name, ext(g->channels));
        int maxdiff = 256;
        if (ret >= 0 && !read_pnm(path, want, g->w, g->h, g->channels)) {
            maxdiff = 0;
            for (size_t i = 0; i < n; i++) {
                int d = abs((int)img[i] - (int)want[i]);
                if (d > maxdiff) maxdiff = d;
            }
        }
        NCCodecContext *enc = open_encoder(g);
        int same = enc && encode(g, enc, &again) >= 0 && again.size == pkt.size &&
                   !memcmp(again.data, pkt.data, pkt.size);
        nc_codec_free_context(&enc);
        ok = ret == 0 && !strcmp(hex, value) && maxdiff <= WALLOC_TOLERANCE && same;
        printf("%s: %s (decoder returned %d, latents %s, largest sample difference %d, "
               "re-encoded packet %s)\n", ok ? "ok" : "FAIL", g->name, ret,
               ret == 0 && !strcmp(hex, value) ? "exact" : "DIFFER", maxdiff, same ? "same" : "DIFFERS");
    }
    nc_packet_unref(&pkt);
    nc_packet_unref(&again);
    free(img);
    free(want);
    return ok;
}

static int check_entry(const char *dir, size_t index, const char *kind, const char *value)
{
    return check_one(dir, &goldens[index], kind, value);
}

int main(int argc, char **argv)
{
    return walloc_checker_main(argc, argv, "check_walloc", make, "expected.txt", goldens,
                               sizeof(goldens) / sizeof(goldens[0]), sizeof(goldens[0]),
                               check_entry);
}
