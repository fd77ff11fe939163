/* The geometry of a nerv stream: its header, the sizes of latents and weights,
 * and frames as samples per position. */
#include <string.h>

#include "codecs/nerv/nerv.h"
#include "nc/error.h"
#include "nc/log.h"

static const uint8_t magic[3] = {'N', 'R', 'V'};

size_t nerv_tensor_size(const NervShape *s, int tensor)
{
    switch (tensor) {
    case 0: return (size_t)s->hidden * s->levels;
    case 1: return (size_t)s->hidden;
    case 2: return (size_t)s->hidden * s->hidden;
    case 3: return (size_t)s->hidden;
    case 4: return (size_t)s->channels * s->hidden;
    case 5: return (size_t)s->channels;
    default: return NERV_FILTER_VALUES;
    }
}

int nerv_tensor_count(const NervShape *s)
{
    return NERV_MLP_TENSORS + (s->version >= 5 ? nerv_planes(s) : 0);
}

size_t nerv_tensor_offset(const NervShape *s, int tensor)
{
    size_t off = 0;
    for (int t = 0; t < tensor; t++) off += nerv_tensor_size(s, t);
    return off;
}

size_t nerv_param_count(const NervShape *s) { return nerv_tensor_offset(s, nerv_tensor_count(s)); }

static int channels_of(enum NCPixelFormat fmt)
{
    switch (fmt) {
    case NC_PIX_GRAY8: return 4;
    case NC_PIX_YUV420P: return 6;
    case NC_PIX_RGB24: return 12;
    default: return 0;
    }
}

int nerv_shape_init(NervShape *s, void *log_ctx)
{
    if (!s->version) s->version = NERV_VERSION;
    if (s->version < 1 || s->version > NERV_VERSION) {
        nc_log(log_ctx, NC_LOG_ERROR, "nerv bitstream version %d is not 1 .. %d", s->version,
               NERV_VERSION);
        return NC_EINVAL;
    }
    s->channels = channels_of(s->pix_fmt);
    if (!s->channels) {
        nc_log(log_ctx, NC_LOG_ERROR, "pixel format %d is not one nerv codes", (int)s->pix_fmt);
        return NC_EINVAL;
    }
    if (s->width < 1 || s->height < 1 || s->width > NERV_MAX_DIM || s->height > NERV_MAX_DIM) {
        nc_log(log_ctx, NC_LOG_ERROR, "frame size %dx%d is outside 1x1 .. %dx%d", s->width,
               s->height, NERV_MAX_DIM, NERV_MAX_DIM);
        return NC_EINVAL;
    }
    if (s->levels < 1 || s->levels > NERV_MAX_LEVELS || s->hidden < 1 ||
        s->hidden > NERV_MAX_HIDDEN || s->segment < 1 || s->segment > NERV_MAX_SEGMENT) {
        nc_log(log_ctx, NC_LOG_ERROR,
               "levels %d, hidden %d, segment %d: not within 1..%d, 1..%d, 1..%d", s->levels,
               s->hidden, s->segment, NERV_MAX_LEVELS, NERV_MAX_HIDDEN, NERV_MAX_SEGMENT);
        return NC_EINVAL;
    }
    s->pw = (s->width + 1) / 2;
    s->ph = (s->height + 1) / 2;
    s->positions = s->pw * s->ph;
    for (int l = 0; l < NERV_MAX_LEVELS; l++) {
        if (l >= s->levels) {
            s->stride_log2[l] = s->scale_log2[l] = 0;
            continue;
        }
        if (s->stride_log2[l] < 0 || s->stride_log2[l] > NERV_MAX_STRIDE_LOG2 ||
            s->scale_log2[l] < 0 || s->scale_log2[l] > NERV_MAX_SCALE_LOG2) {
            nc_log(log_ctx, NC_LOG_ERROR, "grid %d: scale 2^-%d or time stride 2^%d out of range",
                   l, s->scale_log2[l], s->stride_log2[l]);
            return NC_EINVAL;
        }
    }
    /* the most latents a segment can have: motion spanning a whole frame each way */
    int32_t motion[2 * 2] = {0, 0, nerv_max_motion(s, 0), nerv_max_motion(s, 1)};
    NervLayout lay;
    nerv_layout_init(&lay, s, 2, motion);
    double total = 0;
    for (int l = 0; l < s->levels; l++)
        total += (double)((s->segment + (1 << s->stride_log2[l]) - 1) >> s->stride_log2[l]) *
                 lay.lw[l] * lay.lh[l];
    if (total > NERV_MAX_LATENTS) {
        nc_log(log_ctx, NC_LOG_ERROR,
               "%dx%d frames in segments of %d may need more than %d latents: use shorter "
               "segments or longer time strides", s->width, s->height, s->segment, NERV_MAX_LATENTS);
        return NC_EINVAL;
    }
    return 0;
}

