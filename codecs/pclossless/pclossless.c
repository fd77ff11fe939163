/* What the pclossless encoder and decoder share: the model, the stream header and
 * the tiling of a plane into patches. */
#include <stdlib.h>
#include <string.h>

#include "codecs/pclossless/pc_model.h"
#include "codecs/pclossless/pclossless.h"
#include "codecs/pclossless/pclossless_bytes.h"
#include "codecs/pclossless/plane_transform.h"
#include "libnc/codec_internal.h"
#include "nc/error.h"
#include "nc/log.h"

int pc_context_open(PCContext *pcx, NCCodecContext *log_ctx, const char *id, const char *path,
                    const NCIModelPin *pin)
{
    int ret = nci_codec_find_model(log_ctx, &pcx->model, id, path, pin);
    if (ret < 0) return ret;
    if ((ret = pc_coding_model_from_ncm(&pcx->cm, pcx->model)) < 0) return ret;
    const char *transform = nc_model_param(pcx->model, "transform");
    if ((pcx->transform = pc_transform_parse(transform)) < 0) {
        nc_log(log_ctx, NC_LOG_ERROR, "model %s has unknown transform %s", id,
               transform);
        return NC_EMODEL;
    }
    if ((ret = pc_patch_coder_init(&pcx->coder, &pcx->cm)) < 0) return ret;
    pcx->pixel_info = pc_pixel_info_floor(&pcx->cm);
    pcx->patch = calloc((size_t)pcx->cm.tree.nvars, 1);
    return pcx->patch ? 0 : NC_ENOMEM;
}

void pc_context_close(PCContext *pcx)
{
    pc_patch_coder_free(&pcx->coder);
    pc_coding_model_free(&pcx->cm);
    nc_model_free(&pcx->model);
    free(pcx->patch);
    pcx->patch = NULL;
    free(pcx->planes);
    pcx->planes = NULL;
    pcx->planes_size = 0;
}

/* model=auto: bytes get the text model; gray pictures up to 28x28 get MNIST's
 * (digits, what the codec was first made for, at 1.2 bits/pixel), anything larger
 * or in colour the photo model (MNIST's model codes a photo's 28x28 tiles near raw
 * 8 bits/pixel; the photo model's 8x8 residual patches suit any size). */
static const char *auto_model(const NCCodecContext *ctx)
{
    if (ctx->media_type == NC_MEDIA_BYTES) return PC_BYTES_DEFAULT_MODEL;
    if (ctx->pix_fmt == NC_PIX_GRAY8 && ctx->width <= 28 && ctx->height <= 28)
        return PC_DEFAULT_MODEL;
    return PC_PHOTO_MODEL;
}

int pc_encoder_init(NCCodecContext *ctx)
{
    PCEncoder *p = ctx->priv_data;
    const char *id = p->model_id;
    if (!strcmp(id, PC_AUTO_MODEL)) {
        id = auto_model(ctx);
        nc_log(ctx, NC_LOG_VERBOSE, "model=auto: %s", id);
    }
    int ret = pc_context_open(&p->pcx, ctx, id, p->model_path, NULL);
    if (ret < 0) return ret;
    p->pcx.owner = ctx;
    uint8_t header[PC_HEADER_MAX_SIZE];
    size_t size = pc_header_write(&p->pcx, header);
    if ((ret = nc_codec_set_extradata(ctx, header, size)) < 0) return ret;
    rc_enc_init(&p->enc);
    p->enc_ready = 1;
    return 0;
}

void pc_encoder_close(NCCodecContext *ctx)
{
    PCEncoder *p = ctx->priv_data;
    pc_context_close(&p->pcx);
    if (p->enc_ready) rc_enc_free(&p->enc);
    p->enc_ready = 0;
}

const enum NCPixelFormat pc_image_pix_fmts[] = {NC_PIX_GRAY8, NC_PIX_RGB24, NC_PIX_NONE};

int pc_encoder_packet(PCEncoder *p, NCPacket *pkt)
{
    int ret = rc_enc_flush(&p->enc);
    return ret < 0 ? ret : nc_packet_from_data(pkt, p->enc.buf, p->enc.size);
}

