/* Video output through libavformat / libavcodec:
 *   .y4m  raw planes (yuv4mpegpipe); RGB24 becomes yuv444p, the closest y4m has
 *   .mkv  FFV1, lossless for GRAY8, YUV420P and RGB24 (as planar GBR)
 *   .mp4  H.264 through libx264 at qp 0 (lossless), libx264rgb for RGB24
 * FFmpeg writes into output_file's temporary file, which is moved into place
 * once the trailer is written. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>

#include "apps/common/media_io_internal.h"
#include "apps/common/output_file.h"
#include "apps/common/picture_convert.h"
#include "nc/error.h"
#include "nc/log.h"

typedef struct VideoTarget {
    const char *extension, *muxer;
    const char *encoder, *rgb_encoder;
    /* The encoder's pixel format for NC_PIX_GRAY8, NC_PIX_RGB24, NC_PIX_YUV420P. */
    enum AVPixelFormat gray, rgb, yuv;
} VideoTarget;

static const VideoTarget targets[] = {
    {"y4m", "yuv4mpegpipe", "wrapped_avframe", "wrapped_avframe", AV_PIX_FMT_GRAY8,
     AV_PIX_FMT_YUV444P, AV_PIX_FMT_YUV420P},
    {"mkv", "matroska", "ffv1", "ffv1", AV_PIX_FMT_GRAY8, AV_PIX_FMT_GBRP, AV_PIX_FMT_YUV420P},
    /* Debian's libx264 has no 4:0:0: gray goes as full-range 4:4:4 with flat chroma. */
    {"mp4", "mp4", "libx264", "libx264rgb", AV_PIX_FMT_YUV444P, AV_PIX_FMT_RGB24,
     AV_PIX_FMT_YUV420P},
};

typedef struct VideoWriter {
    NCOutputFile out;
    AVFormatContext *mux;
    AVCodecContext *enc;
    AVStream *st;
    AVFrame *frame;
    AVPacket *pkt;
    struct SwsContext *sws;
    int64_t next_pts;
} VideoWriter;

/* Sends frame (NULL drains) and writes every packet the encoder has ready. */
static int encode(NCMediaWriter *writer, VideoWriter *v, AVFrame *frame)
{
    int ret = avcodec_send_frame(v->enc, frame);
    if (ret < 0) return media_ffmpeg_error(writer->path, "cannot encode", ret);
    for (;;) {
        ret = avcodec_receive_packet(v->enc, v->pkt);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return 0;
        if (ret < 0) return media_ffmpeg_error(writer->path, "cannot encode", ret);
        /* Every picture lasts one frame period; mp4 drops a last sample of length 0. */
        if (v->pkt->duration <= 0) v->pkt->duration = 1;
        av_packet_rescale_ts(v->pkt, v->enc->time_base, v->st->time_base);
        v->pkt->stream_index = v->st->index;
        ret = av_interleaved_write_frame(v->mux, v->pkt);
        if (ret < 0) return media_ffmpeg_error(writer->path, "cannot write", ret);
    }
}

static int video_write(NCMediaWriter *writer, const NCFrame *frame)
{
    VideoWriter *v = writer->priv;
    if (frame->width != writer->format.width || frame->height != writer->format.height ||
        frame->pix_fmt != writer->format.pix_fmt) {
        nc_log(NULL, NC_LOG_ERROR, "%s: the picture format changed mid-stream", writer->path);
        return NC_ENOTSUP;
    }
    int ret = picture_to_avframe(v->frame, frame, v->enc->pix_fmt, v->enc->color_range, &v->sws);
    if (ret < 0) return ret;
    v->frame->pts = v->next_pts++;
    ret = encode(writer, v, v->frame);
    av_frame_unref(v->frame);
    return ret;
}

static void free_writer(NCMediaWriter *writer)
{
    VideoWriter *v = writer->priv;
    if (v->mux) avio_closep(&v->mux->pb);
    avformat_free_context(v->mux);
    avcodec_free_context(&v->enc);
    av_frame_free(&v->frame);
    av_packet_free(&v->pkt);
    sws_freeContext(v->sws);
    nci_atomic_file_abort(&v->out);
    free(v);
    writer->priv = NULL;
}

static int video_finish(NCMediaWriter *writer)
{
    VideoWriter *v = writer->priv;
    int ret = encode(writer, v, NULL);
    if (ret >= 0) {
        ret = av_write_trailer(v->mux);
        if (ret < 0) ret = media_ffmpeg_error(writer->path, "cannot write", ret);
    }
    if (ret >= 0) {
        ret = avio_closep(&v->mux->pb);
        if (ret < 0) ret = media_ffmpeg_error(writer->path, "cannot write", ret);
    }
    if (ret >= 0) ret = nci_atomic_file_commit(&v->out);
    free_writer(writer);
    return ret;
}

