/* The bytes layout of pclossless: a length, then the bytes as one row of blocks
 * through the plane coder. Decoding goes a chunk of whole blocks at a time and
 * stops at the first sign of a truncated or impossible stream. */
#include <stdlib.h>
#include <string.h>

#include "codecs/pclossless/pclossless_bytes.h"
#include "nc/error.h"
#include "nc/log.h"

/* Bytes per decoding step: whole blocks (the row's tiling does not depend on how
 * it is cut into chunks of whole blocks), about 64 KiB. */
static size_t chunk_bytes(const PCContext *pcx)
{
    size_t pw = (size_t)pcx->cm.patch_w;
    return pw * ((65536 + pw - 1) / pw);
}

static int bit_length(uint32_t m)
{
    int b = 0;
    while (m >> b) b++;
    return b;
}

int pc_encode_bytes(PCContext *pcx, RCEncoder *enc, const uint8_t *data, size_t n)
{
    /* m = n + 1 > 0 keeps even an empty frame's packet non-empty. */
    uint32_t m = (uint32_t)n + 1;
    int bits = bit_length(m);
    rc_encode_bits(enc, (uint32_t)bits, PC_BYTES_LENGTH_BITS);
    if (bits > 1) rc_encode_bits(enc, m & ((1u << (bits - 1)) - 1), (unsigned)bits - 1);
    size_t chunk = chunk_bytes(pcx);
    int ret = 0;
    for (size_t at = 0; at < n && ret >= 0; at += chunk) {
        size_t len = n - at < chunk ? n - at : chunk;
        ret = pc_encode_plane(pcx, enc, data + at, (ptrdiff_t)len, 1, (int)len, 1);
    }
    return ret;
}

/* Reads the length; NC_EINVALIDDATA unless it is a valid, canonical one. */
static int decode_length(RCDecoder *dec, size_t *n)
{
    uint32_t bits = rc_decode_bits(dec, PC_BYTES_LENGTH_BITS);
    if (bits < 1 || bits > PC_BYTES_LENGTH_MAX_BITS) return NC_EINVALIDDATA;
    uint32_t m = 1u << (bits - 1);
    if (bits > 1) m |= rc_decode_bits(dec, bits - 1);
    if ((size_t)m - 1 > PC_BYTES_MAX_FRAME) return NC_EINVALIDDATA;
    *n = (size_t)m - 1;
    return rc_dec_error(dec);
}

/* NC_ETRUNCATED (logged) if a stream of dec->size bytes cannot pay for a frame of
 * total bytes: refused before anything is allocated. */
static int check_length(const PCContext *pcx, const RCDecoder *dec, size_t total)
{
    uint64_t info = pc_plane_info_floor(pcx, (int)total, 1);
    if (rc_stream_can_hold(dec->size, info) == 0) return 0;
    nc_log(pcx->owner, NC_LOG_ERROR,
           "pclossless_bytes: a frame of %zu bytes needs a packet of at least %llu bytes, "
           "this one has %zu",
           total, (unsigned long long)rc_stream_min_bytes(info), dec->size);
    return NC_ETRUNCATED;
}

int pc_check_bytes_packet(const PCContext *pcx, const uint8_t *data, size_t size)
{
    RCDecoder dec;
    size_t total;
    rc_dec_init(&dec, data, size);
    int ret = decode_length(&dec, &total);
    return ret < 0 ? ret : check_length(pcx, &dec, total);
}

int pc_decode_bytes(PCContext *pcx, RCDecoder *dec, size_t max_bytes, uint8_t **data,
                    size_t *n)
{
    *data = NULL;
    *n = 0;
    size_t total;
    int ret = decode_length(dec, &total);
    if (ret < 0) return ret;
    if (total > max_bytes) return NC_ERANGE;
    if ((ret = check_length(pcx, dec, total)) < 0) return ret;
    size_t chunk = chunk_bytes(pcx), cap = 0;
    uint8_t *buf = NULL;
    for (size_t at = 0; at < total; at += chunk) {
        size_t len = total - at < chunk ? total - at : chunk;
        if (at + len > cap) { /* grow by doubling, never past the frame */
            size_t grown = cap ? 2 * cap : len;
            if (grown < at + len) grown = at + len;
            if (grown > total) grown = total;
            uint8_t *p = realloc(buf, grown);
            if (!p) {
                free(buf);
                return NC_ENOMEM;
            }
            buf = p;
            cap = grown;
        }
        if ((ret = pc_decode_plane(pcx, dec, buf + at, (ptrdiff_t)len, 1, (int)len, 1)) < 0) {
            free(buf);
            return ret;
        }
    }
    *data = buf;
    *n = total;
    return 0;
}
