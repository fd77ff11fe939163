/* The nerv encoder and decoder (libnc API): one packet per frame. The encoder
 * holds frames back until a segment is full (or the stream ends), fits the
 * segment and emits its packets: the segment's data with its first frame (a key
 * packet), then a one-byte continuation packet for each further frame, so that
 * every packet is one frame with its own timestamps, as containers and FFmpeg
 * expect. Packets are hostile: nerv_segment_read bounds every value and the
 * range decoder never reads past the packet. */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/nerv/nerv_detail.h"
#include "codecs/nerv/nerv_fit.h"
#include "codecs/nerv/nerv_motion.h"
#include "libnc/codec_internal.h"
#include "nc/error.h"
#include "nc/log.h"

static const enum NCPixelFormat nerv_pix_fmts[] = {NC_PIX_YUV420P, NC_PIX_RGB24, NC_PIX_GRAY8,
                                                   NC_PIX_NONE};

#define NERV_CODEC                                                                             \
    .name = "nerv", .long_name = "video as a small network fitted to each segment (NeRV family)", \
    .media_type = NC_MEDIA_VIDEO, .pix_fmts = nerv_pix_fmts


enum { PRESET_FAST, PRESET_MEDIUM, PRESET_SLOW };
/* Steps of one frame group each (nerv_fit.c). With the default hidden width of
 * 24, `fast` fits in about 100 CPU-seconds per second of 320x180 video at 25 fps
 * and `slow` in about 850, within the 2 and 15 minutes of wall time on 2 cores
 * that the presets promise (README, "Measured"). */
static const int preset_steps[] = {3000, 9000, 25000};

/* The detail layer's lambda against the fit's: the fit's rate term is an
 * estimate its steps do not reach, and between qualities 40 and 50 on the first
 * 16 frames of the train clip `city` its curve spends about a quarter of a bit
 * (0.26) where lambda says one; at 1/2, 1/4 and 1/8 of it the detail layer gave
 * +0.28, +1.10 and +2.72 dB at 6.5%, 38% and 116% more rate, each above the
 * curve of the fit alone (README, "Detail layer"). 1/4 was taken then; with
 * the split chosen per segment and the levels lowered by cost, 0.12 lies 0.2 dB
 * above 1/4's curve on `city` and up to 0.6 dB on `motion` from quality 20 up
 * (first 48 / 64 frames), 0.08 and 0.05 no higher on `city`; at quality 0 it
 * lies 0.15 dB below on both, where the network alone is cheap and a layer
 * pays its modes and flags first. So 1/4 at quality 0, 0.12 from 20 up, in
 * proportion between (README, "The detail layer's lambda, again"). */
#define DETAIL_LAMBDA_LOW 0.25
#define DETAIL_LAMBDA 0.12
#define DETAIL_LAMBDA_FROM 20 /* the quality from which DETAIL_LAMBDA holds */

static double detail_lambda_scale(int quality)
{
    if (quality >= DETAIL_LAMBDA_FROM) return DETAIL_LAMBDA;
    return DETAIL_LAMBDA_LOW * pow(DETAIL_LAMBDA / DETAIL_LAMBDA_LOW, (double)quality / DETAIL_LAMBDA_FROM);
}

/* The split between network and detail layer (README, "The split between
 * network and layer"): the network's quality lies `drop` below the stream's, a
 * multiple of SPLIT_STEP up to SPLIT_MAX. On the first predicted segment after
 * a key segment and on every SPLIT_RETEST-th after it the encoder codes the segment at its drop
 * and at the one a step further in the direction it last moved (or the other
 * way, where that one lost or is out of range) and keeps the better. */
#define SPLIT_STEP 20
#define SPLIT_MAX 60
#define SPLIT_RETEST 4

/* What the detail layer carries from one segment to the next. */
typedef struct Carry {
    NCFrame prev;      /* the last decoded frame */
    int ok;            /* prev is the last frame of the segment before */
    int32_t motion[2]; /* and its global motion */
} Carry;

/* A frame of the stream's size and format, for the detail layer's pictures. */
static int alloc_picture(const NervShape *s, NCFrame *f)
{
    f->media_type = NC_MEDIA_VIDEO;
    f->width = s->width, f->height = s->height, f->pix_fmt = s->pix_fmt;
    return nc_frame_get_buffer(f);
}

