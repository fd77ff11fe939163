/* The pieces behind media_io.h: one reader per kind of media and one writer per
 * kind of output file, each behind a small table of functions. */
#ifndef NC_APPS_MEDIA_IO_INTERNAL_H
#define NC_APPS_MEDIA_IO_INTERNAL_H

#include "apps/common/media_io.h"

typedef struct NCMediaReaderOps {
    int (*read)(NCMediaReader *reader, NCFrame *frame, int64_t max_units);
    void (*close)(NCMediaReader *reader);
} NCMediaReaderOps;

struct NCMediaReader {
    const NCMediaReaderOps *ops;
    void *priv;
    NCMediaFormat format;
    char source[192];
    int64_t done, total; /* progress, in unit */
    const char *unit;
};

typedef struct NCMediaWriterOps {
    int (*write)(NCMediaWriter *writer, const NCFrame *frame);
    int (*finish)(NCMediaWriter *writer); /* completes the file and moves it into place */
    void (*abort)(NCMediaWriter *writer); /* removes what was written; frees priv */
} NCMediaWriterOps;

struct NCMediaWriter {
    const NCMediaWriterOps *ops;
    void *priv;
    NCMediaFormat format;
    NCMediaWriterOptions options;
    const char *path;
};

/* Each fills reader->ops, priv, format, source, total and unit. */
int audio_reader_open(NCMediaReader *reader, const char *path, const NCMediaWants *wants);
int picture_reader_open(NCMediaReader *reader, const char *path, const NCMediaWants *wants);
int bytes_reader_open(NCMediaReader *reader, const char *path);
int coded_reader_open(NCMediaReader *reader, const char *path, const NCMediaWants *wants);

/* Each fills writer->ops and priv; writer->format, options and path are set. */
int audio_writer_open(NCMediaWriter *writer, const char *extension);
int png_writer_open(NCMediaWriter *writer);
int video_writer_open(NCMediaWriter *writer, const char *extension);
int bytes_writer_open(NCMediaWriter *writer);

/* Sends FFmpeg's own log lines through libnc's log (shown with -v only). */
void media_route_ffmpeg_log(void);
/* "file:" + path, so that FFmpeg never reads a name as a protocol ("a:b.wav").
 * free() the result. NULL on allocation failure. */
char *media_ffmpeg_url(const char *path);
/* Logs "path: what: FFmpeg's message" at error level and returns NC_EIO,
 * NC_EINVALIDDATA or NC_ENOMEM after av_err. */
int media_ffmpeg_error(const char *path, const char *what, int av_err);
/* Logs "cannot write PATH: REASON" (REASON: the library's message, or with NULL
 * strerror(errno)), the one wording of every write failure (a full disk reads "cannot
 * write out.wav: No space left on device"), and returns NC_EIO. */
int media_write_error(const char *path, const char *reason);

#endif
