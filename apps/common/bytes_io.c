/* Text and raw bytes: any file read as it is, in frames of up to N bytes, and
 * written back as it is (atomically, through output_file). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apps/common/media_io_internal.h"
#include "apps/common/output_file.h"
#include "nc/error.h"
#include "nc/log.h"

/* The largest bytes frame the apps make, whatever the caller asks for. */
#define MAX_BYTES_FRAME ((int64_t)1 << 30)

typedef struct BytesReader {
    const char *path;
    FILE *file;
} BytesReader;

static int bytes_read(NCMediaReader *reader, NCFrame *frame, int64_t max_units)
{
    BytesReader *b = reader->priv;
    if (max_units <= 0) return NC_EINVAL;
    if (max_units > MAX_BYTES_FRAME) max_units = MAX_BYTES_FRAME;
    /* Never allocate more than what is left of a regular file. */
    if (reader->total >= 0 && reader->total - reader->done < max_units)
        max_units = reader->total - reader->done > 0 ? reader->total - reader->done : 1;

    frame->media_type = NC_MEDIA_BYTES;
    frame->nb_bytes = (size_t)max_units;
    int ret = nc_frame_get_buffer(frame);
    if (ret < 0) return ret;
    size_t got = fread(frame->data[0], 1, (size_t)max_units, b->file);
    if (got == 0) {
        int failed = ferror(b->file);
        nc_frame_unref(frame);
        if (failed) {
            nc_log(NULL, NC_LOG_ERROR, "%s: %s", b->path, strerror(errno));
            return NC_EIO;
        }
        return NC_EOF;
    }
    frame->nb_bytes = got;
    frame->pts = reader->done;
    frame->duration = (int64_t)got;
    reader->done += (int64_t)got;
    return 0;
}

static void bytes_close(NCMediaReader *reader)
{
    BytesReader *b = reader->priv;
    if (!b) return;
    if (b->file) fclose(b->file);
    free(b);
    reader->priv = NULL;
}

static const NCMediaReaderOps bytes_reader_ops = {bytes_read, bytes_close};

int bytes_reader_open(NCMediaReader *reader, const char *path)
{
    BytesReader *b = calloc(1, sizeof(*b));
    if (!b) return NC_ENOMEM;
    b->path = path;
    reader->priv = b;
    reader->ops = &bytes_reader_ops;
    reader->unit = "B";
    reader->format.media_type = NC_MEDIA_BYTES;
    if (output_is_stdio(path)) {
        int fd = dup(STDIN_FILENO);
        b->file = fd >= 0 ? fdopen(fd, "rb") : NULL;
        if (fd >= 0 && !b->file) close(fd);
    } else {
        b->file = fopen(path, "rb");
    }
    struct stat st;
    if (!b->file || fstat(fileno(b->file), &st) != 0) {
        nc_log(NULL, NC_LOG_ERROR, "%s: %s", path, strerror(errno));
        bytes_close(reader);
        return NC_EIO;
    }
    if (S_ISDIR(st.st_mode)) {
        nc_log(NULL, NC_LOG_ERROR, "%s: is a directory", path);
        bytes_close(reader);
        return NC_EIO;
    }
    reader->total = S_ISREG(st.st_mode) ? (int64_t)st.st_size : -1;
    snprintf(reader->source, sizeof(reader->source), "bytes, %lld B",
             (long long)reader->total);
    return 0;
}

static int bytes_write(NCMediaWriter *writer, const NCFrame *frame)
{
    NCOutputFile *out = writer->priv;
    if (frame->nb_bytes && fwrite(frame->data[0], 1, frame->nb_bytes, out->file) != frame->nb_bytes) {
        return media_write_error(writer->path, NULL);
    }
    return 0;
}

static int bytes_finish(NCMediaWriter *writer)
{
    NCOutputFile *out = writer->priv;
    int ret = nci_atomic_file_commit(out);
    free(out);
    writer->priv = NULL;
    return ret;
}

static void bytes_abort(NCMediaWriter *writer)
{
    NCOutputFile *out = writer->priv;
    if (!out) return;
    nci_atomic_file_abort(out);
    free(out);
    writer->priv = NULL;
}

static const NCMediaWriterOps bytes_writer_ops = {bytes_write, bytes_finish, bytes_abort};

int bytes_writer_open(NCMediaWriter *writer)
{
    NCOutputFile *out = calloc(1, sizeof(*out));
    if (!out) return NC_ENOMEM;
    int ret = output_file_open_streaming(out, writer->path, writer->options.overwrite);
    if (ret < 0) {
        free(out);
        return ret;
    }
    writer->priv = out;
    writer->ops = &bytes_writer_ops;
    return 0;
}
