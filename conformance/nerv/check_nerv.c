/* nerv conformance: golden .nc streams and what decoding each must give.
 *
 *   check_nerv make DIR [FUZZ_DIR]  fits and writes the golden streams, the
 *                                   SHA-256 of their decoded frames in
 *                                   expected.txt, and (with FUZZ_DIR) each
 *                                   stream's first packet as a seed of fuzz_nerv
 *   check_nerv check DIR            decodes every stream of DIR/expected.txt:
 *                                   the frames bit for bit (the synthesis is
 *                                   specified exactly, spec "Synthesis"), damaged
 *                                   streams their error.
 * The encoder fits in floating point with threads and libm, so its packets are
 * not pinned (re-encoding may differ in the last bits); the decoder is. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/nerv/nerv.h"
#include "tests/support/golden.h"

typedef struct Golden {
    const char *name;
    int w, h, frames;
    enum NCPixelFormat fmt;
    const char *opts;
    int damage; /* 0 none, 1 the second segment's data packet cut short */
    /* 1: a stream of an older version (1: before predicted segments, 2: before
     * latent means, 3: before local motion, 4: before the loop filter, 5: before
     * the detail layer, 6: bilinear reads of the frame before), from the
     * encoder of its time; `make` keeps the file and
     * only decodes it again (the encoder now writes NERV_VERSION) */
    int kept;
} Golden;

