/*
 * libnc neural codec decoders (libnc_NAME for every libnc audio, image and
 * video decoder)
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

#include "libavutil/channel_layout.h"
#include "libavutil/imgutils.h"
#include "libavutil/opt.h"
#include "avcodec.h"
#include "codec_internal.h"
#include "decode.h"
#include "internal.h"
#include "libnc.h"

static av_cold int libnc_decode_init(AVCodecContext *avctx)
{
    LibNCContext *s = avctx->priv_data;
    NCCodecContext *nc;
    NCDemuxer *header = NULL;
    const NCStreamInfo *info;
    int ret = ff_libnc_init(avctx, 0);

    if (ret < 0)
        return ret;
    nc = s->nc;
    /* the stream's parameters come from its extradata, a .nc header (libnc.h) */
    if ((ret = ff_libnc_header_parse(&header, avctx->extradata, avctx->extradata_size)) < 0)
        return ff_libnc_fail(avctx, ret, "extradata (a libnc stream header)");
    info = nc_demuxer_stream_info(header);
    if (strcmp(info->codec_name, nc->codec->name)) {
        av_log(avctx, AV_LOG_ERROR, "the stream is %s, not %s\n", info->codec_name,
               nc->codec->name);
        nc_demuxer_close(&header);
        return AVERROR_INVALIDDATA;
    }
    ret = nc_stream_info_to_context(info, nc);
    nc_demuxer_close(&header);
    if (ret < 0)
        return ff_libnc_fail(avctx, ret, "stream parameters");
    if ((ret = nc_codec_open(nc)) < 0)
        return ff_libnc_fail(avctx, ret, "cannot open the decoder");

    if (avctx->codec_type == AVMEDIA_TYPE_AUDIO) {
        avctx->sample_fmt  = AV_SAMPLE_FMT_FLTP;
        avctx->sample_rate = nc->sample_rate;
        av_channel_layout_uninit(&avctx->ch_layout);
        av_channel_layout_default(&avctx->ch_layout, nc->channels);
    } else {
        avctx->pix_fmt = ff_libnc_pix_fmt_to_av(nc->pix_fmt);
        if ((ret = ff_set_dimensions(avctx, nc->width, nc->height)) < 0)
            return ret;
    }
    if (!(s->av_pkt = av_packet_alloc()))
        return AVERROR(ENOMEM);
    return 0;
}

/* Copies libnc's frame into an FFmpeg buffer. */
static int libnc_output_frame(AVCodecContext *avctx, const NCFrame *f, AVFrame *frame)
{
    int ret;

    if (avctx->codec_type == AVMEDIA_TYPE_AUDIO ?
        f->channels != avctx->ch_layout.nb_channels || f->sample_rate != avctx->sample_rate :
        f->width != avctx->width || f->height != avctx->height ||
        ff_libnc_pix_fmt_to_av(f->pix_fmt) != avctx->pix_fmt) {
        av_log(avctx, AV_LOG_ERROR, "a frame does not match the stream header\n");
        return AVERROR_INVALIDDATA;
    }
    frame->nb_samples = f->nb_samples;
    if ((ret = ff_get_buffer(avctx, frame, 0)) < 0)
        return ret;
    if (avctx->codec_type == AVMEDIA_TYPE_AUDIO) {
        for (int c = 0; c < f->channels; c++)
            memcpy(frame->extended_data[c], f->data[c], sizeof(float) * f->nb_samples);
    } else {
        for (int p = 0; p < nc_pix_fmt_planes(f->pix_fmt); p++)
            av_image_copy_plane(frame->data[p], frame->linesize[p], f->data[p], f->linesize[p],
                                nc_pix_fmt_plane_width(f->pix_fmt, p, f->width),
                                nc_pix_fmt_plane_height(f->pix_fmt, p, f->height));
        frame->key_frame = 1;
        frame->pict_type = AV_PICTURE_TYPE_I;
    }
    frame->pts          = f->pts;
    frame->pkt_duration = f->duration;
    return 0;
}

