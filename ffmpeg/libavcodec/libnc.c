/*
 * libnc neural codecs: context setup shared by the encoders and decoders
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

#include <stdio.h>
#include <string.h>

#include "libavutil/frame.h"
#include "libavutil/opt.h"
#include "libavutil/thread.h"
#include "avcodec.h"
#include "libnc.h"

static const AVClass libnc_log_class = {
    .class_name = "libnc",
    .item_name  = av_default_item_name,
    .version    = LIBAVUTIL_VERSION_INT,
};
static const AVClass *const libnc_log_ctx = &libnc_log_class;

/* libnc's messages mostly come without a newline, on a level scale of their own. */
static void libnc_log(void *opaque, const void *ctx, int level, const char *fmt,
                      va_list args)
{
    static const int levels[] = { AV_LOG_ERROR, AV_LOG_WARNING, AV_LOG_INFO,
                                  AV_LOG_VERBOSE, AV_LOG_DEBUG };
    char line[1024];
    size_t len;

    if (level < 0 || level > NC_LOG_DEBUG || av_log_get_level() < levels[level])
        return;
    vsnprintf(line, sizeof(line), fmt, args);
    len = strlen(line);
    av_log((void *)&libnc_log_ctx, levels[level], "%s%s", line,
           len && line[len - 1] == '\n' ? "" : "\n");
}

static void libnc_install_log(void)
{
    nc_log_set_callback(libnc_log, NULL);
    nc_log_set_level(NC_LOG_DEBUG);
}

int ff_libnc_fail(AVCodecContext *avctx, int err, const char *what)
{
    av_log(avctx, AV_LOG_ERROR, "%s: %s\n", what, nc_strerror(err));
    return ff_libnc_error(err);
}

/* Hands the value of each private option to libnc under the same name. */
static int libnc_set_options(AVCodecContext *avctx, NCCodecContext *nc)
{
    LibNCContext *s = avctx->priv_data;
    const AVOption *o = NULL;
    int ret = 0;

    while ((o = av_opt_next(s, o))) {
        const void *value = (const uint8_t *)s + o->offset;
        if (o->type == AV_OPT_TYPE_CONST)
            continue;
        if (o->type == AV_OPT_TYPE_DOUBLE)
            ret = nc_opt_set_float(nc, o->name, *(const double *)value);
        else if (o->type == AV_OPT_TYPE_STRING)
            ret = nc_opt_set(nc, o->name, *(char *const *)value ? *(char *const *)value : "");
        else
            ret = nc_opt_set_int(nc, o->name, *(const int *)value);
        if (ret < 0) {
            char what[128];
            snprintf(what, sizeof(what), "option %s (rebuild FFmpeg with ffmpeg/build.sh "
                     "after a libnc change)", o->name);
            return ff_libnc_fail(avctx, ret, what);
        }
    }
    return 0;
}

int ff_libnc_init(AVCodecContext *avctx, int encoder)
{
    static AVOnce log_once = AV_ONCE_INIT;
    LibNCContext *s = avctx->priv_data;
    /* the wrapper of libnc codec NAME is called libnc_NAME */
    const char *name = avctx->codec->name + strlen("libnc_");
    const NCCodec *codec = encoder ? nc_codec_find_encoder_by_name(name)
                                   : nc_codec_find_decoder_by_name(name);

    ff_thread_once(&log_once, libnc_install_log);
    if (!codec) {
        av_log(avctx, AV_LOG_ERROR, "libnc has no %s called %s (rebuild FFmpeg with "
               "ffmpeg/build.sh after a libnc change)\n", encoder ? "encoder" : "decoder",
               name);
        return AVERROR(ENOSYS);
    }
    s->nc    = nc_codec_alloc_context(codec);
    s->frame = nc_frame_alloc();
    s->pkt   = nc_packet_alloc();
    if (!s->nc || !s->frame || !s->pkt)
        return AVERROR(ENOMEM);
    /* 0 lets libnc choose, as FFmpeg's "auto" does */
    s->nc->threads = avctx->thread_count;
    return libnc_set_options(avctx, s->nc);
}

void ff_libnc_close(AVCodecContext *avctx)
{
    LibNCContext *s = avctx->priv_data;

    nc_codec_free_context(&s->nc);
    nc_frame_free(&s->frame);
    nc_packet_free(&s->pkt);
    av_frame_free(&s->av_frame);
    av_packet_free(&s->av_pkt);
}
