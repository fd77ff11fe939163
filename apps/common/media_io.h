/* Media input and output for the apps, shaped for streaming: open a reader,
 * read one frame at a time (N audio samples, one picture, N bytes), close.
 *
 * Readers deliver what a codec takes (nc/frame.h): float32 planar audio,
 * GRAY8 / RGB24 / YUV420P pictures, or raw bytes.
 *   audio     WAV, FLAC, OGG, ... through libsndfile first, then anything FFmpeg's
 *             libraries decode; libswresample converts the sample rate and the
 *             channel count when the codec or the user asks for others.
 *   pictures  PNG, JPEG, y4m, mkv, mp4, numbered sequences ("in%03d.png") ... through
 *             libavformat / libavcodec; libswscale converts to a pixel format the
 *             codec supports (an exact copy when the source already is one).
 *   bytes     any file, as it is.
 *
 * The name "-" is standard input or output. Readers take what FFmpeg can probe
 * from a pipe (audio through FFmpeg only: libsndfile could not hand a stream it
 * does not know back). Writers to "-" need the format named (options.format);
 * bytes, .flac and .ogg go out as they are written, the others (whose writers seek
 * back to fill in sizes) through a temporary file copied out at the end.
 *
 * Writers pick the format from the file name's extension:
 *   audio     .wav (16-bit PCM by default), .flac, .ogg (Vorbis) through libsndfile
 *   pictures  .png (one picture, or a sequence when the name holds a printf pattern
 *             such as out%04d.png), .y4m (RGB24 as yuv444p: within 2 levels),
 *             .mkv (FFV1: lossless for all three pixel formats), .mp4 (H.264
 *             through libx264 at qp 0: lossless; YUV420P at even sizes only)
 *   bytes     any name: the bytes as they are
 * and write atomically: a temporary file beside the target, renamed at the end,
 * removed on failure; an existing target is refused unless overwrite is set.
 *
 * Failures return a negative NC_E* code after logging a one-line reason with
 * nc_log(), which the apps print (apps/common/cli.h). */
#ifndef NC_APPS_MEDIA_IO_H
#define NC_APPS_MEDIA_IO_H

#include <stdint.h>

#include "nc/frame.h"

/* What the codec (and the user) want from the input. */
typedef struct NCMediaWants {
    enum NCMediaType media_type;         /* the codec's; decides how the file is read */
    const int *sample_rates;             /* the codec's (0-terminated), NULL = any */
    int sample_rate;                     /* > 0: convert to this rate */
    int channels;                        /* > 0: mix to this many channels */
    const int *channel_counts;           /* the codec's (0-terminated), NULL = any */
    const enum NCPixelFormat *pix_fmts;  /* the codec's (NC_PIX_NONE-terminated), NULL = any */
    enum NCPixelFormat pix_fmt;          /* != NC_PIX_NONE: convert to this format */
    int decode;                          /* a .nc file is decoded (without conversion) */
} NCMediaWants;

/* The parameters of the frames a reader delivers or a writer takes. */
typedef struct NCMediaFormat {
    enum NCMediaType media_type;
    int sample_rate, channels;  /* audio */
    int width, height;          /* pictures */
    enum NCPixelFormat pix_fmt; /* pictures */
    NCRational frame_rate;      /* pictures: frames per second ({0, 1} if unknown) */
} NCMediaFormat;

enum NCSampleFormat {
    NC_SAMPLE_S16 = 0, /* default: 16-bit PCM, rounded and clipped */
    NC_SAMPLE_S24 = 1,
    NC_SAMPLE_F32 = 2, /* 32-bit float (WAV only): exactly the decoded samples */
};

typedef struct NCMediaWriterOptions {
    int overwrite;                     /* replace an existing target */
    const char *format;                /* "wav", "png" ...: instead of the name's extension
                                          (needed for "-", standard output) */
    enum NCSampleFormat sample_format; /* audio outputs */
} NCMediaWriterOptions;

typedef struct NCMediaReader NCMediaReader;
typedef struct NCMediaWriter NCMediaWriter;

/* Opens path for a codec that takes wants->media_type. For pictures the first
 * picture is decoded already, so that the format is known. */
int media_reader_open(NCMediaReader **reader, const char *path, const NCMediaWants *wants);
const NCMediaFormat *media_reader_format(const NCMediaReader *reader);
/* A line for -v: the source as found ("pcm_s16le, 44100 Hz, 2 channels"). */
const char *media_reader_source(const NCMediaReader *reader);
/* Reads the next frame into the empty frame: audio up to max_units samples and
 * bytes up to max_units bytes (only the last frame is shorter), or one picture.
 * pts counts samples, pictures or bytes from 0; duration is the frame's length
 * in the same unit. Returns 0 or NC_EOF after the last frame. */
int media_reader_read(NCMediaReader *reader, NCFrame *frame, int64_t max_units);
/* How far reading got, for the progress bar: *total is -1 when unknown. */
void media_reader_progress(const NCMediaReader *reader, int64_t *done, int64_t *total,
                              const char **unit);
void media_reader_close(NCMediaReader **reader);

/* 0 if format (NULL: path's extension) can hold media_type, else NC_ENOTSUP with a
 * logged reason listing the formats that can. Lets an app refuse before any work. */
int media_writer_check(const char *path, const char *format, enum NCMediaType media_type);
int media_writer_open(NCMediaWriter **writer, const char *path, const NCMediaFormat *format,
                         const NCMediaWriterOptions *options);
/* Writes one frame with the format given at open. */
int media_writer_write(NCMediaWriter *writer, const NCFrame *frame);
/* Finishes the file and moves it into place; on failure nothing is left behind.
 * Frees *writer either way. */
int media_writer_close(NCMediaWriter **writer);
/* Removes everything written so far and frees *writer. */
void media_writer_abort(NCMediaWriter **writer);

#endif