static const Golden goldens[] = {
    {"yuv420p_24x16_pan", 24, 16, 7, NC_PIX_YUV420P, "segment=4:steps=80:fine=2:levels=3:hidden=8", 0, 1},
    {"yuv420p_33x19_still", 33, 19, 5, NC_PIX_YUV420P, "segment=5:steps=60:fine=1:levels=4:hidden=6:time_stride=0", 0, 1},
    {"rgb24_17x11_pan", 17, 11, 3, NC_PIX_RGB24, "segment=3:steps=60:fine=2:levels=2:hidden=5:quality=90", 0, 1},
    {"gray_1x1", 1, 1, 2, NC_PIX_GRAY8, "segment=2:steps=40:fine=1:levels=1:hidden=3:time_stride=0", 0, 1},
    {"gray_30x7_pan_q0", 30, 7, 6, NC_PIX_GRAY8, "segment=6:steps=60:fine=2:levels=3:hidden=4:quality=0", 0, 1},
    /* time strides that differ between grids: the fine grids a slice per 4 frames, the coarser per 2 */
    {"yuv420p_20x12_strides", 20, 12, 9, NC_PIX_YUV420P, "segment=9:steps=60:fine=2:levels=3:hidden=6:fine_stride=2:time_stride=1", 0, 1},
    {"damaged_truncated", 24, 16, 7, NC_PIX_YUV420P, "segment=4:steps=40:fine=2:levels=3:hidden=8", 1, 1},
    /* version 2: a key segment, two predicted ones (a pan: the grids' origins move,
     * the coarse grid's by rounded cells), a key again */
    {"v2_yuv420p_24x16_pan_predicted", 24, 16, 14, NC_PIX_YUV420P, "segment=4:keyint=12:steps=80:fine=2:levels=3:hidden=8", 0, 1},
    /* a still scene: predictions near the reference, odd sizes at the edges */
    {"v2_gray_19x9_still_predicted", 19, 9, 9, NC_PIX_GRAY8, "segment=3:steps=60:fine=1:levels=3:hidden=5:time_stride=0", 0, 1},
    /* a predicted segment's data cut short */
    {"v2_damaged_predicted", 24, 16, 8, NC_PIX_YUV420P, "segment=4:steps=40:fine=2:levels=3:hidden=8", 1, 1},
    /* version 3: latents coded about their neighbours' mean where it pays (a
     * larger picture, so that some grids' taps pay for themselves), a key
     * segment and predicted ones */
    {"v3_yuv420p_64x48_pan_means", 64, 48, 12, NC_PIX_YUV420P, "segment=4:steps=80:fine=2:levels=4:hidden=8:fine_stride=1", 0, 1},
    {"v3_gray_56x40_still_means", 56, 40, 8, NC_PIX_GRAY8, "segment=4:steps=60:fine=2:levels=3:hidden=6:quality=80:fine_stride=1:time_stride=0", 0, 1},
    /* a predicted segment's data cut short */
    {"v3_damaged_means", 64, 48, 8, NC_PIX_YUV420P, "segment=4:steps=40:fine=2:levels=4:hidden=8:fine_stride=1", 1, 1},
    /* version 4: local motion (a band that moves faster than the pan), blocks
     * of 8 positions; the fine grids moved, then every grid */
    {"v4_yuv420p_64x48_local", 64, 48, 12, NC_PIX_YUV420P, "segment=6:steps=80:fine=2:levels=4:hidden=8:fine_stride=2:local_block=16", 0, 1},
    {"v4_gray_48x32_local_all", 48, 32, 8, NC_PIX_GRAY8, "segment=4:steps=60:fine=2:levels=3:hidden=6:quality=80:local_block=16:local_grids=all", 0, 1},
    /* a predicted segment's data cut short */
    {"v4_damaged_local", 64, 48, 8, NC_PIX_YUV420P, "segment=4:steps=40:fine=2:levels=4:hidden=8:local_block=16", 1, 1},
    /* version 5: the loop filter, on the planes where it pays, in key and
     * predicted segments (the reference's filter predicting the next's) */
    {"v5_yuv420p_64x48_filter", 64, 48, 12, NC_PIX_YUV420P, "segment=4:steps=80:fine=2:levels=4:hidden=8:quality=80:local_block=16", 0, 1},
    {"v5_rgb24_40x26_filter", 40, 26, 8, NC_PIX_RGB24, "segment=4:steps=60:fine=2:levels=3:hidden=6:quality=90", 0, 1},
    {"v5_gray_48x32_still_filter", 48, 32, 8, NC_PIX_GRAY8, "segment=4:steps=60:fine=2:levels=3:hidden=6:quality=90:time_stride=0", 0, 1},
    /* a predicted segment's data cut short */
    {"v5_damaged_filter", 64, 48, 8, NC_PIX_YUV420P, "segment=4:steps=40:fine=2:levels=4:hidden=8:quality=80", 1, 1},
    /* version 6: the detail layer, its blocks predicted from the network's picture
     * and the frame before (across segments too), partial blocks at the edges */
    {"v6_yuv420p_72x40_local_detail", 72, 40, 12, NC_PIX_YUV420P, "segment=4:steps=80:fine=2:levels=4:hidden=8:quality=70:local_block=16", 0, 1},
    {"v6_rgb24_40x26_detail", 40, 26, 8, NC_PIX_RGB24, "segment=4:steps=60:fine=2:levels=3:hidden=6:quality=90", 0, 1},
    {"v6_gray_48x32_still_detail", 48, 32, 8, NC_PIX_GRAY8, "segment=4:steps=60:fine=2:levels=3:hidden=6:quality=90:time_stride=0", 0, 1},
    /* a predicted segment's data cut short (in its frames' detail) */
    {"v6_damaged_detail", 64, 48, 8, NC_PIX_YUV420P, "segment=4:steps=40:fine=2:levels=4:hidden=8:quality=80", 1, 1},
    /* version 7: the detail layer's reads of the frame before through 8-tap and
     * 4-tap filters, at the edges too; a pan of fractions of a pixel. The
     * network's quality fixed at the layer's (net_drop=0): the encoder's choice
     * of it writes no syntax of its own, and `make` keeps these streams as they
     * were made before it */
    {"v7_yuv420p_72x40_local_detail", 72, 40, 12, NC_PIX_YUV420P, "segment=4:steps=80:fine=2:levels=4:hidden=8:quality=70:local_block=16:net_drop=0", 0, 0},
    {"v7_yuv420p_64x48_fraction_detail", 64, 48, 8, NC_PIX_YUV420P, "segment=4:steps=80:fine=2:levels=4:hidden=8:quality=90:net_drop=0", 0, 0},
    {"v7_rgb24_40x26_fraction_detail", 40, 26, 8, NC_PIX_RGB24, "segment=4:steps=60:fine=2:levels=3:hidden=6:quality=90:net_drop=0", 0, 0},
    {"v7_gray_48x32_still_detail", 48, 32, 8, NC_PIX_GRAY8, "segment=4:steps=60:fine=2:levels=3:hidden=6:quality=90:time_stride=0:net_drop=0", 0, 0},
    /* a predicted segment's data cut short (in its frames' detail) */
    {"v7_damaged_detail", 64, 48, 8, NC_PIX_YUV420P, "segment=4:steps=40:fine=2:levels=4:hidden=8:quality=80:net_drop=0", 1, 0},
};