int nerv_max_motion(const NervShape *s, int axis) { return 8 * (axis ? s->ph : s->pw); }

static int floor_div8(int v) { return (int)nerv_floor_div(v, 8); }

void nerv_layout_init(NervLayout *lay, const NervShape *s, int n, const int32_t *motion)
{
    memset(lay, 0, sizeof(*lay));
    lay->n = n;
    int32_t lo[2] = {motion[0], motion[1]}, hi[2] = {motion[0], motion[1]};
    for (int f = 1; f < n; f++)
        for (int a = 0; a < 2; a++) {
            int32_t v = motion[2 * f + a];
            lo[a] = v < lo[a] ? v : lo[a];
            hi[a] = v > hi[a] ? v : hi[a];
        }
    lay->ox = floor_div8(lo[0]);
    lay->oy = floor_div8(lo[1]);
    lay->gw = s->pw + -floor_div8(-hi[0]) - lay->ox;
    lay->gh = s->ph + -floor_div8(-hi[1]) - lay->oy;
    size_t off = 0;
    for (int l = 0; l < s->levels; l++) {
        int sl = s->stride_log2[l];
        int k = s->scale_log2[l];
        lay->lw[l] = (lay->gw + (1 << k) - 1) >> k;
        lay->lh[l] = (lay->gh + (1 << k) - 1) >> k;
        lay->times[l] = (n + (1 << sl) - 1) >> sl;
        lay->offset[l] = off;
        off += (size_t)lay->times[l] * lay->lw[l] * lay->lh[l];
    }
    lay->offset[s->levels] = off;
}