typedef struct NervEncoder {
    int quality, bitrate, preset, steps, segment, levels, fine, time_stride, fine_stride,
        hidden, keyint, local_block, local_grids, detail, net_drop; /* options */
    NervShape s;
    RCParamTables tables;
    NCIPool *pool;
    float *frames; /* segment x channels x positions */
    int nframes;
    NervRef ref;       /* the segment before, as the decoder will have it */
    float *last_frame; /* its last frame (channels x positions), for motion */
    int since_key;     /* frames from the last key segment's first to the next segment */
    int64_t pts[NERV_MAX_SEGMENT], duration[NERV_MAX_SEGMENT];
    NervDetail det;
    NCFrame cur, src; /* a frame as decoded and its source */
    Carry carry;      /* the detail layer's state between segments */
    Carry alt;        /* the second split tried starts from a copy of carry */
    int drop, climb;  /* the network's quality below `quality`, as last chosen; the next try's way */
    int since_test;   /* segments since the split was last tried */
    double sse, bytes; /* the stream so far: squared error (8-bit samples) and size */
    NCPacket data;   /* the fitted segment, sent with its first frame */
    int data_key;    /* whether it is a key segment */
    int next, queued; /* packets of the segment sent, and to send */
    int draining;
    RCEncoder enc, alt_enc; /* the segment's data; the second split tried */
    int ready;
} NervEncoder;

static const NCOptionEnumValue presets[] = {
    {"fast", PRESET_FAST, "3000 fitting steps per segment"},
    {"medium", PRESET_MEDIUM, "9000 steps"},
    {"slow", PRESET_SLOW, "25000 steps"},
    {NULL, 0, NULL},
};

static const NCOptionEnumValue local_grids[] = {
    {"fine", 0, "the finest grids (their slices are far apart in time)"},
    {"all", 1, "every grid"},
    {NULL, 0, NULL},
};

static const NCOption encoder_options[] = {
    {"quality", "0 (smallest) .. 100 (best): the rate-distortion trade-off the fit aims at",
     NC_OPT_INT, offsetof(NervEncoder, quality), {.i = 50}, 0, 100, NULL, NULL},
    {"bitrate", "bit rate to steer the fit toward (0: quality decides); how close it gets: README",
     NC_OPT_INT, offsetof(NervEncoder, bitrate), {.i = 0}, 0, 1000000000, NULL, "bit/s"},
    {"preset", "encoding time against quality: how long each segment is fitted", NC_OPT_ENUM,
     offsetof(NervEncoder, preset), {.i = PRESET_MEDIUM}, 0, 2, presets, NULL},
    {"steps", "fitting steps per segment, each on a quarter of its frames (0: the preset's)",
     NC_OPT_INT, offsetof(NervEncoder, steps), {.i = 0}, 0, 100000, NULL, NULL},
    {"segment", "frames per segment (seeking lands on the first frame of a key one)", NC_OPT_INT,
     offsetof(NervEncoder, segment), {.i = 16}, 1, NERV_MAX_SEGMENT, NULL, "frames"},
    {"levels", "latent resolutions (each half the one before, from one per 2x2 pixels)",
     NC_OPT_INT, offsetof(NervEncoder, levels), {.i = 6}, 1, NERV_MAX_SCALE_LOG2 + 1, NULL, NULL},
    {"fine", "latent grids at the finest resolution", NC_OPT_INT, offsetof(NervEncoder, fine),
     {.i = 4}, 1, NERV_MAX_LEVELS - NERV_MAX_SCALE_LOG2, NULL, NULL},
    {"time_stride", "frames per time slice of the coarser grids, as a power of two (1: 2 frames)",
     NC_OPT_INT, offsetof(NervEncoder, time_stride), {.i = 1}, 0, NERV_MAX_STRIDE_LOG2, NULL, NULL},
    {"fine_stride", "frames per time slice of the finest grids, as a power of two (3: 8 frames; "
     "-1: by quality, 4 below 30, 3 below 50, else 2)",
     NC_OPT_INT, offsetof(NervEncoder, fine_stride), {.i = -1}, -1, NERV_MAX_STRIDE_LOG2, NULL, NULL},
    {"hidden", "width of the synthesis network's hidden layers", NC_OPT_INT,
     offsetof(NervEncoder, hidden), {.i = 24}, 1, NERV_MAX_HIDDEN, NULL, NULL},
    {"keyint", "frames from one key segment to the next at most (segments between are "
     "predicted from the one before; at most `segment`: every segment is a key)", NC_OPT_INT,
     offsetof(NervEncoder, keyint), {.i = 250}, 1, 1000000, NULL, "frames"},
    {"local_block", "local motion: a vector per block of this many pixels across (16, 32, 64 "
     "or 128) and frame, on top of the global motion; 0: none; -1: by quality, none below 5, "
     "else 64", NC_OPT_INT, offsetof(NervEncoder, local_block), {.i = -1}, -1, 128, NULL, "pixels"},
    {"local_grids", "the grids local motion moves", NC_OPT_ENUM, offsetof(NervEncoder, local_grids),
     {.i = 0}, 0, 1, local_grids, NULL},
    {"detail", "the detail layer: per frame, blocks predicted from the network's picture and "
     "the frame before, and a DCT residual (1) or none (0)", NC_OPT_INT,
     offsetof(NervEncoder, detail), {.i = 1}, 0, 1, NULL, NULL},
    {"net_drop", "the network's quality this far below `quality` (the detail layer's); -1: "
     "0, 20, 40 or 60, chosen per segment by trying two on the first predicted segment and every 4th "
     "(with the detail layer on and no bitrate; else 0)", NC_OPT_INT, offsetof(NervEncoder, net_drop),
     {.i = -1}, -1, 100, NULL, NULL},
    NC_OPTION_END,
};