/* A panning scene (integers only, so `make` draws the same frames everywhere);
 * still: no motion; local: rows 8 .. 23 (of the luma) move 3 pixels a frame more;
 * fraction: a pan of half a pixel a frame across and a quarter down (the scene
 * drawn at quarter pixels), so that the detail layer reads between pixels. */
static void draw(NCFrame *f, int k, int still, int local, int fraction)
{
    for (int p = 0; p < nc_pix_fmt_planes(f->pix_fmt); p++) {
        int pw = nc_pix_fmt_plane_width(f->pix_fmt, p, f->width);
        int ph = nc_pix_fmt_plane_height(f->pix_fmt, p, f->height);
        int per = f->pix_fmt == NC_PIX_RGB24 ? 3 : 1, sub = p ? 2 : 1;
        for (int y = 0; y < ph; y++)
            for (int x = 0; x < pw; x++) {
                /* in quarter pixels of the luma */
                int qx = 4 * (x / per) * sub + (still ? 0 : fraction ? 2 * k : 8 * k);
                int qy = 4 * y * sub + (still ? 0 : fraction ? k : 4 * k);
                if (local && y * sub >= 8 && y * sub < 24) qx += 12 * k;
                int v = 40 + ((qx * 7 + qy * 3) / 4) % 150 + 30 * (((qx / 24) + (qy / 20)) % 2) +
                        11 * p + 5 * (x % per);
                f->data[p][(size_t)y * f->linesize[p] + x] = (uint8_t)(v > 255 ? 255 : v);
            }
    }
}

/* Writes fuzz_nerv's seed of a stream's first packet (named as the stream) and,
 * with second (a predicted segment's data packet), of the two (NAME_pair). */
static int write_seed(const char *fuzz_dir, const Golden *g, const uint8_t *header,
                      const NCPacket *first, const NCPacket *second)
{
    if (!fuzz_dir) return 0;
    /* fuzz_nerv's 6 + NERV_MAX_LEVELS header bytes (tests/fuzz/fuzz_nerv.c) */
    NervShape s;
    if (nerv_header_parse(&s, header, NERV_HEADER_SIZE, NULL) < 0) return 1;
    uint8_t lead[6 + NERV_MAX_LEVELS] = {(uint8_t)(s.width - 1), (uint8_t)(s.height - 1),
                                         (uint8_t)(s.pix_fmt == NC_PIX_GRAY8 ? 0
                                                   : s.pix_fmt == NC_PIX_YUV420P ? 1 : 2),
                                         (uint8_t)(s.levels - 1),
                                         (uint8_t)(s.hidden - 1 + 12 * (NERV_VERSION - s.version)),
                                         (uint8_t)(s.segment - 1)};
    for (int l = 0; l < s.levels; l++) lead[6 + l] = (uint8_t)(s.stride_log2[l] * 6 + s.scale_log2[l]);
    if (second) lead[2] |= 0x40;
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s%s", fuzz_dir, g->name, second ? "_pair" : "");
    FILE *out = fopen(path, "wb");
    if (!out) return 1;
    uint8_t len[2] = {(uint8_t)first->size, (uint8_t)(first->size >> 8)};
    int bad = fwrite(lead, 1, sizeof(lead), out) != sizeof(lead) ||
              (second && fwrite(len, 1, 2, out) != 2) ||
              fwrite(first->data, 1, first->size, out) != first->size ||
              (second && fwrite(second->data, 1, second->size, out) != second->size);
    return fclose(out) != 0 || bad;
}

