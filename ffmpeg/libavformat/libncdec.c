/*
 * libnc .nc demuxer
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
 * libnc's own demuxer reads the file (it checks every CRC, size and limit of
 * the format), from memory: the whole input is read first, as the libopenmpt
 * demuxer does. A stream's extradata is the header libnc writes for its stream
 * info (libavcodec/libnc.h), whichever profile the file is in (classic or compact).
 */

#include "libavutil/channel_layout.h"
#include "libavcodec/libnc.h"
#include "avformat.h"
#include "internal.h"

#define NC_MAGIC "\x89NCF\r\n\x1a\n"
#define NC_COMPACT_MAGIC "\x89NCc" /* the compact profile of short files */
#define NC_MAX_FILE (1LL << 31) /* what the demuxer reads into memory */

typedef struct NCDemuxContext {
    uint8_t *data;
    int64_t size;
    NCDemuxer *dmx;
    int failed; /* with -err_detect explode: the error of the first damage */
} NCDemuxContext;

static int nc_probe(const AVProbeData *p)
{
    int classic = p->buf_size >= 8 && !memcmp(p->buf, NC_MAGIC, 8);
    int compact = p->buf_size >= 4 && !memcmp(p->buf, NC_COMPACT_MAGIC, 4);
    return classic || compact ? AVPROBE_SCORE_MAX : 0;
}

