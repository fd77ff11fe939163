/* What the pclossless encoder and decoder share: the model, the stream header and
 * the tiling of a plane into patches. */
#include <stdlib.h>
#include <string.h>

#include "codecs/pclossless/pc_model.h"
#include "codecs/pclossless/pclossless.h"
#include "nc/error.h"
#include "nc/log.h"

int pc_context_open(PCContext *pcx, const void *log_ctx, const char *id, const char *path,
                    const uint8_t *sha256)
{
    int ret = nc_model_find(&pcx->model, id, path && *path ? path : NULL);
    if (ret < 0) {
        nc_log(log_ctx, NC_LOG_ERROR, "pclossless: cannot load model %s", id);
        return ret;
    }
    if (sha256 && (ret = nc_model_check(pcx->model, id, sha256)) < 0) return ret;
    if ((ret = pc_coding_model_from_ncm(&pcx->cm, pcx->model)) < 0) return ret;
    if ((ret = pc_patch_coder_init(&pcx->coder, &pcx->cm)) < 0) return ret;
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
}

size_t pc_header_write(const PCContext *pcx, uint8_t buf[PC_HEADER_MAX_SIZE])
{
    const char *id = nc_model_id(pcx->model);
    size_t n = strlen(id);
    memcpy(buf, PC_HEADER_MAGIC, 3);
    buf[3] = PC_HEADER_VERSION;
    buf[4] = (uint8_t)n;
    memcpy(buf + 5, id, n);
    memcpy(buf + 5 + n, nc_model_sha256(pcx->model), NC_MODEL_SHA256_SIZE);
    return 5 + n + NC_MODEL_SHA256_SIZE;
}

int pc_header_parse(const void *log_ctx, const uint8_t *buf, size_t size,
                    char id[NC_MODEL_MAX_ID + 1], uint8_t sha256[NC_MODEL_SHA256_SIZE])
{
    if (!buf || size < 5 || memcmp(buf, PC_HEADER_MAGIC, 3)) {
        nc_log(log_ctx, NC_LOG_ERROR, "pclossless: the stream header is missing or damaged");
        return NC_EINVALIDDATA;
    }
    if (buf[3] != PC_HEADER_VERSION) {
        nc_log(log_ctx, NC_LOG_ERROR, "pclossless: stream version %d, this decoder reads %d",
               buf[3], PC_HEADER_VERSION);
        return NC_ENOTSUP;
    }
    size_t n = buf[4];
    if (n < 1 || n > NC_MODEL_MAX_ID || size != 5 + n + NC_MODEL_SHA256_SIZE) {
        nc_log(log_ctx, NC_LOG_ERROR, "pclossless: the stream header has a bad size");
        return NC_EINVALIDDATA;
    }
    for (size_t i = 0; i < n; i++) {
        char c = (char)buf[5 + i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '_' || c == '-';
        if (!ok) {
            nc_log(log_ctx, NC_LOG_ERROR, "pclossless: the stream header names no valid model");
            return NC_EINVALIDDATA;
        }
        id[i] = c;
    }
    id[n] = 0;
    memcpy(sha256, buf + 5 + n, NC_MODEL_SHA256_SIZE);
    return 0;
}

int pc_channels(enum NCPixelFormat fmt)
{
    return fmt == NC_PIX_GRAY8 ? 1 : fmt == NC_PIX_RGB24 ? 3 : 0;
}

/* Visits the tiles of a plane in raster order; each tile's pixels outside the
 * plane are marginalized by the patch coder. */
static void code_plane(PCContext *pcx, RCEncoder *enc, RCDecoder *dec, const uint8_t *src,
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
                pc_encode_patch(&pcx->coder, enc, pcx->patch, vw, vh);
            } else {
                pc_decode_patch(&pcx->coder, dec, pcx->patch, vw, vh);
                for (int y = 0; y < vh; y++)
                    for (int x = 0; x < vw; x++)
                        dst[(ty + y) * linesize + (ptrdiff_t)(tx + x) * step] = pcx->patch[y * pw + x];
            }
        }
}

void pc_encode_plane(PCContext *pcx, RCEncoder *enc, const uint8_t *data, ptrdiff_t linesize,
                     int step, int w, int h)
{
    code_plane(pcx, enc, NULL, data, NULL, linesize, step, w, h);
}

void pc_decode_plane(PCContext *pcx, RCDecoder *dec, uint8_t *data, ptrdiff_t linesize,
                     int step, int w, int h)
{
    code_plane(pcx, NULL, dec, NULL, data, linesize, step, w, h);
}
