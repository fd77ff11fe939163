/*
 * libnc neural codecs: what the wrappers and the .nc (de)muxer share
 *
 * This file is part of FFmpeg.
 *
 * FFmpeg is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * FFmpeg is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the GNU
 * Lesser General Public License for more details.
 *
 * You should have received a copy of the GNU Lesser General Public
 * License along with FFmpeg; if not, write to the Free Software
 * Foundation, Inc., 51 Franklin Street, Fifth Floor, Boston, MA 02110-1301 USA
 */

/*
 * The extradata of every libnc stream in FFmpeg is a .nc file header (libnc's
 * conformance/spec/container.md): codec name, media parameters (pixel format
 * included, which Matroska and NUT do not store), time base and the codec's own
 * stream header. libnc writes and checks it, so .nc, .mkv and .nut carry the
 * same bytes, and the .nc muxer rebuilds nc-enc's file header from them.
 *
 * Everything here is static inline, as libavformat uses it too.
 */

#ifndef AVCODEC_LIBNC_H
#define AVCODEC_LIBNC_H

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <nc/nc.h>

#include "libavutil/error.h"
#include "libavutil/mem.h"
#include "libavutil/pixfmt.h"
#include "avcodec.h"

#define LIBNC_MAX_OPTIONS 32

/* Where the AVOption of a libnc option keeps its value: i for int, bool and
 * enum options, d for float ones, s for strings (libnc_encoders.h). */
typedef struct LibNCOptionValue {
    int i;
    double d;
    char *s;
} LibNCOptionValue;

typedef struct LibNCContext {
    const AVClass *class;
    NCCodecContext *nc;
    NCFrame *frame;
    NCPacket *pkt;
    AVFrame *av_frame;  /* encoder: the input frame being sent */
    AVPacket *av_pkt;   /* decoder: the input packet being sent */
    int draining;       /* NULL was sent to libnc */
    LibNCOptionValue opt[LIBNC_MAX_OPTIONS];
} LibNCContext;

/**
 * Allocates the libnc context of avctx's wrapper (libnc_NAME) with its private
 * options and sets up libnc's logging through av_log().
 */
int ff_libnc_init(AVCodecContext *avctx, int encoder);

/** Frees what ff_libnc_init() and the wrapper allocated. */
void ff_libnc_close(AVCodecContext *avctx);

/** Logs a libnc failure and returns its AVERROR code. */
int ff_libnc_fail(AVCodecContext *avctx, int err, const char *what);

static inline int ff_libnc_error(int err)
{
    switch (err) {
    case NC_EAGAIN:       return AVERROR(EAGAIN);
    case NC_EOF:          return AVERROR_EOF;
    case NC_ENOMEM:       return AVERROR(ENOMEM);
    case NC_EINVALIDDATA:
    case NC_ECRC:
    case NC_ETRUNCATED:   return AVERROR_INVALIDDATA;
    case NC_ENOTSUP:      return AVERROR_PATCHWELCOME;
    case NC_ERANGE:       return AVERROR(ERANGE);
    case NC_ENOOPT:       return AVERROR_OPTION_NOT_FOUND;
    case NC_EIO:          return AVERROR(EIO);
    case NC_EMODEL:       return AVERROR(ENOENT);
    case NC_ENOSPC:       return AVERROR(ENOSPC);
    case NC_EEXIST:       return AVERROR(EEXIST);
    case NC_ENOCODEC:     return AVERROR_DECODER_NOT_FOUND;
    case NC_EBUG:         return AVERROR_BUG;
    default:              return err < 0 ? AVERROR(EINVAL) : err;
    }
}

static inline enum AVPixelFormat ff_libnc_pix_fmt_to_av(enum NCPixelFormat fmt)
{
    switch (fmt) {
    case NC_PIX_GRAY8:   return AV_PIX_FMT_GRAY8;
    case NC_PIX_RGB24:   return AV_PIX_FMT_RGB24;
    case NC_PIX_YUV420P: return AV_PIX_FMT_YUV420P;
    default:             return AV_PIX_FMT_NONE;
    }
}

static inline enum NCPixelFormat ff_libnc_pix_fmt_from_av(enum AVPixelFormat fmt)
{
    switch (fmt) {
    case AV_PIX_FMT_GRAY8:   return NC_PIX_GRAY8;
    case AV_PIX_FMT_RGB24:   return NC_PIX_RGB24;
    case AV_PIX_FMT_YUV420P: return NC_PIX_YUV420P;
    default:                 return NC_PIX_NONE;
    }
}

/**
 * Parses extradata (a .nc file header) with libnc's demuxer. On success *dmx
 * owns what nc_demuxer_stream_info(*dmx) points to; close it with
 * nc_demuxer_close().
 */
static inline int ff_libnc_header_parse(NCDemuxer **dmx, const uint8_t *extradata,
                                        int size)
{
    if (!extradata || size <= 0)
        return NC_EINVALIDDATA;
    return nc_demuxer_open_memory(dmx, extradata, size);
}

/**
 * Writes info as a .nc file header (no packets, no index) into a new buffer
 * with padding_size zeroed bytes after it; av_free() it.
 */
static inline int ff_libnc_header_write(const NCStreamInfo *info, int padding_size,
                                        uint8_t **out, int *out_size)
{
    NCMuxer *mux;
    uint8_t *data;
    size_t size;
    int ret = nc_muxer_open_memory(&mux, info, NC_MUX_NO_INDEX);
    if (ret < 0)
        return ret;
    if ((ret = nc_muxer_close_memory(&mux, &data, &size)) < 0)
        return ret;
    if (size > INT_MAX - padding_size ||
        !(*out = av_mallocz(size + padding_size))) {
        free(data);
        return NC_ENOMEM;
    }
    memcpy(*out, data, size);
    *out_size = size;
    free(data);
    return 0;
}

#endif /* AVCODEC_LIBNC_H */
