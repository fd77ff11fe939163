/*
 * libnc .nc muxer
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
 * libnc's own muxer writes the file, so it is byte for byte what nc-enc writes
 * for the same stream: the header comes from the stream's extradata (a .nc
 * header, libavcodec/libnc.h), packets are grouped and indexed by libnc. It
 * writes into memory and hands the bytes over at the end, when the index is
 * known; a file costs its size in memory while it is written.
 */

#include "libavcodec/libnc.h"
#include "avformat.h"
#include "internal.h"

typedef struct NCMuxContext {
    NCMuxer *mux;
} NCMuxContext;

static int nc_init(AVFormatContext *s)
{
    NCMuxContext *c = s->priv_data;
    AVStream *st;
    NCDemuxer *header = NULL;
    const NCStreamInfo *info;
    int ret;

    if (s->nb_streams != 1) {
        av_log(s, AV_LOG_ERROR, "a .nc file holds exactly one stream\n");
        return AVERROR(EINVAL);
    }
    st = s->streams[0];
    ret = ff_libnc_header_parse(&header, st->codecpar->extradata,
                                st->codecpar->extradata_size);
    if (ret < 0) {
        av_log(s, AV_LOG_ERROR, "the stream is not a libnc one (%s has no libnc stream "
               "header as extradata)\n", avcodec_get_name(st->codecpar->codec_id));
        return AVERROR(EINVAL);
    }
    info = nc_demuxer_stream_info(header);
    ret = nc_muxer_open_memory(&c->mux, info, 0);
    if (ret >= 0)
        avpriv_set_pts_info(st, 64, info->time_base.num, info->time_base.den);
    /* A packet's duration is the codec's, and 0 is one (the first packet of a
     * streaming codec with delay): without a frame size libavformat keeps it. */
    st->codecpar->frame_size = 0;
    nc_demuxer_close(&header);
    if (ret < 0) {
        av_log(s, AV_LOG_ERROR, "cannot start the file: %s\n", nc_strerror(ret));
        return ff_libnc_error(ret);
    }
    return 0;
}

static int nc_write_packet(AVFormatContext *s, AVPacket *pkt)
{
    NCMuxContext *c = s->priv_data;
    NCPacket np = {
        .data     = pkt->data,
        .size     = pkt->size,
        .pts      = pkt->pts,
        .duration = pkt->duration,
        .flags    = pkt->flags & AV_PKT_FLAG_KEY ? NC_PKT_FLAG_KEY : 0,
    };
    int ret = nc_muxer_write_packet(c->mux, &np);

    if (ret < 0) {
        av_log(s, AV_LOG_ERROR, "packet at pts %"PRId64": %s\n", pkt->pts, nc_strerror(ret));
        return ff_libnc_error(ret);
    }
    return 0;
}

static int nc_write_trailer(AVFormatContext *s)
{
    NCMuxContext *c = s->priv_data;
    uint8_t *data;
    size_t size;
    int ret = nc_muxer_close_memory(&c->mux, &data, &size);

    if (ret < 0) {
        av_log(s, AV_LOG_ERROR, "cannot finish the file: %s\n", nc_strerror(ret));
        return ff_libnc_error(ret);
    }
    avio_write(s->pb, data, size);
    free(data);
    return 0;
}

static void nc_deinit(AVFormatContext *s)
{
    NCMuxContext *c = s->priv_data;

    nc_muxer_abort(&c->mux);
}

const AVOutputFormat ff_libnc_muxer = {
    .name           = "libnc",
    .long_name      = NULL_IF_CONFIG_SMALL("libnc neural codec container"),
    .extensions     = "nc",
    .priv_data_size = sizeof(NCMuxContext),
    .audio_codec    = LIBNC_AUDIO_CODEC_ID,
    .video_codec    = LIBNC_VIDEO_CODEC_ID,
    .init           = nc_init,
    .write_packet   = nc_write_packet,
    .write_trailer  = nc_write_trailer,
    .deinit         = nc_deinit,
    .flags          = AVFMT_TS_NONSTRICT, /* packets may share a pts (durations of 0) */
};
