/* Audio output through libsndfile: .wav, .flac, .ogg (Vorbis). Integer outputs
 * are rounded here (not by libsndfile, which truncates) so that samples read
 * from a 16-bit file come back as the same integers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sndfile.h>

#include "apps/common/media_io_internal.h"
#include "apps/common/output_file.h"
#include "nc/error.h"
#include "nc/log.h"

#define CHUNK 4096

typedef struct AudioWriter {
    NCOutputFile out;
    SNDFILE *sf;
    int container; /* SF_FORMAT_WAV, ... */
    enum NCSampleFormat sample_format;
    int32_t *ints; /* interleaved scratch, CHUNK frames */
    float *floats;
} AudioWriter;

/* x in [-1, 1) scaled to a bits-wide integer, rounded to nearest, clipped, then
 * left-aligned in 32 bits as sf_writef_int() expects. */
static int32_t to_int(float x, int bits)
{
    double scale = (double)(1u << (bits - 1));
    double v = (double)x * scale;
    v = v >= 0 ? v + 0.5 : v - 0.5;
    if (v > scale - 1) v = scale - 1;
    if (v < -scale) v = -scale;
    return (int32_t)(int64_t)v * (int32_t)(1u << (32 - bits));
}

static int audio_write(NCMediaWriter *writer, const NCFrame *frame)
{
    AudioWriter *a = writer->priv;
    int channels = writer->format.channels;
    if (frame->channels != channels || frame->sample_rate != writer->format.sample_rate) {
        nc_log(NULL, NC_LOG_ERROR, "%s: the audio format changed mid-stream", writer->path);
        return NC_ENOTSUP;
    }
    int bits = a->sample_format == NC_SAMPLE_S24 ? 24 : 16;
    int use_float = a->sample_format == NC_SAMPLE_F32 || a->container == SF_FORMAT_OGG;
    for (int start = 0; start < frame->nb_samples; start += CHUNK) {
        int n = frame->nb_samples - start < CHUNK ? frame->nb_samples - start : CHUNK;
        sf_count_t written;
        if (use_float) {
            for (int c = 0; c < channels; c++) {
                const float *src = (const float *)frame->data[c] + start;
                for (int i = 0; i < n; i++) a->floats[i * channels + c] = src[i];
            }
            written = sf_writef_float(a->sf, a->floats, n);
        } else {
            for (int c = 0; c < channels; c++) {
                const float *src = (const float *)frame->data[c] + start;
                for (int i = 0; i < n; i++) a->ints[i * channels + c] = to_int(src[i], bits);
            }
            written = sf_writef_int(a->sf, a->ints, n);
        }
        if (written != n) return media_write_error(writer->path, NULL);
    }
    return 0;
}

static void free_writer(NCMediaWriter *writer)
{
    AudioWriter *a = writer->priv;
    free(a->ints);
    free(a->floats);
    free(a);
    writer->priv = NULL;
}

static int audio_finish(NCMediaWriter *writer)
{
    AudioWriter *a = writer->priv;
    int ret = 0;
    if (sf_close(a->sf) != 0) ret = media_write_error(writer->path, NULL);
    a->sf = NULL;
    if (ret < 0)
        nci_atomic_file_abort(&a->out);
    else
        ret = nci_atomic_file_commit(&a->out);
    free_writer(writer);
    return ret;
}

static void audio_abort(NCMediaWriter *writer)
{
    AudioWriter *a = writer->priv;
    if (!a) return;
    if (a->sf) sf_close(a->sf);
    nci_atomic_file_abort(&a->out);
    free_writer(writer);
}

static const NCMediaWriterOps audio_writer_ops = {audio_write, audio_finish, audio_abort};

static int sndfile_format(const char *path, const char *ext, enum NCSampleFormat sample_format,
                          int *format)
{
    int subtype = sample_format == NC_SAMPLE_S24   ? SF_FORMAT_PCM_24
                  : sample_format == NC_SAMPLE_F32 ? SF_FORMAT_FLOAT
                                                   : SF_FORMAT_PCM_16;
    if (!strcasecmp(ext, "wav")) {
        *format = SF_FORMAT_WAV | subtype;
    } else if (!strcasecmp(ext, "flac")) {
        if (subtype == SF_FORMAT_FLOAT) {
            nc_log(NULL, NC_LOG_ERROR, "%s: FLAC holds integer samples only (s16, s24)", path);
            return NC_ENOTSUP;
        }
        *format = SF_FORMAT_FLAC | subtype;
    } else if (!strcasecmp(ext, "ogg")) {
        *format = SF_FORMAT_OGG | SF_FORMAT_VORBIS;
    } else {
        return NC_ENOTSUP;
    }
    return 0;
}

int audio_writer_open(NCMediaWriter *writer, const char *extension)
{
    SF_INFO info = {.samplerate = writer->format.sample_rate,
                    .channels = writer->format.channels};
    int ret = sndfile_format(writer->path, extension, writer->options.sample_format, &info.format);
    if (ret < 0) return ret;
    if (!sf_format_check(&info)) {
        nc_log(NULL, NC_LOG_ERROR, "%s: libsndfile cannot write %d Hz, %d channels in this format",
               writer->path, info.samplerate, info.channels);
        return NC_ENOTSUP;
    }
    AudioWriter *a = calloc(1, sizeof(*a));
    if (!a) return NC_ENOMEM;
    writer->priv = a;
    a->container = info.format & SF_FORMAT_TYPEMASK;
    a->sample_format = writer->options.sample_format;
    a->ints = malloc(sizeof(int32_t) * CHUNK * (size_t)info.channels);
    a->floats = malloc(sizeof(float) * CHUNK * (size_t)info.channels);
    if (!a->ints || !a->floats) {
        free_writer(writer);
        return NC_ENOMEM;
    }
    /* FLAC and Ogg are written in one pass (libsndfile writes them to a pipe); WAV's
     * header sizes are filled in at the end. */
    ret = a->container == SF_FORMAT_WAV
              ? output_file_open(&a->out, writer->path, writer->options.overwrite)
              : output_file_open_streaming(&a->out, writer->path, writer->options.overwrite);
    if (ret < 0) {
        free_writer(writer);
        return ret;
    }
    /* libsndfile writes through the temporary file's descriptor; output_file closes it. */
    a->sf = sf_open_fd(fileno(a->out.file), SFM_WRITE, &info, 0);
    if (!a->sf) {
        media_write_error(writer->path, sf_strerror(NULL));
        nci_atomic_file_abort(&a->out);
        free_writer(writer);
        return NC_EIO;
    }
    writer->ops = &audio_writer_ops;
    return 0;
}
