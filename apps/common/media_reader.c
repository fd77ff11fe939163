/* Opens the reader that suits the codec's media type (media_io.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "apps/common/media_io_internal.h"
#include "apps/common/output_file.h"
#include "nc/error.h"
#include "nc/log.h"

static int open_by_type(NCMediaReader *r, const char *path, const NCMediaWants *wants)
{
    switch (wants->media_type) {
    case NC_MEDIA_AUDIO: return audio_reader_open(r, path, wants);
    case NC_MEDIA_VIDEO:
    case NC_MEDIA_IMAGE: return picture_reader_open(r, path, wants);
    case NC_MEDIA_BYTES: return bytes_reader_open(r, path);
    default:
        nc_log(NULL, NC_LOG_ERROR, "unknown media type %d", (int)wants->media_type);
        return NC_EINVAL;
    }
}

int media_reader_open(NCMediaReader **reader, const char *path, const NCMediaWants *wants)
{
    *reader = NULL;
    struct stat st;
    /* A plain missing file is said plainly (not "cannot decode"); names with a
     * printf pattern are picture sequences that FFmpeg resolves. */
    if (!strchr(path, '%') && !output_is_stdio(path) && stat(path, &st) != 0) {
        nc_log(NULL, NC_LOG_ERROR, "%s: %s", path, strerror(errno));
        return NC_EIO;
    }
    NCMediaReader *r = calloc(1, sizeof(*r));
    if (!r) return NC_ENOMEM;
    media_route_ffmpeg_log();
    int ret;
    size_t n = strlen(path);
    if (wants->decode && n > 3 && !strcmp(path + n - 3, ".nc"))
        ret = coded_reader_open(r, path, wants);
    else
        ret = open_by_type(r, path, wants);
    if (ret < 0) {
        free(r);
        return ret;
    }
    *reader = r;
    return 0;
}

const NCMediaFormat *media_reader_format(const NCMediaReader *reader)
{
    return &reader->format;
}

const char *media_reader_source(const NCMediaReader *reader)
{
    return reader->source;
}

int media_reader_read(NCMediaReader *reader, NCFrame *frame, int64_t max_units)
{
    return reader->ops->read(reader, frame, max_units);
}

void media_reader_progress(const NCMediaReader *reader, int64_t *done, int64_t *total,
                              const char **unit)
{
    *done = reader->done;
    *total = reader->total;
    *unit = reader->unit;
}

void media_reader_close(NCMediaReader **reader)
{
    if (!*reader) return;
    (*reader)->ops->close(*reader);
    free(*reader);
    *reader = NULL;
}