/* The fine grids' time stride for a quality: where the rate is low, one slice per
 * 16 frames leaves fewer latents to pay for; where it is high, a slice per 8
 * frames caps the quality (detail that moves apart from the camera's motion
 * blurs between slices), and one per 4 pays (README, "Fine slices by quality"). */
static int fine_stride_for(int quality)
{
    return quality < 30 ? 4 : quality < 50 ? 3 : 2;
}

/* Local motion's block size for a quality: at the lowest the rate term leaves the
 * fine grids little detail to move, and the vectors cost more than they save
 * (README, "Local motion"). */
static int local_block_for(int quality) { return quality < 5 ? 0 : 64; }

static int encoder_init(NCCodecContext *ctx)
{
    NervEncoder *p = ctx->priv_data;
    NervShape *s = &p->s;
    s->width = ctx->width;
    s->height = ctx->height;
    s->pix_fmt = ctx->pix_fmt;
    /* `fine` grids at the position grid's resolution, then one per coarser scale */
    s->levels = p->fine + p->levels - 1;
    s->hidden = p->hidden;
    s->segment = p->segment;
    for (int l = 0; l < s->levels; l++) {
        s->scale_log2[l] = l < p->fine ? 0 : l - p->fine + 1;
        /* the fine grids hold the scene's detail, which global motion carries
         * through a segment; the coarse ones follow what changes (README) */
        s->stride_log2[l] = l >= p->fine ? p->time_stride
                            : p->fine_stride >= 0 ? p->fine_stride : fine_stride_for(p->quality);
    }
    int ret = nerv_shape_init(s, ctx);
    if (ret < 0) return ret;
    if (p->local_block > 0 && (p->local_block < 16 || (p->local_block & (p->local_block - 1)))) {
        nc_log(ctx, NC_LOG_ERROR, "local_block %d: 0, 16, 32, 64 or 128 (-1: by quality)", p->local_block);
        return NC_EINVAL;
    }
    if (p->local_block < 0) p->local_block = local_block_for(p->quality);
    uint8_t header[NERV_HEADER_SIZE];
    nerv_header_write(s, header);
    if ((ret = nc_codec_set_extradata(ctx, header, sizeof(header))) < 0) return ret;
    if ((ret = nerv_tables_init(&p->tables)) < 0) return ret;
    int threads = ctx->threads > 0 ? ctx->threads : 2;
    if ((ret = nci_pool_alloc(&p->pool, threads)) < 0) return ret;
    p->frames = malloc(sizeof(float) * (size_t)s->segment * s->channels * s->positions);
    p->last_frame = malloc(sizeof(float) * (size_t)s->channels * s->positions);
    if (!p->frames || !p->last_frame) return NC_ENOMEM;
    if ((ret = nerv_detail_alloc(&p->det, s)) < 0) return ret;
    if ((ret = alloc_picture(s, &p->cur)) < 0 || (ret = alloc_picture(s, &p->src)) < 0 ||
        (ret = alloc_picture(s, &p->carry.prev)) < 0 || (ret = alloc_picture(s, &p->alt.prev)) < 0)
        return ret;
    rc_enc_init(&p->enc);
    rc_enc_init(&p->alt_enc);
    p->climb = 1;
    p->ready = 1;
    return 0;
}

static void encoder_close(NCCodecContext *ctx)
{
    NervEncoder *p = ctx->priv_data;
    rc_param_free(&p->tables);
    nci_pool_free(&p->pool);
    free(p->frames), free(p->last_frame);
    p->frames = p->last_frame = NULL;
    nerv_detail_free(&p->det);
    nc_frame_unref(&p->cur), nc_frame_unref(&p->src);
    nc_frame_unref(&p->carry.prev), nc_frame_unref(&p->alt.prev);
    nerv_ref_free(&p->ref);
    nc_packet_unref(&p->data);
    if (p->ready) rc_enc_free(&p->enc), rc_enc_free(&p->alt_enc);
    p->ready = 0;
}

