/*
 * libnc neural codec encoders (libnc_NAME for every libnc audio, image and
 * video encoder)
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
#include "encode.h"
#include "libnc.h"

/* Audio frames for codecs that take any size: as many samples as nc-enc sends. */
#define LIBNC_AUDIO_FRAME 4096

static av_cold int libnc_encode_init(AVCodecContext *avctx)
{
    LibNCContext *s = avctx->priv_data;
    NCCodecContext *nc;
    NCStreamInfo info;
    int64_t bitrate;
    int ret = ff_libnc_init(avctx, 1);

    if (ret < 0)
        return ret;
    nc = s->nc;
    if (avctx->bit_rate > 0) {
        if (!nc_opt_find(nc->codec, "bitrate")) {
            av_log(avctx, AV_LOG_ERROR, "%s has no bit rate to set\n", avctx->codec->name);
            return AVERROR(EINVAL);
        }
        if ((ret = nc_opt_set_int(nc, "bitrate", avctx->bit_rate)) < 0)
            return ff_libnc_fail(avctx, ret, "bit rate");
    }
    nc->time_base = (NCRational){ avctx->time_base.num, avctx->time_base.den };
    if (avctx->codec_type == AVMEDIA_TYPE_AUDIO) {
        nc->sample_rate = avctx->sample_rate;
        nc->channels    = avctx->ch_layout.nb_channels;
    } else {
        nc->width   = avctx->width;
        nc->height  = avctx->height;
        nc->pix_fmt = ff_libnc_pix_fmt_from_av(avctx->pix_fmt);
    }
    if ((ret = nc_codec_open(nc)) < 0)
        return ff_libnc_fail(avctx, ret, "cannot open the encoder");

    if (avctx->codec_type == AVMEDIA_TYPE_AUDIO)
        avctx->frame_size = nc->frame_size > 0 ? nc->frame_size : LIBNC_AUDIO_FRAME;
    /* the nominal rate, for muxers and ffprobe */
    if (nc_opt_get_int(nc, "bitrate", &bitrate) >= 0)
        avctx->bit_rate = bitrate;
    if ((ret = nc_stream_info_from_context(&info, nc)) < 0 ||
        (ret = ff_libnc_header_write(&info, AV_INPUT_BUFFER_PADDING_SIZE,
                                     &avctx->extradata, &avctx->extradata_size)) < 0)
        return ff_libnc_fail(avctx, ret, "stream header");
    if (!(s->av_frame = av_frame_alloc()))
        return AVERROR(ENOMEM);
    return 0;
}

static int libnc_send_frame(AVCodecContext *avctx, const AVFrame *in)
{
    LibNCContext *s = avctx->priv_data;
    NCFrame *f = s->frame;
    int ret;

    nc_frame_unref(f);
    if (avctx->codec_type == AVMEDIA_TYPE_AUDIO) {
        f->media_type  = NC_MEDIA_AUDIO;
        f->nb_samples  = in->nb_samples;
        f->channels    = in->ch_layout.nb_channels;
        f->sample_rate = in->sample_rate;
    } else {
        f->media_type = s->nc->media_type;
        f->width      = in->width;
        f->height     = in->height;
        f->pix_fmt    = ff_libnc_pix_fmt_from_av(in->format);
    }
    if ((ret = nc_frame_get_buffer(f)) < 0)
        return ff_libnc_fail(avctx, ret, "frame");
    if (avctx->codec_type == AVMEDIA_TYPE_AUDIO) {
        for (int c = 0; c < f->channels; c++)
            memcpy(f->data[c], in->extended_data[c], sizeof(float) * in->nb_samples);
    } else {
        for (int p = 0; p < nc_pix_fmt_planes(f->pix_fmt); p++)
            av_image_copy_plane(f->data[p], f->linesize[p], in->data[p], in->linesize[p],
                                nc_pix_fmt_plane_width(f->pix_fmt, p, f->width),
                                nc_pix_fmt_plane_height(f->pix_fmt, p, f->height));
    }
    f->pts = in->pts;
    if (avctx->codec_type == AVMEDIA_TYPE_AUDIO)
        f->duration = in->nb_samples;
    else if (avctx->framerate.num > 0 && avctx->framerate.den > 0)
        /* pkt_duration is in the input stream's time base, not the encoder's */
        f->duration = av_rescale_q(1, av_inv_q(avctx->framerate), avctx->time_base);
    else
        f->duration = 0; /* unknown */
    ret = nc_send_frame(s->nc, f);
    nc_frame_unref(f);
    return ret < 0 ? ff_libnc_fail(avctx, ret, "encoding failed") : 0;
}

