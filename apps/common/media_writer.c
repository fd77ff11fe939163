/* Picks the writer from the output name's extension (media_io.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apps/common/media_io_internal.h"
#include "apps/common/output_file.h"
#include "nc/error.h"
#include "nc/log.h"

int media_write_error(const char *path, const char *reason)
{
    if (!reason) reason = errno ? strerror(errno) : "input/output error";
    nc_log(NULL, NC_LOG_ERROR, "cannot write %s: %s", path, reason);
    return NC_EIO;
}

static const char *extension_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash + 1 : path, '.');
    return dot ? dot + 1 : "";
}

static int is_one_of(const char *ext, const char *const *list)
{
    for (; *list; list++)
        if (!strcasecmp(ext, *list)) return 1;
    return 0;
}

static const char *const audio_extensions[] = {"wav", "flac", "ogg", NULL};
static const char *const picture_extensions[] = {"png", "y4m", "mkv", "mp4", NULL};

/* The format to write: the one named, else the name's extension. */
static const char *format_of(const char *path, const char *format)
{
    return format ? format : extension_of(path);
}

int media_writer_check(const char *path, const char *format, enum NCMediaType media_type)
{
    const char *ext = format_of(path, format);
    if (!*ext && output_is_stdio(path) && media_type != NC_MEDIA_BYTES) {
        nc_log(NULL, NC_LOG_ERROR, "-: name the format of standard output (-f %s)",
               media_type == NC_MEDIA_AUDIO ? "wav, flac or ogg" : "png, y4m, mkv or mp4");
        return NC_EINVAL;
    }
    switch (media_type) {
    case NC_MEDIA_AUDIO:
        if (is_one_of(ext, audio_extensions)) return 0;
        nc_log(NULL, NC_LOG_ERROR, "%s: audio is written as .wav, .flac or .ogg", path);
        return NC_ENOTSUP;
    case NC_MEDIA_VIDEO:
    case NC_MEDIA_IMAGE:
        if (is_one_of(ext, picture_extensions)) return 0;
        nc_log(NULL, NC_LOG_ERROR, "%s: pictures are written as .png, .y4m, .mkv or .mp4", path);
        return NC_ENOTSUP;
    case NC_MEDIA_BYTES: return 0;
    default:
        nc_log(NULL, NC_LOG_ERROR, "%s: unknown media type %d", path, (int)media_type);
        return NC_EINVAL;
    }
}

int media_writer_open(NCMediaWriter **writer, const char *path, const NCMediaFormat *format,
                         const NCMediaWriterOptions *options)
{
    *writer = NULL;
    const char *ext = format_of(path, options ? options->format : NULL);
    int ret = media_writer_check(path, ext, format->media_type);
    if (ret < 0) return ret;
    NCMediaWriter *w = calloc(1, sizeof(*w));
    if (!w) return NC_ENOMEM;
    media_route_ffmpeg_log();
    w->format = *format;
    if (options) w->options = *options;
    w->path = path;
    switch (format->media_type) {
    case NC_MEDIA_AUDIO: ret = audio_writer_open(w, ext); break;
    case NC_MEDIA_BYTES: ret = bytes_writer_open(w); break;
    default:
        ret = !strcasecmp(ext, "png") ? png_writer_open(w) : video_writer_open(w, ext);
    }
    if (ret < 0) {
        free(w);
        return ret;
    }
    *writer = w;
    return 0;
}

int media_writer_write(NCMediaWriter *writer, const NCFrame *frame)
{
    if (frame->media_type != writer->format.media_type &&
        !(frame->media_type == NC_MEDIA_IMAGE && writer->format.media_type == NC_MEDIA_VIDEO) &&
        !(frame->media_type == NC_MEDIA_VIDEO && writer->format.media_type == NC_MEDIA_IMAGE)) {
        nc_log(NULL, NC_LOG_ERROR, "%s: got %s data for %s output", writer->path,
               nc_media_type_name(frame->media_type), nc_media_type_name(writer->format.media_type));
        return NC_EINVAL;
    }
    return writer->ops->write(writer, frame);
}

int media_writer_close(NCMediaWriter **writer)
{
    if (!*writer) return 0;
    int ret = (*writer)->ops->finish(*writer);
    free(*writer);
    *writer = NULL;
    return ret;
}

void media_writer_abort(NCMediaWriter **writer)
{
    if (!*writer) return;
    (*writer)->ops->abort(*writer);
    free(*writer);
    *writer = NULL;
}