static enum AVCodecID nc_codec_id(const char *name)
{
#define NC_CODEC_ID(name_, NAME, ...) \
    if (!strcmp(name, #name_))        \
        return AV_CODEC_ID_LIBNC_##NAME;
    LIBNC_AUDIO_CODECS(NC_CODEC_ID)
    LIBNC_VIDEO_CODECS(NC_CODEC_ID)
    return AV_CODEC_ID_NONE;
}

static int nc_read_input(AVFormatContext *s)
{
    NCDemuxContext *c = s->priv_data;
    int64_t cap = avio_size(s->pb);
    int ret;

    cap = cap > 0 ? FFMIN(cap + 1, NC_MAX_FILE) : 1 << 16;
    for (;;) {
        if (c->size == cap) {
            if (cap >= NC_MAX_FILE) {
                av_log(s, AV_LOG_ERROR, "files above %lld bytes are not read\n", NC_MAX_FILE);
                return AVERROR(ENOMEM);
            }
            cap = FFMIN(2 * cap, NC_MAX_FILE);
        }
        if ((ret = av_reallocp(&c->data, cap)) < 0)
            return ret;
        ret = avio_read(s->pb, c->data + c->size, cap - c->size);
        if (ret == AVERROR_EOF || ret == 0)
            return 0;
        if (ret < 0)
            return ret;
        c->size += ret;
    }
}

static int nc_read_header(AVFormatContext *s)
{
    NCDemuxContext *c = s->priv_data;
    const NCStreamInfo *info;
    AVCodecParameters *par;
    AVStream *st;
    int64_t duration;
    int ret;

    if ((ret = nc_read_input(s)) < 0)
        return ret;
    if ((ret = nc_demuxer_open_memory(&c->dmx, c->data, c->size)) < 0) {
        av_log(s, AV_LOG_ERROR, "not a readable .nc file: %s\n", nc_strerror(ret));
        return ff_libnc_error(ret);
    }
    info = nc_demuxer_stream_info(c->dmx);

    if (!(st = avformat_new_stream(s, NULL)))
        return AVERROR(ENOMEM);
    par = st->codecpar;
    par->codec_id = nc_codec_id(info->codec_name);
    switch (info->media_type) {
    case NC_MEDIA_AUDIO:
        par->codec_type  = AVMEDIA_TYPE_AUDIO;
        par->format      = AV_SAMPLE_FMT_FLTP; /* what libnc decodes to; spares
                                                  avformat_find_stream_info() a decode */
        par->sample_rate = info->sample_rate;
        av_channel_layout_default(&par->ch_layout, info->channels);
        break;
    case NC_MEDIA_VIDEO:
    case NC_MEDIA_IMAGE:
        par->codec_type = AVMEDIA_TYPE_VIDEO;
        par->width      = info->width;
        par->height     = info->height;
        par->format     = ff_libnc_pix_fmt_to_av(info->pix_fmt);
        break;
    default: /* text and bytes: stream copy only */
        par->codec_type = AVMEDIA_TYPE_DATA;
        par->codec_id   = AV_CODEC_ID_BIN_DATA;
    }
    if (par->codec_id == AV_CODEC_ID_NONE)
        av_log(s, AV_LOG_WARNING, "codec %s has no FFmpeg wrapper (rebuild FFmpeg with "
               "ffmpeg/build.sh after a libnc change)\n", info->codec_name);

    /* the extradata: the stream's header as libnc writes it, the same for a
     * classic file and for one in the compact profile */
    if ((ret = ff_libnc_header_write(info, AV_INPUT_BUFFER_PADDING_SIZE, &par->extradata,
                                     &par->extradata_size)) < 0)
        return ff_libnc_error(ret);

    avpriv_set_pts_info(st, 64, info->time_base.num, info->time_base.den);
    st->start_time = 0;
    if ((duration = nc_demuxer_duration(c->dmx)) >= 0) {
        st->duration = duration;
        st->nb_frames = nc_demuxer_packet_count(c->dmx);
    }
    return 0;
}

static int nc_read_packet(AVFormatContext *s, AVPacket *pkt)
{
    NCDemuxContext *c = s->priv_data;
    NCPacket np = { 0 };
    int ret;

    if (c->failed)
        return c->failed;
    for (;;) {
        ret = nc_demuxer_read_packet(c->dmx, &np);
        if (ret == NC_EOF)
            return AVERROR_EOF;
        if (ret >= 0)
            break;
        /* as nc-dec does: name the damaged packet and go on, unless told to stop */
        av_log(s, AV_LOG_ERROR, "packet %"PRId64" is damaged: %s\n",
               nc_demuxer_packet_index(c->dmx), nc_strerror(ret));
        if (s->error_recognition & AV_EF_EXPLODE)
            return c->failed = AVERROR_INVALIDDATA;
        if (ret == NC_ETRUNCATED)
            return AVERROR_EOF;
    }
    if (np.size > INT_MAX - AV_INPUT_BUFFER_PADDING_SIZE) {
        nc_packet_unref(&np);
        return AVERROR_INVALIDDATA;
    }
    if ((ret = av_new_packet(pkt, np.size)) >= 0) {
        memcpy(pkt->data, np.data, np.size);
        pkt->pts      = np.pts;
        pkt->dts      = np.pts;
        pkt->duration = np.duration;
        if (np.flags & NC_PKT_FLAG_KEY)
            pkt->flags |= AV_PKT_FLAG_KEY;
    }
    nc_packet_unref(&np);
    return ret;
}

static int nc_read_seek(AVFormatContext *s, int stream_index, int64_t ts, int flags)
{
    NCDemuxContext *c = s->priv_data;
    AVStream *st = s->streams[0];
    int ret;

    if (stream_index < 0)
        ts = av_rescale_q(ts, AV_TIME_BASE_Q, st->time_base);
    /* the last key packet at or before ts, whatever the flags */
    if (c->failed)
        return c->failed;
    if ((ret = nc_demuxer_seek(c->dmx, ts)) < 0)
        return ret == NC_ENOTSUP ? -1 : ff_libnc_error(ret);
    return 0;
}

static int nc_read_close(AVFormatContext *s)
{
    NCDemuxContext *c = s->priv_data;

    nc_demuxer_close(&c->dmx);
    av_freep(&c->data);
    return 0;
}

const AVInputFormat ff_libnc_demuxer = {
    .name           = "libnc",
    .long_name      = NULL_IF_CONFIG_SMALL("libnc neural codec container"),
    .priv_data_size = sizeof(NCDemuxContext),
    .flags_internal = FF_FMT_INIT_CLEANUP,
    .read_probe     = nc_probe,
    .read_header    = nc_read_header,
    .read_packet    = nc_read_packet,
    .read_seek      = nc_read_seek,
    .read_close     = nc_read_close,
    .extensions     = "nc",
};
