/* Audio input: libsndfile first (WAV, FLAC, OGG, ...), then any audio FFmpeg's
 * libraries decode. Samples go through libswresample when the rate or channel
 * count must change, and wait in an AVAudioFifo until a frame is full. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
#include <libavutil/samplefmt.h>
#include <libswresample/swresample.h>
#include <sndfile.h>

#include "apps/common/media_io_internal.h"
#include "apps/common/output_file.h"
#include "nc/error.h"
#include "nc/log.h"

#define SNDFILE_CHUNK 4096

typedef struct AudioReader {
    const char *path;
    int out_rate, out_channels;
    AVChannelLayout out_layout;

    SNDFILE *sf; /* libsndfile source, or else FFmpeg's: */
    int sf_channels;
    float *interleaved;

    AVFormatContext *fmt;
    AVCodecContext *dec;
    int stream;
    AVPacket *pkt;
    AVFrame *frame;
    int sent_eof;

    SwrContext *swr; /* NULL while no conversion is needed or not set up yet */
    int swr_flushed;
    uint8_t **converted; /* planar float scratch for swr_convert */
    int converted_cap;
    AVAudioFifo *fifo;
    int source_eof;
} AudioReader;

static int choose_rate(const char *path, int source_rate, const NCMediaWants *wants, int *rate)
{
    const int *list = wants->sample_rates;
    if (wants->sample_rate > 0) {
        int ok = !list;
        for (const int *r = list; r && *r; r++) ok |= *r == wants->sample_rate;
        if (!ok) {
            char rates[96] = "";
            for (const int *r = list; *r; r++)
                snprintf(rates + strlen(rates), sizeof(rates) - strlen(rates), "%s%d",
                         rates[0] ? ", " : "", *r);
            nc_log(NULL, NC_LOG_ERROR, "the codec takes %s Hz, not %d Hz", rates,
                   wants->sample_rate);
            return NC_ENOTSUP;
        }
        *rate = wants->sample_rate;
        return 0;
    }
    if (!list || !list[0]) {
        *rate = source_rate;
        return 0;
    }
    /* The lowest supported rate that keeps the source's bandwidth, else the highest. */
    int best_above = 0, highest = 0;
    for (const int *r = list; *r; r++) {
        if (*r == source_rate) {
            *rate = source_rate;
            return 0;
        }
        if (*r > source_rate && (!best_above || *r < best_above)) best_above = *r;
        if (*r > highest) highest = *r;
    }
    *rate = best_above ? best_above : highest;
    nc_log(NULL, NC_LOG_VERBOSE, "%s: resampling %d Hz to %d Hz", path, source_rate, *rate);
    return 0;
}

static int choose_channels(const char *path, int source_channels, const NCMediaWants *wants,
                           int *channels)
{
    if (wants->channels > NC_MAX_CHANNELS) {
        nc_log(NULL, NC_LOG_ERROR, "at most %d channels are supported", NC_MAX_CHANNELS);
        return NC_ENOTSUP;
    }
    *channels = wants->channels > 0 ? wants->channels : source_channels;
    const int *list = wants->channel_counts;
    if (wants->channels <= 0 && list && list[0]) {
        /* The source's count if the codec takes it, else mono if it may, else its first. */
        int chosen = list[0];
        for (const int *c = list; *c; c++)
            if (*c == source_channels || (*c == 1 && chosen != source_channels)) chosen = *c;
        if (chosen != source_channels)
            nc_log(NULL, NC_LOG_WARNING, "%s: mixing %d channels to %d for the codec", path,
                   source_channels, chosen);
        *channels = chosen;
    }
    if (*channels > NC_MAX_CHANNELS) {
        nc_log(NULL, NC_LOG_WARNING, "%s: mixing %d channels down to %d", path, source_channels,
               NC_MAX_CHANNELS);
        *channels = NC_MAX_CHANNELS;
    }
    return 0;
}

static int make_resampler(AudioReader *a, AVChannelLayout *in_layout,
                          enum AVSampleFormat in_fmt, int in_rate)
{
    int ret = swr_alloc_set_opts2(&a->swr, &a->out_layout, AV_SAMPLE_FMT_FLTP, a->out_rate,
                                  in_layout, in_fmt, in_rate, 0, NULL);
    if (ret >= 0) ret = swr_init(a->swr);
    if (ret < 0) return media_ffmpeg_error(a->path, "cannot set up resampling", ret);
    return 0;
}