int pc_decoder_init(NCCodecContext *ctx)
{
    PCDecoder *p = ctx->priv_data;
    NCIModelPin pin;
    int ret = pc_header_parse(ctx, ctx->extradata, ctx->extradata_size, &pin);
    if (ret < 0) return ret;
    if ((ret = pc_context_open(&p->pcx, ctx, pin.id, p->model_path, &pin)) < 0) return ret;
    p->pcx.owner = ctx;
    p->version = pin.version;
    return 0;
}

void pc_decoder_close(NCCodecContext *ctx)
{
    PCDecoder *p = ctx->priv_data;
    pc_context_close(&p->pcx);
}

size_t pc_header_write(const PCContext *pcx, uint8_t buf[PC_HEADER_MAX_SIZE])
{
    return nci_model_header_write(buf, PC_HEADER_ID_PREFIX, PC_HEADER_VERSION, NULL, 0, pcx->model);
}

int pc_header_parse(const void *log_ctx, const uint8_t *buf, size_t size, NCIModelPin *pin)
{
    return nci_model_header_parse(log_ctx, buf, size, PC_HEADER_MAGIC, PC_HEADER_ID_PREFIX,
                                  PC_HEADER_VERSION, NULL, 0, pin);
}

int pc_channels(enum NCPixelFormat fmt)
{
    return fmt == NC_PIX_GRAY8 ? 1 : fmt == NC_PIX_RGB24 ? 3 : 0;
}

/* Each tile starts with a flag coded at 2^-PC_TILE_FLAG_BITS resolution: the
 * circuit codes the tile (slots [0, 63)) or, when that would cost more than
 * plain 8-bit samples, the tile is stored raw (slot 63). Images unlike the
 * model's training data thus cost at most 8 bits per pixel and a little. */
#define PC_TILE_FLAG_BITS 6
#define PC_TILE_RAW_SLOT ((1u << PC_TILE_FLAG_BITS) - 1)

static void encode_tile(PCContext *pcx, RCEncoder *enc, int vw, int vh)
{
    int pw = pcx->cm.patch_w;
    RCEncoderMark mark;
    rc_enc_mark(enc, &mark);
    uint64_t start = rc_enc_tell_frac(enc);
    rc_encode_freq(enc, 0, PC_TILE_RAW_SLOT, PC_TILE_FLAG_BITS);
    pc_encode_patch(&pcx->coder, enc, pcx->patch, vw, vh);
    uint64_t circuit = rc_enc_tell_frac(enc) - start; /* 1/8 bits */
    uint64_t raw = 8 * (PC_TILE_FLAG_BITS + 8 * (uint64_t)vw * (uint64_t)vh);
    if (circuit <= raw) return;
    rc_enc_rewind(enc, &mark);
    rc_encode_freq(enc, PC_TILE_RAW_SLOT, 1, PC_TILE_FLAG_BITS);
    for (int y = 0; y < vh; y++)
        for (int x = 0; x < vw; x++) rc_encode_bits(enc, pcx->patch[y * pw + x], 8);
}

static void decode_tile(PCContext *pcx, RCDecoder *dec, int vw, int vh)
{
    int pw = pcx->cm.patch_w;
    uint32_t flag = rc_decode_target(dec, PC_TILE_FLAG_BITS);
    if (flag < PC_TILE_RAW_SLOT) {
        rc_decode_update(dec, 0, PC_TILE_RAW_SLOT);
        pc_decode_patch(&pcx->coder, dec, pcx->patch, vw, vh);
        return;
    }
    rc_decode_update(dec, PC_TILE_RAW_SLOT, 1);
    for (int y = 0; y < vh; y++)
        for (int x = 0; x < vw; x++) pcx->patch[y * pw + x] = (uint8_t)rc_decode_bits(dec, 8);
}

uint64_t pc_plane_info_floor(const PCContext *pcx, int w, int h)
{
    uint64_t pw = (uint64_t)pcx->cm.patch_w, ph = (uint64_t)pcx->cm.patch_h;
    uint64_t tiles = (((uint64_t)w + pw - 1) / pw) * (((uint64_t)h + ph - 1) / ph);
    uint64_t flag = rc_symbol_info_floor(PC_TILE_RAW_SLOT, PC_TILE_FLAG_BITS);
    return tiles * flag + (uint64_t)w * (uint64_t)h * pcx->pixel_info;
}