/* The line of expected.txt for the stream at path (decoded). */
static int expect(const char *path, const Golden *g, FILE *exp)
{
    char hex[2 * NC_SHA256_SIZE + 1];
    int mismatch = 0;
    int ret = golden_decode_file(path, NULL, hex, &mismatch);
    if (g->damage)
        fprintf(exp, "%s.nc error %d\n", g->name, ret);
    else
        fprintf(exp, "%s.nc sha256 %s\n", g->name, hex);
    return g->damage ? ret >= 0 : ret < 0;
}

static int make_one(const char *dir, const char *fuzz_dir, const Golden *g, FILE *exp)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s.nc", dir, g->name);
    if (g->kept) return expect(path, g, exp);
    NCCodecContext *enc = nc_codec_alloc_context(nc_codec_find_encoder_by_name("nerv"));
    if (!enc) return 1;
    enc->width = g->w, enc->height = g->h, enc->pix_fmt = g->fmt, enc->threads = 1;
    if (nc_opt_set_from_string(enc, g->opts) < 0 || nc_codec_open(enc) < 0) return 1;
    NCStreamInfo info;
    nc_stream_info_from_context(&info, enc);
    NCMuxer *mux;
    if (nc_muxer_open_file(&mux, path, &info, NC_MUX_OVERWRITE) < 0) return 1;
    int ret = 0, packets = 0;
    NCPacket first = {0};
    for (int k = 0; k <= g->frames && ret >= 0; k++) {
        NCFrame f = {.media_type = NC_MEDIA_VIDEO, .width = g->w, .height = g->h, .pix_fmt = g->fmt};
        if (k < g->frames) {
            if (nc_frame_get_buffer(&f) < 0) return 1;
            draw(&f, k, strstr(g->name, "still") != NULL, strstr(g->name, "local") != NULL,
                 strstr(g->name, "fraction") != NULL);
            f.pts = k, f.duration = 1;
        }
        ret = nc_send_frame(enc, k < g->frames ? &f : NULL);
        nc_frame_unref(&f);
        NCPacket pkt = {0};
        while (ret >= 0 && (ret = nc_receive_packet(enc, &pkt)) == 0) {
            if (!packets && (write_seed(fuzz_dir, g, enc->extradata, &pkt, NULL) ||
                             nc_packet_ref(&first, &pkt) < 0))
                return 1;
            /* the first predicted segment's data, with the key packet before it */
            if (packets && pkt.size > 1 && !(pkt.flags & NC_PKT_FLAG_KEY) && first.size &&
                !g->damage && first.size < 65536) {
                if (write_seed(fuzz_dir, g, enc->extradata, &first, &pkt)) return 1;
                nc_packet_unref(&first);
            }
            packets++;
            if (g->damage && packets == 5) nc_packet_shrink(&pkt, pkt.size / 2);
            if (nc_muxer_write_packet(mux, &pkt) < 0) return 1;
            nc_packet_unref(&pkt);
        }
        if (ret == NC_EAGAIN || ret == NC_EOF) ret = 0;
    }
    nc_codec_free_context(&enc);
    nc_packet_unref(&first);
    if (ret < 0 || nc_muxer_close(&mux) < 0) return 1;
    return expect(path, g, exp);
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: check_nerv make DIR [FUZZ_DIR] | check_nerv check DIR\n");
        return 2;
    }
    nc_log_set_level(NC_LOG_QUIET);
    if (strcmp(argv[1], "make")) return golden_check_list(argv[2], NULL);
    char path[4096];
    snprintf(path, sizeof(path), "%s/expected.txt", argv[2]);
    FILE *exp = fopen(path, "w");
    if (!exp) return 1;
    for (size_t g = 0; g < sizeof(goldens) / sizeof(goldens[0]); g++)
        if (make_one(argv[2], argc == 4 ? argv[3] : NULL, &goldens[g], exp)) {
            fprintf(stderr, "check_nerv: making %s failed\n", goldens[g].name);
            return 1;
        }
    return fclose(exp) != 0;
}
