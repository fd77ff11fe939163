/* lmtext conformance: golden .nc streams made with the shipped lmtext-en model in
 * each mode and with Equal-Info Windows, and what decoding each must give.
 *
 *   check_lmtext make DIR   writes the golden streams and expected.txt
 *   check_lmtext check DIR  decodes every stream of DIR/expected.txt and compares
 *                           the SHA-256 of the decoded bytes (all frames), or the
 *                           error; then re-encodes the decoded frames with the
 *                           stream's model, mode and window size and requires the
 *                           same packets byte for byte (encoder determinism).
 * The generators below are integer-only so that `make` is reproducible. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/lmtext/lmtext.h"
#include "libnc/model/sha256.h"
#include "nc/nc.h"
#include "tests/support/golden.h"

#define MAX_FRAMES 3

typedef struct Golden {
    const char *name;
    const char *mode;
    int window_bits;
    int pattern; /* see draw() */
    int damage;  /* 0 none, 1 truncate the first packet, 2 wrong model hash */
    int frames;
    int sizes[MAX_FRAMES];
} Golden;

static const Golden goldens[] = {
    {"text_2000_fast", "fast", 0, 0, 0, 1, {2000}},
    {"text_2000_max", "max", 0, 0, 0, 1, {2000}},
    {"text_3000_w64", "fast", 64, 0, 0, 1, {3000}},
    {"text_1500_w256_max", "max", 256, 0, 0, 1, {1500}},
    {"text_two_packets_w16", "fast", 16, 0, 0, 2, {40, 700}},
    {"empty_one_noise", "fast", 0, 1, 0, 3, {0, 1, 300}},
    {"repeated_20000", "fast", 0, 2, 0, 1, {20000}},
    {"damaged_truncated", "fast", 0, 0, 1, 1, {2000}},
    {"damaged_window_truncated", "fast", 64, 0, 1, 1, {2000}},
    {"damaged_model_hash", "fast", 0, 0, 2, 1, {300}},
};

static uint32_t lcg(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 24;
}

/* pattern 0: English words from a small list; 1: noise; 2: "abc" repeated with a
 * rare change. */
static void draw(NCFrame *f, int pattern, int index)
{
    static const char *const words[] = {"the ", "Light ", "of ", "Rays ", "is ", "refracted, ",
                                        "and ", "Colours. ", "Prism ", "Newton\n"};
    uint32_t seed = 11u + (uint32_t)index;
    for (size_t i = 0; i < f->nb_bytes;) {
        if (pattern == 1) {
            f->data[0][i++] = (uint8_t)lcg(&seed);
        } else if (pattern == 2) {
            f->data[0][i] = (uint8_t)("abc"[i % 3] + (i % 997 == 0));
            i++;
        } else {
            for (const char *w = words[lcg(&seed) % 10]; *w && i < f->nb_bytes; w++)
                f->data[0][i++] = (uint8_t)*w;
        }
    }
}

static NCCodecContext *open_encoder(const char *mode, int window_bits, const char *model)
{
    NCCodecContext *enc = nc_codec_alloc_context(nc_codec_find_encoder_by_name("lmtext"));
    if (!enc) return NULL;
    if ((model && nc_opt_set(enc, "model", model) < 0) || nc_opt_set(enc, "mode", mode) < 0 ||
        nc_opt_set_int(enc, "window_bits", window_bits) < 0 || nc_codec_open(enc) < 0)
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
        NCCodecContext *enc = open_encoder(gd->mode, gd->window_bits, NULL);
        if (!enc) return 1;
        NCStreamInfo info;
        nc_stream_info_from_context(&info, enc);
        uint8_t header[LM_HEADER_MAX_SIZE];
        memcpy(header, enc->extradata, enc->extradata_size);
        if (gd->damage == 2) header[enc->extradata_size - 1] ^= 0x80; /* last hash byte */
        info.extradata = header;
        NCMuxer *mux;
        snprintf(path, sizeof(path), "%s/%s.nc", dir, gd->name);
        if (nc_muxer_open_file(&mux, path, &info, NC_MUX_OVERWRITE) < 0) return 1;
        NCSha256 s;
        nci_sha256_init(&s);
        int64_t pts = 0;
        for (int i = 0; i < gd->frames; i++) {
            NCFrame f = {0};
            NCPacket pkt = {0};
            f.media_type = NC_MEDIA_BYTES;
            f.nb_bytes = (size_t)gd->sizes[i];
            if (nc_frame_get_buffer(&f) < 0) return 1;
            draw(&f, gd->pattern, i);
            f.pts = pts; /* bytes: pts and duration count bytes */
            f.duration = gd->sizes[i];
            pts += gd->sizes[i];
            nci_sha256_update(&s, f.data[0], f.nb_bytes);
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
        if (gd->damage)
            fprintf(exp, "%s.nc error %d\n", gd->name, gd->damage == 1 ? NC_ETRUNCATED : NC_EMODEL);
        else
            fprintf(exp, "%s.nc sha256 %s\n", gd->name, hex);
        nc_codec_free_context(&enc);
    }
    return fclose(exp) != 0;
}



/* The encoder of the stream's model, mode and windows (spec section 1). */
static NCCodecContext *reencoder(const NCStreamInfo *info, const NCCodecContext *dec)
{
    (void)dec;
    NCIModelPin model;
    int mode = 0, window_bits = 0;
    if (lm_header_parse(NULL, info->extradata, info->extradata_size, &model, &mode,
                        &window_bits) < 0)
        return NULL;
    return open_encoder(mode == LM_MODE_MAX ? "max" : "fast", window_bits, model.id);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: check_lmtext make|check DIR\n");
        return 2;
    }
    nc_log_set_level(NC_LOG_QUIET);
    return !strcmp(argv[1], "make") ? make(argv[2]) : golden_check_list(argv[2], reencoder);
}