static int fit_progress(void *opaque, int done, int steps)
{
    NCCodecContext *ctx = opaque;
    if (ctx->progress_cb) ctx->progress_cb(ctx->progress_opaque, done, steps);
    return nci_codec_check_interrupt(ctx);
}

/* The grids local motion moves: the finest (scale 0), or all. */
static unsigned local_warped(const NervShape *s, int all)
{
    unsigned mask = 0;
    for (int l = 0; l < s->levels; l++)
        if (all || s->scale_log2[l] == 0) mask |= 1u << l;
    return mask;
}

/* Copies a decoded frame's planes (the same size and format). */
static void copy_picture(NCFrame *dst, const NCFrame *src)
{
    for (int c = 0; c < nc_pix_fmt_planes(src->pix_fmt); c++) {
        size_t bytes = (size_t)nc_pix_fmt_plane_width(src->pix_fmt, c, src->width);
        for (int y = 0; y < nc_pix_fmt_plane_height(src->pix_fmt, c, src->height); y++)
            memcpy(dst->data[c] + (size_t)y * dst->linesize[c], src->data[c] + (size_t)y * src->linesize[c], bytes);
    }
}

static void carry_copy(Carry *dst, const Carry *src)
{
    if (src->ok) copy_picture(&dst->prev, &src->prev);
    dst->ok = src->ok;
    dst->motion[0] = src->motion[0], dst->motion[1] = src->motion[1];
}

/* The squared error between two pictures of the stream's format, every plane. */
static double picture_sse(const NCFrame *a, const NCFrame *b)
{
    double sse = 0;
    for (int c = 0; c < nc_pix_fmt_planes(a->pix_fmt); c++) {
        int w = nc_pix_fmt_plane_width(a->pix_fmt, c, a->width);
        for (int y = 0; y < nc_pix_fmt_plane_height(a->pix_fmt, c, a->height); y++) {
            const uint8_t *u = a->data[c] + (size_t)y * a->linesize[c];
            const uint8_t *v = b->data[c] + (size_t)y * b->linesize[c];
            int64_t row = 0;
            for (int x = 0; x < w; x++) row += (u[x] - v[x]) * (u[x] - v[x]);
            sse += (double)row;
        }
    }
    return sse;
}

/* The detail layer of a fitted segment (spec §7): its frames synthesized as the
 * decoder will, then coded frame by frame against the sources into enc, from
 * and onto the state c; *sse gets the decoded frames' squared error (0 with the
 * layer off). */
static int encode_detail(NervEncoder *p, RCEncoder *enc, Carry *c, const NervSegment *seg,
                         int predicted, double lambda, double *sse)
{
    const NervShape *s = &p->s;
    *sse = 0;
    nerv_detail_start(&p->det, p->detail, nerv_detail_step_for(lambda));
    nerv_detail_write_header(&p->det, enc);
    if (!p->det.on) {
        c->ok = 0;
        return 0;
    }
    size_t frame_floats = (size_t)s->channels * s->positions;
    float *latents = malloc(sizeof(float) * (seg->lay.offset[s->levels] + 1));
    float *weights = malloc(sizeof(float) * nerv_param_count(s));
    float *out = malloc(sizeof(float) * frame_floats);
    float *z = malloc(sizeof(float) * (size_t)s->levels * s->positions);
    float *tile = malloc(sizeof(float) * 2 * (size_t)s->hidden * NERV_TILE);
    NervScratch sc = {0};
    int ret = latents && weights && out && z && tile ? nerv_scratch_alloc(&sc, s, &seg->lay) : NC_ENOMEM;
    if (ret >= 0 && nerv_segment_latents(s, seg, latents) < 0) ret = NC_EINVAL;
    if (ret >= 0) nerv_segment_weights(s, seg, weights);
    for (int f = 0; ret >= 0 && f < seg->n; f++) {
        nerv_synth_frame(s, &seg->lay, seg->motion, &seg->local, latents, weights, f, out, z, tile, &sc);
        nerv_samples_to_frame(s, out, &p->cur);
        nerv_samples_to_frame(s, p->frames + (size_t)f * frame_floats, &p->src);
        int has_prev = (f > 0 || predicted) && c->ok;
        int32_t g[2];
        nerv_detail_global(f ? seg->motion + 2 * (f - 1) : c->motion, seg->motion + 2 * f, g);
        ret = nerv_detail_encode_frame(&p->det, enc, s, &p->cur, &p->src, has_prev ? &c->prev : NULL,
                                       g, lambda);
        *sse += picture_sse(&p->cur, &p->src);
        copy_picture(&c->prev, &p->cur);
        c->motion[0] = seg->motion[2 * f], c->motion[1] = seg->motion[2 * f + 1];
        c->ok = 1;
    }
    nerv_scratch_free(&sc);
    free(latents), free(weights), free(out), free(z), free(tile);
    return ret;
}