static void put16(uint8_t *p, int v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

void nerv_header_write(const NervShape *s, uint8_t *out)
{
    memset(out, 0, NERV_HEADER_SIZE);
    memcpy(out, magic, 3);
    out[3] = (uint8_t)s->version;
    put16(out + 4, s->width);
    put16(out + 6, s->height);
    out[8] = (uint8_t)s->pix_fmt;
    out[9] = (uint8_t)s->levels;
    out[10] = (uint8_t)s->hidden;
    out[11] = (uint8_t)s->segment;
    for (int l = 0; l < s->levels; l++)
        out[12 + l] = (uint8_t)(s->scale_log2[l] << 4 | s->stride_log2[l]);
}

int nerv_header_parse(NervShape *s, const uint8_t *data, size_t size, void *log_ctx)
{
    if (!data || size != NERV_HEADER_SIZE || memcmp(data, magic, 3)) {
        nc_log(log_ctx, NC_LOG_ERROR, "not a nerv stream header");
        return NC_EINVALIDDATA;
    }
    if (data[3] < 1 || data[3] > NERV_VERSION) {
        nc_log(log_ctx, NC_LOG_ERROR, "nerv bitstream version %d (this libnc reads 1 .. %d)",
               data[3], NERV_VERSION);
        return NC_ENOTSUP;
    }
    memset(s, 0, sizeof(*s));
    s->version = data[3];
    s->width = data[4] | data[5] << 8;
    s->height = data[6] | data[7] << 8;
    s->pix_fmt = (enum NCPixelFormat)data[8];
    s->levels = data[9];
    s->hidden = data[10];
    s->segment = data[11];
    for (int l = 0; l < NERV_MAX_LEVELS; l++) {
        if (l >= s->levels && data[12 + l]) s->levels = 0; /* reserved bytes must be zero */
        if (l < s->levels) {
            s->scale_log2[l] = data[12 + l] >> 4;
            s->stride_log2[l] = data[12 + l] & 15;
        }
    }
    return nerv_shape_init(s, log_ctx) < 0 ? NC_EINVALIDDATA : 0;
}

/* The byte of frame holding sample c of position (px, py); outside an odd-sized
 * frame the edge pixel's (clamp) or NULL. */
static uint8_t *sample_at(const NervShape *s, const NCFrame *frame, int c, int px, int py,
                          int clamp)
{
    int luma = s->pix_fmt == NC_PIX_YUV420P ? 4 : s->channels;
    if (c >= luma) /* U or V at the position itself */
        return frame->data[1 + c - luma] + (size_t)py * frame->linesize[1 + c - luma] + px;
    int per = s->pix_fmt == NC_PIX_RGB24 ? 3 : 1, sub = c / per;
    int x = 2 * px + (sub & 1), y = 2 * py + (sub >> 1);
    if ((x >= s->width || y >= s->height) && !clamp) return NULL;
    x = x < s->width ? x : s->width - 1;
    y = y < s->height ? y : s->height - 1;
    return frame->data[0] + (size_t)y * frame->linesize[0] + (size_t)x * per + c % per;
}

void nerv_frame_to_samples(const NervShape *s, const NCFrame *frame, float *x)
{
    for (int c = 0; c < s->channels; c++)
        for (int py = 0; py < s->ph; py++)
            for (int px = 0; px < s->pw; px++, x++)
                *x = (float)*sample_at(s, frame, c, px, py, 1) * (1.0f / 255.0f);
}

void nerv_samples_to_frame(const NervShape *s, const float *x, NCFrame *frame)
{
    for (int c = 0; c < s->channels; c++)
        for (int py = 0; py < s->ph; py++)
            for (int px = 0; px < s->pw; px++, x++) {
                uint8_t *out = sample_at(s, frame, c, px, py, 0);
                float v = *x * 255.0f + 0.5f;
                if (out) *out = v <= 0.0f ? 0 : v >= 255.0f ? 255 : (uint8_t)v;
            }
}

void nerv_local_init(NervLocal *loc, const NervShape *s, int block_log2)
{
    loc->block_log2 = block_log2;
    int b = 1 << block_log2;
    loc->bw = block_log2 ? (s->pw + b - 1) / b : 0;
    loc->bh = block_log2 ? (s->ph + b - 1) / b : 0;
}

/* Along one axis, position o between the centres of blocks of b positions: the
 * block before (clamped to 0 .. count - 1), the one after, and the weight of the
 * one after in 1/(2b). Centre i is at (i + 1/2) b - 1/2, so o's coordinate in
 * blocks is (2o + 1 - b) / (2b). */
static void local_axis(int o, int log2b, int count, int *i0, int *i1, int *w1)
{
    int b = 1 << log2b, num = 2 * o + 1 - b;
    int i = (int)nerv_floor_shift(num, log2b + 1);
    *w1 = num - i * 2 * b;
    *i0 = i < 0 ? 0 : i >= count ? count - 1 : i;
    *i1 = i + 1 < 0 ? 0 : i + 1 >= count ? count - 1 : i + 1;
}

void nerv_local_field(const NervShape *s, const NervLocal *loc, int f, int32_t *dx, int32_t *dy)
{
    int lb = loc->block_log2, b = 1 << lb;
    int den_log2 = 2 * lb + 2; /* the weights' product 4 b^2: quarters -> eighths x 2 */
    const int32_t *v = loc->v + (size_t)f * loc->bw * loc->bh * 2;
    for (int py = 0; py < s->ph; py++) {
        int y0, y1, wy;
        local_axis(py, lb, loc->bh, &y0, &y1, &wy);
        for (int px = 0; px < s->pw; px++) {
            int x0, x1, wx;
            local_axis(px, lb, loc->bw, &x0, &x1, &wx);
            const int32_t *v00 = v + ((size_t)y0 * loc->bw + x0) * 2, *v01 = v + ((size_t)y0 * loc->bw + x1) * 2,
                          *v10 = v + ((size_t)y1 * loc->bw + x0) * 2, *v11 = v + ((size_t)y1 * loc->bw + x1) * 2;
            int64_t a00 = (int64_t)(2 * b - wx) * (2 * b - wy), a01 = (int64_t)wx * (2 * b - wy),
                    a10 = (int64_t)(2 * b - wx) * wy, a11 = (int64_t)wx * wy;
            size_t p = (size_t)py * s->pw + px;
            for (int a = 0; a < 2; a++) {
                int64_t q = a00 * v00[a] + a01 * v01[a] + a10 * v10[a] + a11 * v11[a];
                /* quarters times den -> eighths, to the nearest (halves up) */
                int32_t e = (int32_t)nerv_floor_shift(2 * q + ((int64_t)1 << (den_log2 - 1)), den_log2);
                (a ? dy : dx)[p] = e;
            }
        }
    }
}