/* Grows the planar scratch buffer to hold n samples per channel. */
static int reserve_converted(AudioReader *a, int n)
{
    if (n <= a->converted_cap) return 0;
    if (a->converted) av_freep(&a->converted[0]);
    av_freep(&a->converted);
    a->converted_cap = 0;
    if (av_samples_alloc_array_and_samples(&a->converted, NULL, a->out_channels, n,
                                           AV_SAMPLE_FMT_FLTP, 0) < 0)
        return NC_ENOMEM;
    a->converted_cap = n;
    return 0;
}

/* Converts n input samples (NULL, 0 flushes the resampler) into the FIFO. */
static int convert_into_fifo(AudioReader *a, const uint8_t **in, int n)
{
    int out = swr_get_out_samples(a->swr, n);
    if (out < 0) return media_ffmpeg_error(a->path, "resampling failed", out);
    if (out == 0) return 0;
    int ret = reserve_converted(a, out);
    if (ret < 0) return ret;
    int got = swr_convert(a->swr, a->converted, out, in, n);
    if (got < 0) return media_ffmpeg_error(a->path, "resampling failed", got);
    if (got > 0 && av_audio_fifo_write(a->fifo, (void **)a->converted, got) < got)
        return NC_ENOMEM;
    return 0;
}

static int read_sndfile_chunk(AudioReader *a)
{
    sf_count_t n = sf_readf_float(a->sf, a->interleaved, SNDFILE_CHUNK);
    if (n <= 0) {
        if (sf_error(a->sf) != SF_ERR_NO_ERROR) {
            nc_log(NULL, NC_LOG_ERROR, "%s: %s", a->path, sf_strerror(a->sf));
            return NC_EIO;
        }
        a->source_eof = 1;
        return 0;
    }
    if (a->swr) {
        const uint8_t *in[1] = {(const uint8_t *)a->interleaved};
        return convert_into_fifo(a, in, (int)n);
    }
    /* Same rate and channels: deinterleave, bit-exact. */
    int ret = reserve_converted(a, SNDFILE_CHUNK);
    if (ret < 0) return ret;
    for (int c = 0; c < a->out_channels; c++) {
        float *dst = (float *)a->converted[c];
        for (sf_count_t i = 0; i < n; i++) dst[i] = a->interleaved[i * a->sf_channels + c];
    }
    if (av_audio_fifo_write(a->fifo, (void **)a->converted, (int)n) < n) return NC_ENOMEM;
    return 0;
}

static int convert_decoded_frame(AudioReader *a, AVFrame *f)
{
    if (!a->swr) {
        AVChannelLayout in_layout;
        int ret;
        if (f->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC)
            av_channel_layout_default(&in_layout, f->ch_layout.nb_channels);
        else if ((ret = av_channel_layout_copy(&in_layout, &f->ch_layout)) < 0)
            return NC_ENOMEM;
        ret = make_resampler(a, &in_layout, (enum AVSampleFormat)f->format, f->sample_rate);
        av_channel_layout_uninit(&in_layout);
        if (ret < 0) return ret;
    }
    return convert_into_fifo(a, (const uint8_t **)f->extended_data, f->nb_samples);
}

static int read_ffmpeg_chunk(AudioReader *a)
{
    for (;;) {
        int ret = avcodec_receive_frame(a->dec, a->frame);
        if (ret >= 0) {
            ret = convert_decoded_frame(a, a->frame);
            av_frame_unref(a->frame);
            return ret;
        }
        if (ret == AVERROR_EOF) {
            a->source_eof = 1;
            return 0;
        }
        if (ret != AVERROR(EAGAIN)) return media_ffmpeg_error(a->path, "cannot decode", ret);
        if (a->sent_eof) {
            a->source_eof = 1;
            return 0;
        }
        ret = av_read_frame(a->fmt, a->pkt);
        if (ret == AVERROR_EOF) {
            a->sent_eof = 1;
            ret = avcodec_send_packet(a->dec, NULL);
        } else if (ret < 0) {
            return media_ffmpeg_error(a->path, "cannot read", ret);
        } else {
            if (a->pkt->stream_index == a->stream) ret = avcodec_send_packet(a->dec, a->pkt);
            av_packet_unref(a->pkt);
            /* A damaged packet: FFmpeg's decoders conceal it; keep going like ffmpeg. */
            if (ret == AVERROR_INVALIDDATA) {
                nc_log(NULL, NC_LOG_WARNING, "%s: skipping a damaged audio packet", a->path);
                ret = 0;
            }
        }
        if (ret < 0 && ret != AVERROR_EOF)
            return media_ffmpeg_error(a->path, "cannot decode", ret);
    }
}