static int libnc_send_packet(AVCodecContext *avctx, const AVPacket *in)
{
    LibNCContext *s = avctx->priv_data;
    NCPacket *pkt = s->pkt;
    int ret = nc_packet_from_data(pkt, in->data, in->size);

    if (ret >= 0) {
        pkt->pts      = in->pts;
        pkt->duration = in->duration;
        pkt->flags    = in->flags & AV_PKT_FLAG_KEY ? NC_PKT_FLAG_KEY : 0;
        ret = nc_send_packet(s->nc, pkt);
    }
    nc_packet_unref(pkt);
    return ret < 0 ? ff_libnc_fail(avctx, ret, "decoding failed") : 0;
}

static int libnc_receive_frame(AVCodecContext *avctx, AVFrame *frame)
{
    LibNCContext *s = avctx->priv_data;
    NCFrame *f = s->frame;
    int ret;

    for (;;) {
        ret = nc_receive_frame(s->nc, f);
        if (ret == 0)
            break;
        if (ret == NC_EOF)
            return AVERROR_EOF;
        if (ret != NC_EAGAIN)
            return ff_libnc_fail(avctx, ret, "decoding failed");
        if (s->draining)
            return ff_libnc_fail(avctx, NC_EBUG, "the decoder did not finish");

        ret = ff_decode_get_packet(avctx, s->av_pkt);
        if (ret == AVERROR_EOF) {
            s->draining = 1;
            if ((ret = nc_send_packet(s->nc, NULL)) < 0)
                return ff_libnc_fail(avctx, ret, "decoding failed");
            continue;
        }
        if (ret < 0)
            return ret;
        ret = libnc_send_packet(avctx, s->av_pkt);
        av_packet_unref(s->av_pkt);
        if (ret < 0)
            return ret;
    }
    ret = libnc_output_frame(avctx, f, frame);
    nc_frame_unref(f);
    return ret;
}

static av_cold void libnc_decode_flush(AVCodecContext *avctx)
{
    LibNCContext *s = avctx->priv_data;

    nc_codec_flush(s->nc);
    s->draining = 0;
}

static av_cold int libnc_decode_close(AVCodecContext *avctx)
{
    ff_libnc_close(avctx);
    return 0;
}

#define OFFSET(slot, field) offsetof(LibNCContext, opt[slot].field)
#define LIBNC_DEC_FLAGS AV_OPT_FLAG_DECODING_PARAM | AV_OPT_FLAG_AUDIO_PARAM | \
                        AV_OPT_FLAG_VIDEO_PARAM
#include "libnc_decoders.h"

#define LIBNC_DECODER(codec, CODEC, TYPE)                                       \
static const AVClass libnc_##codec##_decoder_class = {                          \
    .class_name = "libnc_" #codec " decoder",                                   \
    .item_name  = av_default_item_name,                                         \
    .option     = libnc_##codec##_decoder_options,                              \
    .version    = LIBAVUTIL_VERSION_INT,                                        \
};                                                                              \
const FFCodec ff_libnc_##codec##_decoder = {                                    \
    .p.name         = "libnc_" #codec,                                          \
    .p.long_name    = NULL_IF_CONFIG_SMALL("libnc " #codec " decoder"),         \
    .p.type         = AVMEDIA_TYPE_##TYPE,                                      \
    .p.id           = AV_CODEC_ID_LIBNC_##CODEC,                                \
    .p.capabilities = AV_CODEC_CAP_DR1 | AV_CODEC_CAP_DELAY |                   \
                      AV_CODEC_CAP_OTHER_THREADS,                               \
    .p.priv_class   = &libnc_##codec##_decoder_class,                           \
    .p.wrapper_name = "libnc",                                                  \
    LIBNC_##CODEC##_DECODER_FORMATS                                             \
    .caps_internal  = FF_CODEC_CAP_AUTO_THREADS | FF_CODEC_CAP_INIT_CLEANUP,    \
    .priv_data_size = sizeof(LibNCContext),                                     \
    .init           = libnc_decode_init,                                        \
    FF_CODEC_RECEIVE_FRAME_CB(libnc_receive_frame),                             \
    .flush          = libnc_decode_flush,                                       \
    .close          = libnc_decode_close,                                       \
};

LIBNC_DECODERS(LIBNC_DECODER)
