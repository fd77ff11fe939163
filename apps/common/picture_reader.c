/* Picture input through libavformat / libavcodec: still images (PNG, JPEG, BMP,
 * ...), numbered sequences (in%03d.png) and video files (y4m, mkv, mp4, ...).
 * The first picture is decoded at open so that its size and format are known;
 * every later one must have the same size. */
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include "apps/common/media_io_internal.h"
#include "apps/common/picture_convert.h"
#include "nc/error.h"
#include "nc/log.h"

typedef struct PictureReader {
    const char *path;
    enum NCMediaType media_type;
    AVFormatContext *fmt;
    AVCodecContext *dec;
    int stream;
    AVPacket *pkt;
    AVFrame *frame;
    int have_frame; /* frame holds a decoded picture not yet delivered */
    int sent_eof, decoder_eof;
    struct SwsContext *sws;
} PictureReader;

/* Decodes the next picture into p->frame; NC_EOF at the end. */
static int decode_next(PictureReader *p)
{
    for (;;) {
        int ret = avcodec_receive_frame(p->dec, p->frame);
        if (ret >= 0) return 0;
        if (ret == AVERROR_EOF) return NC_EOF;
        if (ret != AVERROR(EAGAIN)) return media_ffmpeg_error(p->path, "cannot decode", ret);
        if (p->sent_eof) return NC_EOF;
        ret = av_read_frame(p->fmt, p->pkt);
        if (ret == AVERROR_EOF) {
            p->sent_eof = 1;
            ret = avcodec_send_packet(p->dec, NULL);
        } else if (ret < 0) {
            return media_ffmpeg_error(p->path, "cannot read", ret);
        } else {
            if (p->pkt->stream_index == p->stream) ret = avcodec_send_packet(p->dec, p->pkt);
            av_packet_unref(p->pkt);
        }
        if (ret < 0 && ret != AVERROR_EOF)
            return media_ffmpeg_error(p->path, "cannot decode", ret);
    }
}

static int picture_read(NCMediaReader *reader, NCFrame *frame, int64_t max_units)
{
    (void)max_units;
    PictureReader *p = reader->priv;
    if (!p->have_frame) {
        int ret = decode_next(p);
        if (ret < 0) return ret;
    }
    p->have_frame = 0;
    const NCMediaFormat *f = &reader->format;
    if (p->frame->width != f->width || p->frame->height != f->height) {
        nc_log(NULL, NC_LOG_ERROR, "%s: picture %lld is %dx%d, the first was %dx%d", p->path,
               (long long)reader->done + 1, p->frame->width, p->frame->height, f->width,
               f->height);
        av_frame_unref(p->frame);
        return NC_ENOTSUP;
    }
    int ret = picture_from_avframe(frame, p->frame, p->media_type, f->pix_fmt, &p->sws);
    av_frame_unref(p->frame);
    if (ret < 0) return ret;
    frame->pts = reader->done++;
    frame->duration = 1;
    return 0;
}

static void picture_close(NCMediaReader *reader)
{
    PictureReader *p = reader->priv;
    if (!p) return;
    avcodec_free_context(&p->dec);
    avformat_close_input(&p->fmt);
    av_packet_free(&p->pkt);
    av_frame_free(&p->frame);
    sws_freeContext(p->sws);
    free(p);
    reader->priv = NULL;
}

static const NCMediaReaderOps picture_ops = {picture_read, picture_close};

