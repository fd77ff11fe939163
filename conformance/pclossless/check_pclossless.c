/* pclossless conformance: golden .nc streams made with the shipped
 * pclossless-mnist model (images; two with pclossless-photo, whose transform is
 * "residual") and the pclossless-text model (pclossless_bytes), and what decoding
 * each must give.
 *
 *   check_pclossless make DIR   writes the golden streams and expected.txt
 *   check_pclossless check DIR  decodes every stream of DIR/expected.txt and
 *                               compares: the SHA-256 of the decoded pixels (all
 *                               frames, rows tightly packed) or bytes, or the error; then
 *                               re-encodes the decoded frames and requires the
 *                               same packets byte for byte (encoder determinism).
 * The generators below are integer-only so that `make` is reproducible. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/pclossless/pclossless.h"
#include "libnc/model/sha256.h"
#include "nc/nc.h"
#include "tests/support/golden.h"

#define MAX_FRAMES 4

typedef struct Golden {
    const char *name;
    int w, h;
    enum NCPixelFormat fmt;
    int frames;
    int pattern;  /* see draw() */
    int damage;   /* 0 none, 1 truncate the first packet, 2 wrong model hash */
    const char *model; /* NULL: the encoder's default (auto: pclossless-mnist for gray up to 28x28,
                          else pclossless-photo; pclossless-text for bytes) */
    int sizes[MAX_FRAMES]; /* fmt NC_PIX_NONE: a bytes stream, frame i of sizes[i] bytes */
} Golden;

static const Golden goldens[] = {
    {"gray_28x28_ring", 28, 28, NC_PIX_GRAY8, 1, 0, 0, NULL, {0}},
    {"gray_1x1", 1, 1, NC_PIX_GRAY8, 1, 1, 0, NULL, {0}},
    {"gray_37x23_gradient_noise", 37, 23, NC_PIX_GRAY8, 1, 2, 0, NULL, {0}},
    {"gray_64x64_white", 64, 64, NC_PIX_GRAY8, 1, 3, 0, NULL, {0}},
    {"gray_28x28_three_frames", 28, 28, NC_PIX_GRAY8, 3, 0, 0, NULL, {0}},
    {"rgb24_13x9_noise", 13, 9, NC_PIX_RGB24, 1, 4, 0, NULL, {0}},
    {"damaged_truncated", 28, 28, NC_PIX_GRAY8, 1, 0, 1, NULL, {0}},
    {"damaged_model_hash", 28, 28, NC_PIX_GRAY8, 1, 0, 2, NULL, {0}},
    {"photo_rgb24_29x19_shaded", 29, 19, NC_PIX_RGB24, 1, 5, 0, "pclossless-photo", {0}},
    {"photo_gray_17x11_shaded", 17, 11, NC_PIX_GRAY8, 1, 5, 0, "pclossless-photo", {0}},
    {"bytes_text_300", 0, 0, NC_PIX_NONE, 1, 5, 0, NULL, {300}},
    {"bytes_empty_one_noise", 0, 0, NC_PIX_NONE, 3, 6, 0, NULL, {0, 1, 130}},
    {"bytes_damaged_truncated", 0, 0, NC_PIX_NONE, 1, 5, 1, NULL, {300}},
};

static uint32_t lcg(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 24;
}

/* pattern 0: a bright ring like a hand-drawn 0 (moves with the frame index);
 * 1: one pixel of 77; 2: a gradient with noise; 3: all white; 4: noise;
 * 5: a shaded disc on a slope with mild noise, per channel (photo-like). */
static void draw(NCFrame *f, int pattern, int index)
{
    uint32_t seed = 99u + (uint32_t)index;
    int row = nc_pix_fmt_plane_width(f->pix_fmt, 0, f->width);
    for (int y = 0; y < f->height; y++)
        for (int x = 0; x < row; x++) {
            int v = 0;
            int dx = 2 * x - 28 - 2 * index, dy = 2 * y - 28, r2 = dx * dx + dy * dy;
            switch (pattern) {
            case 0: v = r2 >= 14 * 14 && r2 <= 20 * 20 ? 255 : r2 > 20 * 20 && r2 < 23 * 23 ? 128 : 0; break;
            case 1: v = 77; break;
            case 2: v = (x * 5 + y * 3 + (int)lcg(&seed) % 9) & 255; break;
            case 3: v = 255; break;
            case 5: {
                int rgb = row > f->width, c = rgb ? x % 3 : 0, px = rgb ? x / 3 : x;
                int ex = 2 * px - 15, ey = 2 * y - 11, d2 = ex * ex + ey * ey;
                v = (d2 < 160 ? 200 - d2 / 2 : 40 + 3 * px + 2 * y) + 25 * c + (int)lcg(&seed) % 5;
                break;
            }
            default: v = (int)lcg(&seed); break;
            }
            f->data[0][(size_t)y * f->linesize[0] + (size_t)x] = (uint8_t)v;
        }
}