static int libnc_receive_packet(AVCodecContext *avctx, AVPacket *avpkt)
{
    LibNCContext *s = avctx->priv_data;
    NCPacket *pkt = s->pkt;
    int ret;

    for (;;) {
        ret = nc_receive_packet(s->nc, pkt);
        if (ret == 0)
            break;
        if (ret == NC_EOF)
            return AVERROR_EOF;
        if (ret != NC_EAGAIN)
            return ff_libnc_fail(avctx, ret, "encoding failed");
        if (s->draining)
            return ff_libnc_fail(avctx, NC_EBUG, "the encoder did not finish");

        ret = ff_encode_get_frame(avctx, s->av_frame);
        if (ret == AVERROR_EOF) {
            s->draining = 1;
            if ((ret = nc_send_frame(s->nc, NULL)) < 0)
                return ff_libnc_fail(avctx, ret, "encoding failed");
            continue;
        }
        if (ret < 0)
            return ret;
        ret = libnc_send_frame(avctx, s->av_frame);
        av_frame_unref(s->av_frame);
        if (ret < 0)
            return ret;
    }

    ret = ff_get_encode_buffer(avctx, avpkt, pkt->size, 0);
    if (ret >= 0) {
        memcpy(avpkt->data, pkt->data, pkt->size);
        avpkt->pts      = pkt->pts;
        avpkt->dts      = pkt->pts;
        avpkt->duration = pkt->duration;
        if (pkt->flags & NC_PKT_FLAG_KEY)
            avpkt->flags |= AV_PKT_FLAG_KEY;
    }
    nc_packet_unref(pkt);
    return ret;
}

static av_cold int libnc_encode_close(AVCodecContext *avctx)
{
    ff_libnc_close(avctx);
    return 0;
}

static const FFCodecDefault libnc_defaults[] = {
    { "b", "0" }, /* keep the codec's own bitrate unless -b is given */
    { NULL },
};

#define OFFSET(slot, field) offsetof(LibNCContext, opt[slot].field)
#define LIBNC_ENC_FLAGS AV_OPT_FLAG_ENCODING_PARAM | AV_OPT_FLAG_AUDIO_PARAM | \
                        AV_OPT_FLAG_VIDEO_PARAM
#include "libnc_encoders.h"

#define LIBNC_ENCODER(codec, CODEC, TYPE)                                       \
static const AVClass libnc_##codec##_encoder_class = {                          \
    .class_name = "libnc_" #codec " encoder",                                   \
    .item_name  = av_default_item_name,                                         \
    .option     = libnc_##codec##_encoder_options,                              \
    .version    = LIBAVUTIL_VERSION_INT,                                        \
};                                                                              \
const FFCodec ff_libnc_##codec##_encoder = {                                    \
    .p.name         = "libnc_" #codec,                                          \
    .p.long_name    = NULL_IF_CONFIG_SMALL("libnc " #codec " encoder"),         \
    .p.type         = AVMEDIA_TYPE_##TYPE,                                      \
    .p.id           = AV_CODEC_ID_LIBNC_##CODEC,                                \
    .p.capabilities = AV_CODEC_CAP_DR1 | AV_CODEC_CAP_DELAY |                   \
                      AV_CODEC_CAP_SMALL_LAST_FRAME | AV_CODEC_CAP_OTHER_THREADS, \
    .p.priv_class   = &libnc_##codec##_encoder_class,                           \
    .p.wrapper_name = "libnc",                                                  \
    LIBNC_##CODEC##_ENCODER_FORMATS                                             \
    .caps_internal  = FF_CODEC_CAP_AUTO_THREADS | FF_CODEC_CAP_INIT_CLEANUP,    \
    .priv_data_size = sizeof(LibNCContext),                                     \
    .init           = libnc_encode_init,                                        \
    FF_CODEC_RECEIVE_PACKET_CB(libnc_receive_packet),                           \
    .close          = libnc_encode_close,                                       \
    .defaults       = libnc_defaults,                                           \
};

LIBNC_ENCODERS(LIBNC_ENCODER)