static int open_decoder(PictureReader *p)
{
    char *url = media_ffmpeg_url(p->path);
    if (!url) return NC_ENOMEM;
    int ret = avformat_open_input(&p->fmt, url, NULL, NULL);
    free(url);
    if (ret < 0) return media_ffmpeg_error(p->path, "not a picture or video FFmpeg can read", ret);
    ret = avformat_find_stream_info(p->fmt, NULL);
    if (ret < 0) return media_ffmpeg_error(p->path, "cannot read", ret);
    const AVCodec *codec = NULL;
    p->stream = av_find_best_stream(p->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
    if (p->stream < 0) {
        nc_log(NULL, NC_LOG_ERROR, "%s: no picture or video stream FFmpeg can decode", p->path);
        return NC_ENOTSUP;
    }
    p->dec = avcodec_alloc_context3(codec);
    p->pkt = av_packet_alloc();
    p->frame = av_frame_alloc();
    if (!p->dec || !p->pkt || !p->frame) return NC_ENOMEM;
    ret = avcodec_parameters_to_context(p->dec, p->fmt->streams[p->stream]->codecpar);
    if (ret >= 0) ret = avcodec_open2(p->dec, codec, NULL);
    if (ret < 0) return media_ffmpeg_error(p->path, "cannot open the video decoder", ret);
    return 0;
}

static int choose_format(NCMediaReader *reader, PictureReader *p, const NCMediaWants *wants)
{
    enum AVPixelFormat src = (enum AVPixelFormat)p->frame->format;
    enum NCPixelFormat fmt = wants->pix_fmt;
    if (fmt != NC_PIX_NONE) {
        int ok = !wants->pix_fmts;
        for (const enum NCPixelFormat *f = wants->pix_fmts; f && *f != NC_PIX_NONE; f++)
            ok |= *f == fmt;
        if (!ok) {
            char list[64] = "";
            for (const enum NCPixelFormat *f = wants->pix_fmts; *f != NC_PIX_NONE; f++)
                snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
                         list[0] ? ", " : "", nc_pix_fmt_name(*f) ? nc_pix_fmt_name(*f) : "?");
            nc_log(NULL, NC_LOG_ERROR, "the codec takes %s pictures, not %s", list,
                   nc_pix_fmt_name(fmt));
            return NC_ENOTSUP;
        }
    } else {
        fmt = pix_fmt_best_for(src, wants->pix_fmts);
        if (fmt == NC_PIX_NONE) {
            nc_log(NULL, NC_LOG_ERROR, "the codec takes no pixel format the apps can make");
            return NC_ENOTSUP;
        }
    }
    const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get(src);
    if (desc && (desc->flags & AV_PIX_FMT_FLAG_ALPHA))
        nc_log(NULL, NC_LOG_WARNING, "%s: dropping the alpha channel", p->path);
    if (pix_fmt_to_av(fmt) != src)
        nc_log(NULL, NC_LOG_VERBOSE, "%s: converting %s to %s", p->path,
               av_get_pix_fmt_name(src), nc_pix_fmt_name(fmt));
    reader->format.pix_fmt = fmt;
    return 0;
}

static int describe(NCMediaReader *reader, PictureReader *p)
{
    AVStream *st = p->fmt->streams[p->stream];
    NCMediaFormat *f = &reader->format;
    f->media_type = p->media_type;
    f->width = p->frame->width;
    f->height = p->frame->height;
    if (f->width <= 0 || f->height <= 0 || f->width > 32768 || f->height > 32768) {
        nc_log(NULL, NC_LOG_ERROR, "%s: unsupported picture size %dx%d", p->path, f->width,
               f->height);
        return NC_ENOTSUP;
    }
    AVRational rate = av_guess_frame_rate(p->fmt, st, NULL);
    if (rate.num <= 0 || rate.den <= 0) rate = (AVRational){25, 1};
    av_reduce(&rate.num, &rate.den, rate.num, rate.den, 1 << 30);
    f->frame_rate = (NCRational){rate.num, rate.den};

    const char *pix = av_get_pix_fmt_name((enum AVPixelFormat)p->frame->format);
    snprintf(reader->source, sizeof(reader->source), "%s (%s), %dx%d %s, %d/%d fps",
             p->dec->codec->name, p->fmt->iformat->name, f->width, f->height, pix ? pix : "?",
             rate.num, rate.den);
    reader->total = -1;
    if (st->nb_frames > 0)
        reader->total = st->nb_frames;
    else if (st->duration > 0)
        reader->total = av_rescale_q(st->duration, st->time_base, av_inv_q(rate));
    else if (p->fmt->duration > 0)
        reader->total = av_rescale_q(p->fmt->duration, AV_TIME_BASE_Q, av_inv_q(rate));
    return 0;
}

int picture_reader_open(NCMediaReader *reader, const char *path, const NCMediaWants *wants)
{
    PictureReader *p = calloc(1, sizeof(*p));
    if (!p) return NC_ENOMEM;
    p->path = path;
    p->media_type = wants->media_type;
    reader->priv = p;
    reader->ops = &picture_ops;
    reader->unit = "frames";
    int ret = open_decoder(p);
    if (ret >= 0) {
        ret = decode_next(p);
        if (ret == NC_EOF) {
            nc_log(NULL, NC_LOG_ERROR, "%s: holds no picture", path);
            ret = NC_EINVALIDDATA;
        }
    }
    if (ret >= 0) {
        p->have_frame = 1;
        ret = describe(reader, p);
    }
    if (ret >= 0) ret = choose_format(reader, p, wants);
    if (ret < 0) picture_close(reader);
    return ret;
}