/* The buffered frames coded into enc (reset first) with the network fitted at
 * `drop` below the stream's quality and the detail layer at it, from and onto
 * carry; *sse as for encode_detail. seg gets the fitted segment (free it). */
static int code_segment(NCCodecContext *ctx, int predicted, int drop, RCEncoder *enc,
                        Carry *carry, NervSegment *seg, double *sse)
{
    NervEncoder *p = ctx->priv_data;
    int64_t span = 0;
    for (int f = 0; f < p->nframes; f++) span += p->duration[f];
    double lambda = 0;
    NervFitParams fp = {
        .lambda = exp2(-2.0 - (p->quality - drop) / 8.0),
        .target_bits = p->bitrate * ((double)span * ctx->time_base.num / ctx->time_base.den),
        .lambda_out = &lambda,
        .steps = p->steps ? p->steps : preset_steps[p->preset],
        .seed = 1,
        .ref = predicted ? &p->ref : NULL,
        .local_block_log2 = p->local_block ? __builtin_ctz((unsigned)p->local_block) - 1 : 0,
        .local_warped = local_warped(&p->s, p->local_grids),
        .prev_frame = p->last_frame,
        .progress = fit_progress,
        .opaque = ctx,
    };
    double mse, bits;
    int ret = nerv_fit_segment(&p->s, p->pool, &p->tables, p->frames, p->nframes, &fp, seg,
                               &mse, &bits);
    if (ret < 0) return ret;
    nc_log(ctx, NC_LOG_VERBOSE,
           "%s segment of %d frames, network %d below quality: %.0f bytes (motion %.0f, weights "
           "%.0f, latents %.0f), PSNR %.2f dB, local motion %s (saving %.4f)",
           predicted ? "predicted" : "key", p->nframes, drop, bits / 8, seg->motion_bits / 8,
           seg->weight_bits / 8, seg->latent_bits / 8, mse > 0 ? -10 * log10(mse) : 99.0,
           seg->local.block_log2 ? "on" : "off", seg->local_saving);
    rc_enc_reset(enc);
    ret = nerv_segment_write(&p->tables, &p->s, seg, enc);
    /* the layer's lambda on squared 8-bit samples (the fit's are in [0, 1]): the
     * fit's as it ended, scaled to the slope the fit reaches, at the stream's
     * quality (2^(-drop/8) below the network's lambda) */
    double detail_lambda =
        detail_lambda_scale(p->quality) * 255.0 * 255.0 * lambda * exp2(-drop / 8.0);
    if (ret >= 0) ret = encode_detail(p, enc, carry, seg, predicted, detail_lambda, sse);
    if (ret >= 0) ret = rc_enc_flush(enc);
    if (ret < 0) nerv_segment_free(seg);
    return ret;
}

/* Codes the buffered frames at the current split and at the next one tried,
 * from the same state, and keeps the one whose stream so far has the smaller
 * product of squared error and size: a change that buys more than 3 dB per
 * doubling of rate (10 log10 2), the slope of nerv's own rate-distortion
 * curves, moves the whole curve up. */
static int code_both(NCCodecContext *ctx, int predicted, NervSegment *seg, double *sse)
{
    NervEncoder *p = ctx->priv_data;
    int ahead = p->drop + p->climb * SPLIT_STEP;
    int way = ahead >= 0 && ahead <= SPLIT_MAX ? p->climb : -p->climb;
    int tried = p->drop + way * SPLIT_STEP;
    NervSegment other;
    double other_sse;
    carry_copy(&p->alt, &p->carry);
    int ret = code_segment(ctx, predicted, p->drop, &p->enc, &p->carry, seg, sse);
    if (ret < 0) return ret;
    if ((ret = code_segment(ctx, predicted, tried, &p->alt_enc, &p->alt, &other, &other_sse)) < 0) {
        nerv_segment_free(seg);
        return ret;
    }
    double keep = (p->sse + *sse) * (p->bytes + (double)p->enc.size);
    double move = (p->sse + other_sse) * (p->bytes + (double)p->alt_enc.size);
    nc_log(ctx, NC_LOG_VERBOSE, "split: network %d below quality: %zu bytes, squared error %.4g; "
           "%d below: %zu bytes, %.4g", p->drop, p->enc.size, *sse, tried, p->alt_enc.size, other_sse);
    if (move < keep) {
        RCEncoder t = p->enc;
        p->enc = p->alt_enc, p->alt_enc = t;
        Carry c = p->carry;
        p->carry = p->alt, p->alt = c;
        nerv_segment_free(seg);
        *seg = other, *sse = other_sse;
        p->drop = tried, p->climb = way;
    } else {
        nerv_segment_free(&other);
        p->climb = -way;
    }
    return 0;
}