static const NCMediaWriterOps video_ops = {video_write, video_finish, free_writer};

static int open_encoder(NCMediaWriter *writer, VideoWriter *v, const VideoTarget *t)
{
    const NCMediaFormat *f = &writer->format;
    int rgb = f->pix_fmt == NC_PIX_RGB24;
    const char *name = rgb ? t->rgb_encoder : t->encoder;
    const AVCodec *codec = avcodec_find_encoder_by_name(name);
    if (!codec) {
        nc_log(NULL, NC_LOG_ERROR, "%s: this FFmpeg has no %s encoder for .%s output",
               writer->path, name, t->extension);
        return NC_ENOTSUP;
    }
    v->enc = avcodec_alloc_context3(codec);
    if (!v->enc) return NC_ENOMEM;
    v->enc->width = f->width;
    v->enc->height = f->height;
    v->enc->pix_fmt = f->pix_fmt == NC_PIX_GRAY8 ? t->gray : rgb ? t->rgb : t->yuv;
    /* An encoder without that format (libx264 built without 4:0:0): its closest one. */
    if (codec->pix_fmts) {
        int found = 0;
        for (const enum AVPixelFormat *p = codec->pix_fmts; *p != AV_PIX_FMT_NONE; p++)
            found |= *p == v->enc->pix_fmt;
        if (!found)
            v->enc->pix_fmt = avcodec_find_best_pix_fmt_of_list(codec->pix_fmts,
                                                                pix_fmt_to_av(f->pix_fmt), 0, NULL);
    }
    /* Gray stored as YUV keeps its levels only in full range. */
    if (f->pix_fmt == NC_PIX_GRAY8 && v->enc->pix_fmt != AV_PIX_FMT_GRAY8)
        v->enc->color_range = AVCOL_RANGE_JPEG;
    if (f->pix_fmt == NC_PIX_YUV420P && (f->width % 2 || f->height % 2) &&
        !strcmp(t->extension, "mp4")) {
        nc_log(NULL, NC_LOG_ERROR,
               "%s: H.264 stores 4:2:0 pictures of even sizes only (%dx%d); write .mkv or .y4m",
               writer->path, f->width, f->height);
        return NC_ENOTSUP;
    }
    NCRational rate = f->frame_rate.num > 0 && f->frame_rate.den > 0 ? f->frame_rate
                                                                     : (NCRational){25, 1};
    v->enc->time_base = (AVRational){rate.den, rate.num};
    v->enc->framerate = (AVRational){rate.num, rate.den};
    if (v->mux->oformat->flags & AVFMT_GLOBALHEADER) v->enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    AVDictionary *opts = NULL;
    if (!strcmp(t->extension, "mp4")) av_dict_set(&opts, "qp", "0", 0);
    int ret = avcodec_open2(v->enc, codec, &opts);
    av_dict_free(&opts);
    if (ret < 0) return media_ffmpeg_error(writer->path, "cannot open the video encoder", ret);
    ret = avcodec_parameters_from_context(v->st->codecpar, v->enc);
    if (ret < 0) return NC_ENOMEM;
    v->st->time_base = v->enc->time_base;
    return 0;
}

int video_writer_open(NCMediaWriter *writer, const char *extension)
{
    const VideoTarget *t = NULL;
    for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
        if (!strcasecmp(extension, targets[i].extension)) t = &targets[i];
    if (!t) return NC_ENOTSUP;

    VideoWriter *v = calloc(1, sizeof(*v));
    if (!v) return NC_ENOMEM;
    writer->priv = v;
    int ret = output_file_open(&v->out, writer->path, writer->options.overwrite);
    if (ret < 0) {
        free_writer(writer);
        return ret;
    }
    ret = avformat_alloc_output_context2(&v->mux, NULL, t->muxer, NULL);
    if (ret < 0 || !(v->st = avformat_new_stream(v->mux, NULL)) || !(v->frame = av_frame_alloc()) ||
        !(v->pkt = av_packet_alloc())) {
        free_writer(writer);
        return ret < 0 ? media_ffmpeg_error(writer->path, "cannot set up the muxer", ret)
                       : NC_ENOMEM;
    }
    ret = open_encoder(writer, v, t);
    if (ret >= 0) {
        char *url = media_ffmpeg_url(v->out.temp_path);
        ret = url ? avio_open(&v->mux->pb, url, AVIO_FLAG_WRITE) : AVERROR(ENOMEM);
        free(url);
        if (ret >= 0) ret = avformat_write_header(v->mux, NULL);
        if (ret < 0) ret = media_ffmpeg_error(writer->path, "cannot start the file", ret);
    }
    if (ret < 0) {
        free_writer(writer);
        return ret;
    }
    writer->ops = &video_ops;
    return 0;
}