/* Bytes: pattern 5, words of English from a small list; 6, noise. */
static void draw_bytes(NCFrame *f, int pattern, int index)
{
    static const char *const words[] = {"the ", "light ", "of ", "rays ", "is ", "refracted, ",
                                        "and ", "colours. ", "prism ", "Newton\n"};
    uint32_t seed = 7u + (uint32_t)index;
    for (size_t i = 0; i < f->nb_bytes;) {
        if (pattern == 6) {
            f->data[0][i++] = (uint8_t)lcg(&seed);
            continue;
        }
        for (const char *w = words[lcg(&seed) % 10]; *w && i < f->nb_bytes; w++)
            f->data[0][i++] = (uint8_t)*w;
    }
}


/* fmt NC_PIX_NONE: the bytes encoder. model NULL: the encoder's default. */
static NCCodecContext *open_encoder(int w, int h, enum NCPixelFormat fmt, const char *model)
{
    NCCodecContext *enc = nc_codec_alloc_context(
        nc_codec_find_encoder_by_name(fmt == NC_PIX_NONE ? "pclossless_bytes" : "pclossless"));
    if (!enc) return NULL;
    enc->width = w;
    enc->height = h;
    enc->pix_fmt = fmt;
    if ((model && nc_opt_set(enc, "model", model) < 0) || nc_codec_open(enc) < 0)
        nc_codec_free_context(&enc);
    return enc;
}


static int make(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/expected.txt", dir);
    FILE *exp = fopen(path, "w");
    if (!exp) return 1;
    for (size_t g = 0; g < sizeof(goldens) / sizeof(goldens[0]); g++) {
        const Golden *gd = &goldens[g];
        NCCodecContext *enc = open_encoder(gd->w, gd->h, gd->fmt, gd->model);
        if (!enc) return 1;
        NCStreamInfo info;
        nc_stream_info_from_context(&info, enc);
        uint8_t header[256];
        memcpy(header, enc->extradata, enc->extradata_size);
        if (gd->damage == 2) header[enc->extradata_size - 1] ^= 0x80; /* last hash byte */
        info.extradata = header;
        NCMuxer *mux;
        snprintf(path, sizeof(path), "%s/%s.nc", dir, gd->name);
        if (nc_muxer_open_file(&mux, path, &info, NC_MUX_OVERWRITE) < 0) return 1;
        NCSha256 s;
        nci_sha256_init(&s);
        for (int i = 0; i < gd->frames; i++) {
            NCFrame f = {0};
            NCPacket pkt = {0};
            f.media_type = gd->fmt == NC_PIX_NONE ? NC_MEDIA_BYTES : NC_MEDIA_IMAGE;
            f.width = gd->w;
            f.height = gd->h;
            f.pix_fmt = gd->fmt;
            f.nb_bytes = (size_t)gd->sizes[i];
            if (nc_frame_get_buffer(&f) < 0) return 1;
            if (gd->fmt == NC_PIX_NONE)
                draw_bytes(&f, gd->pattern, i);
            else
                draw(&f, gd->pattern, i);
            f.pts = i;
            f.duration = 1;
            if (gd->fmt == NC_PIX_NONE) { /* bytes: pts and duration count bytes */
                f.pts = 0;
                for (int j = 0; j < i; j++) f.pts += gd->sizes[j];
                f.duration = gd->sizes[i];
            }
            golden_hash_frame(&s, &f);
            if (golden_encode(enc, &f, &pkt) < 0) return 1;
            if (gd->damage == 1) nc_packet_shrink(&pkt, pkt.size / 2);
            if (nc_muxer_write_packet(mux, &pkt) < 0) return 1;
            nc_packet_unref(&pkt);
            nc_frame_unref(&f);
        }
        if (nc_muxer_close(&mux) < 0) return 1;
        uint8_t digest[NC_SHA256_SIZE];
        char hex[2 * NC_SHA256_SIZE + 1];
        nci_sha256_final(&s, digest);
        nci_sha256_hex(digest, hex);
        if (gd->damage == 1)
            fprintf(exp, "%s.nc error %d\n", gd->name, NC_ETRUNCATED);
        else if (gd->damage == 2)
            fprintf(exp, "%s.nc error %d\n", gd->name, NC_EMODEL);
        else
            fprintf(exp, "%s.nc sha256 %s\n", gd->name, hex);
        nc_codec_free_context(&enc);
    }
    return fclose(exp) != 0;
}



/* The encoder of the stream's kind, size and model: the id in its header (spec §1). */
static NCCodecContext *reencoder(const NCStreamInfo *info, const NCCodecContext *dec)
{
    NCIModelPin model;
    if (pc_header_parse(NULL, info->extradata, info->extradata_size, &model) < 0) return NULL;
    int bytes = info->media_type == NC_MEDIA_BYTES;
    return open_encoder(dec->width, dec->height, bytes ? NC_PIX_NONE : dec->pix_fmt, model.id);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: check_pclossless make|check DIR\n");
        return 2;
    }
    nc_log_set_level(NC_LOG_QUIET);
    return !strcmp(argv[1], "make") ? make(argv[2]) : golden_check_list(argv[2], reencoder);
}
