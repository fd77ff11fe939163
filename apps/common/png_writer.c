/* PNG output through FFmpeg's png encoder: one picture, or a numbered sequence
 * when the name holds a printf pattern (out%04d.png, numbered from 1 as ffmpeg
 * does). Every file of a sequence stays a temporary file until the writer is
 * closed, so a failure leaves none of them behind. */
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswscale/swscale.h>

#include "apps/common/media_io_internal.h"
#include "apps/common/output_file.h"
#include "apps/common/picture_convert.h"
#include "nc/error.h"
#include "nc/log.h"

typedef struct PngWriter {
    AVCodecContext *enc;
    AVFrame *frame;
    AVPacket *pkt;
    struct SwsContext *sws;
    int is_sequence;
    NCOutputFile *files; /* written, not yet moved into place */
    int nb_files, cap_files;
} PngWriter;

/* The name of picture index (from 0) of a sequence. */
static int sequence_name(const NCMediaWriter *writer, int index, char *buf, size_t size)
{
    return av_get_frame_filename2(buf, (int)size, writer->path, index + 1, 0);
}

static int next_file(NCMediaWriter *writer, PngWriter *w, NCOutputFile **out)
{
    if (!w->is_sequence && w->nb_files == 1) {
        nc_log(NULL, NC_LOG_ERROR,
               "%s holds one picture and the stream has more; name the output like out%%04d.png "
               "for a sequence",
               writer->path);
        return NC_ENOTSUP;
    }
    if (w->nb_files == w->cap_files) {
        int cap = w->cap_files ? w->cap_files * 2 : 16;
        NCOutputFile *files = realloc(w->files, sizeof(*files) * (size_t)cap);
        if (!files) return NC_ENOMEM;
        w->files = files;
        w->cap_files = cap;
    }
    char name[4096];
    const char *path = writer->path;
    if (w->is_sequence) {
        if (sequence_name(writer, w->nb_files, name, sizeof(name)) < 0) {
            nc_log(NULL, NC_LOG_ERROR, "%s: cannot number the pictures with this name", path);
            return NC_EINVAL;
        }
        path = name;
    }
    int ret = output_file_open(&w->files[w->nb_files], path, writer->options.overwrite);
    if (ret < 0) return ret;
    *out = &w->files[w->nb_files++];
    return 0;
}

static int png_write(NCMediaWriter *writer, const NCFrame *frame)
{
    PngWriter *w = writer->priv;
    if (frame->width != writer->format.width || frame->height != writer->format.height ||
        frame->pix_fmt != writer->format.pix_fmt) {
        nc_log(NULL, NC_LOG_ERROR, "%s: the picture format changed mid-stream", writer->path);
        return NC_ENOTSUP;
    }
    NCOutputFile *out;
    int ret = next_file(writer, w, &out);
    if (ret < 0) return ret;
    ret = picture_to_avframe(w->frame, frame, w->enc->pix_fmt, AVCOL_RANGE_JPEG, &w->sws);
    if (ret < 0) return ret;
    ret = avcodec_send_frame(w->enc, w->frame);
    av_frame_unref(w->frame);
    if (ret >= 0) ret = avcodec_receive_packet(w->enc, w->pkt);
    if (ret < 0) return media_ffmpeg_error(writer->path, "cannot encode PNG", ret);
    size_t size = (size_t)w->pkt->size;
    int failed = fwrite(w->pkt->data, 1, size, out->file) != size;
    av_packet_unref(w->pkt);
    /* Close now (a sequence may be long), move into place at the end. */
    failed |= fclose(out->file) != 0;
    out->file = NULL;
    if (failed) return media_write_error(out->target, NULL);
    return 0;
}

static void free_writer(NCMediaWriter *writer)
{
    PngWriter *w = writer->priv;
    for (int i = 0; i < w->nb_files; i++) nci_atomic_file_abort(&w->files[i]);
    free(w->files);
    avcodec_free_context(&w->enc);
    av_frame_free(&w->frame);
    av_packet_free(&w->pkt);
    sws_freeContext(w->sws);
    free(w);
    writer->priv = NULL;
}

static int png_finish(NCMediaWriter *writer)
{
    PngWriter *w = writer->priv;
    int ret = 0;
    if (w->nb_files == 0) {
        nc_log(NULL, NC_LOG_ERROR, "%s: no picture to write", writer->path);
        ret = NC_EINVAL;
    }
    int done = 0;
    for (; ret >= 0 && done < w->nb_files; done++) ret = nci_atomic_file_commit(&w->files[done]);
    if (ret < 0 && w->is_sequence) {
        /* Take back the pictures already moved into place: all or nothing. */
        char name[4096];
        for (int i = 0; i + 1 < done; i++)
            if (sequence_name(writer, i, name, sizeof(name)) >= 0) remove(name);
    }
    free_writer(writer);
    return ret;
}

static const NCMediaWriterOps png_ops = {png_write, png_finish, free_writer};

int png_writer_open(NCMediaWriter *writer)
{
    const AVCodec *codec = avcodec_find_encoder(AV_CODEC_ID_PNG);
    if (!codec) {
        nc_log(NULL, NC_LOG_ERROR, "%s: this FFmpeg has no PNG encoder", writer->path);
        return NC_ENOTSUP;
    }
    PngWriter *w = calloc(1, sizeof(*w));
    if (!w) return NC_ENOMEM;
    writer->priv = w;
    w->is_sequence = strchr(writer->path, '%') != NULL;
    w->enc = avcodec_alloc_context3(codec);
    w->frame = av_frame_alloc();
    w->pkt = av_packet_alloc();
    if (!w->enc || !w->frame || !w->pkt) {
        free_writer(writer);
        return NC_ENOMEM;
    }
    w->enc->width = writer->format.width;
    w->enc->height = writer->format.height;
    w->enc->pix_fmt = writer->format.pix_fmt == NC_PIX_GRAY8 ? AV_PIX_FMT_GRAY8 : AV_PIX_FMT_RGB24;
    w->enc->time_base = (AVRational){1, 25};
    int ret = avcodec_open2(w->enc, codec, NULL);
    if (ret < 0) {
        free_writer(writer);
        return media_ffmpeg_error(writer->path, "cannot open the PNG encoder", ret);
    }
    writer->ops = &png_ops;
    return 0;
}