/* Fits the buffered frames into p->data and queues their packets. */
static int fit(NCCodecContext *ctx)
{
    NervEncoder *p = ctx->priv_data;
    /* predicted from the segment before while the key segment is recent, and while
     * the motion stays far from its bound (a long pan) */
    int predicted = p->ref.valid && p->since_key < p->keyint &&
                    abs(p->ref.motion[0]) < NERV_MOTION_LIMIT / 2 &&
                    abs(p->ref.motion[1]) < NERV_MOTION_LIMIT / 2;
    if (!predicted) p->since_key = 0;
    NervSegment seg;
    double sse;
    int ret;
    /* a key segment keeps the split as it is: its network is also the start of
     * the predicted segments after it, which a try on it alone does not see (on
     * the still train clip `motion` the key segment alone chose a network 20
     * below, which cost the first 64 frames 1.3 dB for 15% less rate) */
    if (!predicted) p->since_test = SPLIT_RETEST - 1;
    int chosen = p->net_drop < 0 && p->detail && !p->bitrate;
    if (chosen && predicted && p->since_test >= SPLIT_RETEST) {
        p->since_test = 0;
        ret = code_both(ctx, predicted, &seg, &sse);
    } else {
        int drop = p->net_drop >= 0 ? p->net_drop : chosen ? p->drop : 0;
        ret = code_segment(ctx, predicted, drop, &p->enc, &p->carry, &seg, &sse);
    }
    if (ret < 0) return ret;
    p->since_test++;
    p->sse += sse, p->bytes += (double)p->enc.size;
    ret = nerv_ref_set(&p->ref, &p->s, &seg);
    nerv_segment_free(&seg);
    size_t frame_floats = (size_t)p->s.channels * p->s.positions;
    memcpy(p->last_frame, p->frames + (size_t)(p->nframes - 1) * frame_floats,
           sizeof(float) * frame_floats);
    p->since_key += p->nframes;
    p->data_key = !predicted;
    if (ret >= 0) ret = nc_packet_from_data(&p->data, p->enc.buf, p->enc.size);
    if (ret < 0) return ret;
    p->next = 0;
    p->queued = p->nframes;
    p->nframes = 0;
    return 0;
}

/* The next queued packet: the segment's data, then continuations. */
static int emit(NervEncoder *p, NCPacket *pkt)
{
    int f = p->next++, ret;
    if (f == 0) {
        nc_packet_move_ref(pkt, &p->data);
        pkt->flags = p->data_key ? NC_PKT_FLAG_KEY : 0;
    } else {
        if ((ret = nc_packet_new(pkt, NERV_CONTINUATION_SIZE)) < 0) return ret;
        pkt->flags = 0;
    }
    pkt->pts = p->pts[f];
    pkt->duration = p->duration[f];
    if (p->next == p->queued) p->queued = p->next = 0;
    return 0;
}

static int nerv_receive_packet(NCCodecContext *ctx, NCPacket *pkt)
{
    NervEncoder *p = ctx->priv_data;
    size_t frame_floats = (size_t)p->s.channels * p->s.positions;
    for (;;) {
        if (p->queued) return emit(p, pkt);
        if (p->nframes == p->s.segment || (p->draining && p->nframes)) {
            int ret = fit(ctx);
            if (ret < 0) return ret;
            continue;
        }
        if (p->draining) return NC_EOF;
        NCFrame frame = {0};
        int ret = nci_codec_get_frame(ctx, &frame);
        if (ret == NC_EOF) {
            p->draining = 1;
            continue;
        }
        if (ret < 0) return ret;
        p->pts[p->nframes] = frame.pts;
        p->duration[p->nframes] = frame.duration > 0 ? frame.duration : 1;
        nerv_frame_to_samples(&p->s, &frame, p->frames + (size_t)p->nframes * frame_floats);
        p->nframes++;
        nc_frame_unref(&frame);
    }
}

static void encoder_flush(NCCodecContext *ctx)
{
    NervEncoder *p = ctx->priv_data;
    p->nframes = p->queued = p->next = 0;
    p->draining = 0;
    p->ref.valid = 0;
    p->carry.ok = 0;
    nc_packet_unref(&p->data);
}