/* Visits the tiles of a plane in raster order; each tile's pixels outside the
 * plane are marginalized by the patch coder. Between tiles a decoder stops once
 * it has read past the end of the packet, and both directions stop when the
 * owner's interrupt callback asks. */
static int code_plane(PCContext *pcx, RCEncoder *enc, RCDecoder *dec, const uint8_t *src,
                       uint8_t *dst, ptrdiff_t linesize, int step, int w, int h)
{
    int pw = pcx->cm.patch_w, ph = pcx->cm.patch_h;
    for (int ty = 0; ty < h; ty += ph)
        for (int tx = 0; tx < w; tx += pw) {
            int vw = w - tx < pw ? w - tx : pw, vh = h - ty < ph ? h - ty : ph;
            if (enc) {
                for (int y = 0; y < vh; y++)
                    for (int x = 0; x < vw; x++)
                        pcx->patch[y * pw + x] = src[(ty + y) * linesize + (ptrdiff_t)(tx + x) * step];
                encode_tile(pcx, enc, vw, vh);
            } else {
                decode_tile(pcx, dec, vw, vh);
                for (int y = 0; y < vh; y++)
                    for (int x = 0; x < vw; x++)
                        dst[(ty + y) * linesize + (ptrdiff_t)(tx + x) * step] = pcx->patch[y * pw + x];
                int ret = rc_dec_overrun(dec);
                if (ret < 0) return ret;
            }
            int ret = nci_codec_check_interrupt(pcx->owner);
            if (ret < 0) return ret;
        }
    return 0;
}

int pc_encode_plane(PCContext *pcx, RCEncoder *enc, const uint8_t *data, ptrdiff_t linesize,
                    int step, int w, int h)
{
    return code_plane(pcx, enc, NULL, data, NULL, linesize, step, w, h);
}

int pc_decode_plane(PCContext *pcx, RCDecoder *dec, uint8_t *data, ptrdiff_t linesize,
                    int step, int w, int h)
{
    return code_plane(pcx, NULL, dec, NULL, data, linesize, step, w, h);
}

/* The planes buffer for a w x h image of `channels` channels (a residual model). */
static int planes_alloc(PCContext *pcx, int channels, int w, int h)
{
    size_t need = (size_t)channels * (size_t)w * (size_t)h;
    if (need <= pcx->planes_size) return 0;
    uint8_t *p = realloc(pcx->planes, need);
    if (!p) return NC_ENOMEM;
    pcx->planes = p;
    pcx->planes_size = need;
    return 0;
}

int pc_encode_image(PCContext *pcx, RCEncoder *enc, const uint8_t *data, ptrdiff_t linesize,
                    int channels, int w, int h)
{
    int ret = 0;
    if (pcx->transform == PC_TRANSFORM_PIXELS) {
        for (int c = 0; c < channels && ret >= 0; c++)
            ret = pc_encode_plane(pcx, enc, data + c, linesize, channels, w, h);
        return ret;
    }
    if ((ret = planes_alloc(pcx, channels, w, h)) < 0) return ret;
    size_t n = (size_t)w * (size_t)h;
    pc_image_to_planes(pcx->transform, data, linesize, channels, w, h, pcx->planes);
    for (int c = 0; c < channels && ret >= 0; c++)
        ret = pc_encode_plane(pcx, enc, pcx->planes + c * n, w, 1, w, h);
    return ret;
}

int pc_decode_image(PCContext *pcx, RCDecoder *dec, uint8_t *data, ptrdiff_t linesize,
                    int channels, int w, int h)
{
    int ret = 0;
    if (pcx->transform == PC_TRANSFORM_PIXELS) {
        for (int c = 0; c < channels && ret >= 0; c++)
            ret = pc_decode_plane(pcx, dec, data + c, linesize, channels, w, h);
        return ret;
    }
    if ((ret = planes_alloc(pcx, channels, w, h)) < 0) return ret;
    size_t n = (size_t)w * (size_t)h;
    for (int c = 0; c < channels && ret >= 0; c++)
        ret = pc_decode_plane(pcx, dec, pcx->planes + c * n, w, 1, w, h);
    if (ret >= 0) pc_planes_to_image(pcx->transform, pcx->planes, channels, w, h, data, linesize);
    return ret;
}