/* Fills the FIFO until it holds want samples or the input ends. */
static int fill_fifo(AudioReader *a, int want)
{
    while (av_audio_fifo_size(a->fifo) < want) {
        int ret;
        if (!a->source_eof) {
            ret = a->sf ? read_sndfile_chunk(a) : read_ffmpeg_chunk(a);
        } else if (a->swr && !a->swr_flushed) {
            a->swr_flushed = 1;
            ret = convert_into_fifo(a, NULL, 0);
        } else {
            break;
        }
        if (ret < 0) return ret;
    }
    return 0;
}

static int audio_read(NCMediaReader *reader, NCFrame *frame, int64_t max_units)
{
    AudioReader *a = reader->priv;
    int want = max_units > (1 << 24) ? 1 << 24 : (int)max_units;
    if (want <= 0) return NC_EINVAL;
    int ret = fill_fifo(a, want);
    if (ret < 0) return ret;
    int n = av_audio_fifo_size(a->fifo);
    if (n > want) n = want;
    if (n == 0) return NC_EOF;

    frame->media_type = NC_MEDIA_AUDIO;
    frame->nb_samples = n;
    frame->channels = a->out_channels;
    frame->sample_rate = a->out_rate;
    ret = nc_frame_get_buffer(frame);
    if (ret < 0) return ret;
    if (av_audio_fifo_read(a->fifo, (void **)frame->data, n) < n) {
        nc_frame_unref(frame);
        return NC_EBUG;
    }
    frame->pts = reader->done;
    frame->duration = n;
    reader->done += n;
    return 0;
}

static void audio_close(NCMediaReader *reader)
{
    AudioReader *a = reader->priv;
    if (!a) return;
    if (a->sf) sf_close(a->sf);
    free(a->interleaved);
    avcodec_free_context(&a->dec);
    avformat_close_input(&a->fmt);
    av_packet_free(&a->pkt);
    av_frame_free(&a->frame);
    swr_free(&a->swr);
    if (a->converted) av_freep(&a->converted[0]);
    av_freep(&a->converted);
    if (a->fifo) av_audio_fifo_free(a->fifo);
    av_channel_layout_uninit(&a->out_layout);
    free(a);
    reader->priv = NULL;
}

static const NCMediaReaderOps audio_ops = {audio_read, audio_close};

static int set_output(NCMediaReader *reader, AudioReader *a, int source_rate,
                      int source_channels, const NCMediaWants *wants)
{
    if (source_rate <= 0 || source_channels <= 0) {
        nc_log(NULL, NC_LOG_ERROR, "%s: the audio has no sample rate or no channels", a->path);
        return NC_EINVALIDDATA;
    }
    int ret = choose_rate(a->path, source_rate, wants, &a->out_rate);
    if (ret >= 0) ret = choose_channels(a->path, source_channels, wants, &a->out_channels);
    if (ret < 0) return ret;
    av_channel_layout_default(&a->out_layout, a->out_channels);
    a->fifo = av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, a->out_channels, SNDFILE_CHUNK);
    if (!a->fifo) return NC_ENOMEM;
    reader->format.media_type = NC_MEDIA_AUDIO;
    reader->format.sample_rate = a->out_rate;
    reader->format.channels = a->out_channels;
    return 0;
}