const NCCodecDef nerv_encoder = {
    .p = {NERV_CODEC, .options = encoder_options,
          .capabilities = NC_CODEC_CAP_DELAY | NC_CODEC_CAP_THREADS},
    .is_encoder = 1,
    .priv_size = sizeof(NervEncoder),
    .init = encoder_init,
    .close = encoder_close,
    .receive_packet = nerv_receive_packet,
    .flush = encoder_flush,
};

typedef struct NervDecoder {
    NervShape s;
    RCParamTables tables;
    NervSegment seg;           /* the segment whose frames are being decoded */
    NervRef ref;               /* the last segment decoded, for a predicted one */
    int have_segment, next;    /* the frame the next continuation packet stands for */
    float *latents, *weights, *out, *z, *tile;
    NervScratch sc;
    NervDetail det;            /* version 6: read frame by frame from the data packet, */
    NCPacket pkt;              /* held here while its segment's frames decode */
    RCDecoder dec;
    NCFrame prev;              /* the last frame decoded */
    int prev_ok;               /* prev is the last frame of the last segment decoded */
    int32_t prev_motion[2];    /* and its global motion */
} NervDecoder;

static int decoder_init(NCCodecContext *ctx)
{
    NervDecoder *p = ctx->priv_data;
    int ret = nerv_header_parse(&p->s, ctx->extradata, ctx->extradata_size, ctx);
    if (ret < 0) return ret;
    if (ctx->width != p->s.width || ctx->height != p->s.height || ctx->pix_fmt != p->s.pix_fmt) {
        nc_log(ctx, NC_LOG_ERROR, "the stream is %dx%d %s, not %dx%d %s", p->s.width, p->s.height,
               nc_pix_fmt_name(p->s.pix_fmt), ctx->width, ctx->height, nc_pix_fmt_name(ctx->pix_fmt));
        return NC_EINVAL;
    }
    if ((ret = nerv_tables_init(&p->tables)) < 0) return ret;
    p->weights = malloc(sizeof(float) * nerv_param_count(&p->s));
    p->out = malloc(sizeof(float) * (size_t)p->s.channels * p->s.positions);
    p->z = malloc(sizeof(float) * (size_t)p->s.levels * p->s.positions);
    p->tile = malloc(sizeof(float) * 2 * (size_t)p->s.hidden * NERV_TILE);
    if (!p->weights || !p->out || !p->z || !p->tile) return NC_ENOMEM;
    if ((ret = nerv_detail_alloc(&p->det, &p->s)) < 0) return ret;
    return alloc_picture(&p->s, &p->prev);
}

static void drop_segment(NervDecoder *p)
{
    if (p->have_segment) nerv_segment_free(&p->seg);
    nerv_scratch_free(&p->sc);
    free(p->latents);
    p->latents = NULL;
    p->have_segment = 0;
    p->det.on = 0;
    nc_packet_unref(&p->pkt);
}

static void decoder_close(NCCodecContext *ctx)
{
    NervDecoder *p = ctx->priv_data;
    drop_segment(p);
    nerv_ref_free(&p->ref);
    rc_param_free(&p->tables);
    free(p->weights), free(p->out), free(p->z), free(p->tile);
    nerv_detail_free(&p->det);
    nc_frame_unref(&p->prev);
}