/* 1 if libsndfile does not know the file. */
static int open_sndfile(NCMediaReader *reader, AudioReader *a, const NCMediaWants *wants)
{
    SF_INFO info;
    memset(&info, 0, sizeof(info));
    a->sf = sf_open(a->path, SFM_READ, &info);
    if (!a->sf) return 1; /* not a format libsndfile knows: FFmpeg may */
    a->sf_channels = info.channels;
    int ret = set_output(reader, a, info.samplerate, info.channels, wants);
    if (ret < 0) return ret;
    a->interleaved = malloc(sizeof(float) * SNDFILE_CHUNK * (size_t)info.channels);
    if (!a->interleaved) return NC_ENOMEM;
    if (a->out_rate != info.samplerate || a->out_channels != info.channels) {
        AVChannelLayout in_layout;
        av_channel_layout_default(&in_layout, info.channels);
        ret = make_resampler(a, &in_layout, AV_SAMPLE_FMT_FLT, info.samplerate);
        av_channel_layout_uninit(&in_layout);
        if (ret < 0) return ret;
    }
    SF_FORMAT_INFO fi = {.format = info.format & SF_FORMAT_TYPEMASK};
    sf_command(a->sf, SFC_GET_FORMAT_MAJOR, &fi, sizeof(fi));
    snprintf(reader->source, sizeof(reader->source), "%s (libsndfile), %d Hz, %d channels",
             fi.name ? fi.name : "audio", info.samplerate, info.channels);
    reader->total = info.frames > 0 && info.frames < INT64_MAX / a->out_rate
                        ? info.frames * a->out_rate / info.samplerate
                        : -1;
    return 0;
}

/* avformat_find_stream_info() reads seconds ahead (analyzeduration): on a pipe that
 * would hold the first packet back until the writer has sent them. A single audio
 * stream whose header said all a decoder needs (WAV, AU ...) goes without it. */
static int stream_info(AudioReader *a)
{
    if (a->fmt->nb_streams == 1) {
        const AVCodecParameters *par = a->fmt->streams[0]->codecpar;
        if (par->codec_type == AVMEDIA_TYPE_AUDIO && par->codec_id != AV_CODEC_ID_NONE &&
            par->sample_rate > 0 && par->ch_layout.nb_channels > 0)
            return 0;
    }
    return avformat_find_stream_info(a->fmt, NULL);
}

static int open_ffmpeg(NCMediaReader *reader, AudioReader *a, const NCMediaWants *wants)
{
    char *url = media_ffmpeg_url(a->path);
    if (!url) return NC_ENOMEM;
    int ret = avformat_open_input(&a->fmt, url, NULL, NULL);
    free(url);
    if (ret < 0) return media_ffmpeg_error(a->path, "not audio libsndfile or FFmpeg can read", ret);
    ret = stream_info(a);
    if (ret < 0) return media_ffmpeg_error(a->path, "cannot read", ret);
    const AVCodec *codec = NULL;
    a->stream = av_find_best_stream(a->fmt, AVMEDIA_TYPE_AUDIO, -1, -1, &codec, 0);
    if (a->stream < 0) {
        nc_log(NULL, NC_LOG_ERROR, "%s: no audio stream FFmpeg can decode", a->path);
        return NC_ENOTSUP;
    }
    AVStream *st = a->fmt->streams[a->stream];
    a->dec = avcodec_alloc_context3(codec);
    a->pkt = av_packet_alloc();
    a->frame = av_frame_alloc();
    if (!a->dec || !a->pkt || !a->frame) return NC_ENOMEM;
    ret = avcodec_parameters_to_context(a->dec, st->codecpar);
    if (ret >= 0) ret = avcodec_open2(a->dec, codec, NULL);
    if (ret < 0) return media_ffmpeg_error(a->path, "cannot open the audio decoder", ret);
    ret = set_output(reader, a, a->dec->sample_rate, a->dec->ch_layout.nb_channels, wants);
    if (ret < 0) return ret;
    snprintf(reader->source, sizeof(reader->source), "%s (%s), %d Hz, %d channels",
             codec->name, a->fmt->iformat->name, a->dec->sample_rate,
             a->dec->ch_layout.nb_channels);
    reader->total = -1;
    if (st->duration > 0)
        reader->total = av_rescale_q(st->duration, st->time_base, (AVRational){1, a->out_rate});
    else if (a->fmt->duration > 0)
        reader->total = av_rescale(a->fmt->duration, a->out_rate, AV_TIME_BASE);
    return 0;
}

int audio_reader_open(NCMediaReader *reader, const char *path, const NCMediaWants *wants)
{
    AudioReader *a = calloc(1, sizeof(*a));
    if (!a) return NC_ENOMEM;
    a->path = path;
    reader->priv = a;
    reader->ops = &audio_ops;
    reader->unit = "samples";
    /* libsndfile would consume a pipe it cannot read: standard input goes to FFmpeg. */
    int ret = output_is_stdio(path) ? 1 : open_sndfile(reader, a, wants);
    if (ret == 1) ret = open_ffmpeg(reader, a, wants);
    if (ret < 0) audio_close(reader);
    return ret;
}