static int read_segment(NCCodecContext *ctx, const NCPacket *pkt)
{
    NervDecoder *p = ctx->priv_data;
    drop_segment(p);
    int ret = nc_packet_ref(&p->pkt, pkt);
    if (ret < 0) return ret;
    RCDecoder *dec = &p->dec;
    rc_dec_init(dec, p->pkt.data, p->pkt.size);
    int prev_ok = p->prev_ok;
    p->prev_ok = 0;
    ret = nerv_segment_read(&p->tables, &p->s, dec, &p->ref, &p->seg, ctx);
    p->ref.valid = 0; /* until this segment has decoded: a damaged one breaks the chain */
    if (ret < 0) {
        nc_packet_unref(&p->pkt);
        return ret;
    }
    p->have_segment = 1;
    if (p->s.version >= 6 && (ret = nerv_detail_read_header(&p->det, dec)) < 0) {
        nc_log(ctx, NC_LOG_ERROR, "damaged segment packet (detail layer)");
        drop_segment(p);
        return ret;
    }
    if (p->det.on && p->seg.predicted && !prev_ok) { /* the frame before is missing */
        nc_log(ctx, NC_LOG_WARNING, "no frames: a predicted segment without the frame before it");
        drop_segment(p);
        return NC_EAGAIN;
    }
    /* with the detail layer the packet ends after the segment's last frame */
    if (!p->det.on && (ret = rc_dec_finish(dec)) < 0) {
        nc_log(ctx, NC_LOG_ERROR, "damaged segment packet (%s)", nc_strerror(ret));
        drop_segment(p);
        return ret;
    }
    size_t count = p->seg.lay.offset[p->s.levels];
    p->latents = malloc(sizeof(float) * (count + 1));
    if (!p->latents || (ret = nerv_scratch_alloc(&p->sc, &p->s, &p->seg.lay)) < 0) {
        drop_segment(p);
        return NC_ENOMEM;
    }
    if (nerv_segment_latents(&p->s, &p->seg, p->latents) < 0) {
        nc_log(ctx, NC_LOG_ERROR, "damaged segment packet (latents out of range)");
        drop_segment(p);
        return NC_EINVALIDDATA;
    }
    nerv_segment_weights(&p->s, &p->seg, p->weights);
    if ((ret = nerv_ref_set(&p->ref, &p->s, &p->seg)) < 0) {
        drop_segment(p);
        return ret;
    }
    p->next = 0;
    int filtered = 0; /* planes with a loop filter */
    for (int k = NERV_MLP_TENSORS; k < nerv_tensor_count(&p->s); k++) filtered += p->seg.wexp[k] != 0;
    nc_log(ctx, NC_LOG_VERBOSE, "%s segment of %d frames, local motion in blocks of %d pixels, %d of %d planes "
           "filtered, detail layer %s (step %.2f)", p->seg.predicted ? "predicted" : "key", p->seg.n,
           p->seg.local.block_log2 ? 2 << p->seg.local.block_log2 : 0, filtered, nerv_planes(&p->s),
           p->det.on ? "on" : "off", p->det.step / 16.0);
    return 0;
}

static int nerv_decode(NCCodecContext *ctx, const NCPacket *pkt, NCFrame *frame)
{
    NervDecoder *p = ctx->priv_data;
    int ret;
    if (pkt->size == NERV_CONTINUATION_SIZE) {
        if (pkt->data[0] || (p->have_segment && p->next >= p->seg.n)) {
            nc_log(ctx, NC_LOG_ERROR, "a continuation packet with no segment frame left for it");
            return NC_EINVALIDDATA;
        }
        if (!p->have_segment) { /* its segment was damaged, or decoding began after it */
            nc_log(ctx, NC_LOG_WARNING, "no frame: a continuation packet without its segment");
            return NC_EAGAIN;
        }
    } else if ((ret = read_segment(ctx, pkt)) < 0) {
        return ret; /* NC_EAGAIN: predicted, without the segment before (no frame) */
    }
    frame->media_type = NC_MEDIA_VIDEO;
    frame->width = p->s.width;
    frame->height = p->s.height;
    frame->pix_fmt = p->s.pix_fmt;
    if ((ret = nc_frame_get_buffer(frame)) < 0) return ret;
    int f = p->next++;
    nerv_synth_frame(&p->s, &p->seg.lay, p->seg.motion, &p->seg.local, p->latents, p->weights, f, p->out,
                     p->z, p->tile, &p->sc);
    nerv_samples_to_frame(&p->s, p->out, frame);
    if (p->det.on) {
        int32_t g[2];
        nerv_detail_global(f ? p->seg.motion + 2 * (f - 1) : p->prev_motion, p->seg.motion + 2 * f, g);
        ret = nerv_detail_decode_frame(&p->det, &p->dec, &p->s, frame, f || p->seg.predicted ? &p->prev : NULL, g);
        if (ret >= 0 && f == p->seg.n - 1) ret = rc_dec_finish(&p->dec);
        if (ret < 0) {
            nc_log(ctx, NC_LOG_ERROR, "damaged segment packet (detail layer of frame %d: %s)", f, nc_strerror(ret));
            drop_segment(p);
            nc_frame_unref(frame);
            return ret;
        }
    }
    copy_picture(&p->prev, frame);
    p->prev_motion[0] = p->seg.motion[2 * f], p->prev_motion[1] = p->seg.motion[2 * f + 1];
    p->prev_ok = f == p->seg.n - 1;
    return 0;
}

static void decoder_flush(NCCodecContext *ctx)
{
    NervDecoder *p = ctx->priv_data;
    drop_segment(p);
    p->ref.valid = 0;
    p->prev_ok = 0;
}

const NCCodecDef nerv_decoder = {
    .p = {NERV_CODEC},
    .is_encoder = 0,
    .priv_size = sizeof(NervDecoder),
    .init = decoder_init,
    .close = decoder_close,
    .decode = nerv_decode,
    .flush = decoder_flush,
};
