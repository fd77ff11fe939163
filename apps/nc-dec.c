/* nc-dec: decodes a .nc file into a media file chosen by the output's extension. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "apps/common/cli.h"
#include "apps/common/codec_help.h"
#include "apps/common/coded_input.h"
#include "apps/common/media_io.h"
#include "apps/common/output_file.h"
#include "apps/common/progress.h"
#include "nc/nc.h"

/* Damaged packets reported one by one before the rest are only counted. */
#define MAX_DAMAGE_LINES 20
/* Invalid-data results from nc_receive_frame() without new input in between before
 * nc-dec stops decoding (keeping what it wrote): a decoder failing on every call
 * must not spin. Damaged packets each fail once and never add up to this. */
#define MAX_FAILED_RECEIVES 64
#define MAX_OPTIONS 64

typedef struct DecArgs {
    const char *input, *output;
    const char *format; /* -f: the output's format instead of its extension */
    int overwrite;
    enum NCSampleFormat sample_format;
    const char *options[MAX_OPTIONS]; /* -o KEY=VALUE */
    int nb_options;
    double start, length; /* -ss, -t in seconds; length < 0: to the end */
} DecArgs;

typedef struct Decoding {
    const DecArgs *args;
    NCCodecContext *ctx;
    NCDemuxer *dmx;
    uint8_t *piped;        /* standard input's bytes, which dmx reads */
    NCMediaWriter *writer; /* opened with the first frame, whose format it takes */
    NCFrame *frame;
    NCPacket *pkt;
    int64_t damaged;  /* packets found damaged or rejected by the decoder */
    int64_t truncated; /* the file ends inside this packet's record (+1; 0: it does not) */
    int64_t frames;
    int failed_receives; /* failed nc_receive_frame() calls since the last packet sent */
    int gave_up;         /* stopped after MAX_FAILED_RECEIVES: the rest is not decoded */
    int64_t start_pts, end_pts; /* frames outside [start, end) are dropped (-ss, -t) */
    int64_t duration;           /* of the frames written, in the time base */
} Decoding;

static void usage(void)
{
    printf("Usage: nc-dec [options] INPUT.nc OUTPUT\n"
           "       nc-dec -L\n"
           "Decodes INPUT.nc into OUTPUT, written in the format its extension (or -f) names:\n"
           "  audio     .wav .flac .ogg\n"
           "  pictures  .png (one picture; out%%04d.png for a sequence) .y4m .mkv (FFV1)\n"
           "            .mp4 (H.264, lossless)\n"
           "  bytes     any name\n"
           "INPUT - is standard input, OUTPUT - standard output (name its format with -f;\n"
           ".flac, .ogg and bytes stream out as they are decoded, the others at the end).\n\n"
           "  -f, --format FMT         write OUTPUT as FMT (wav, flac, ogg, png, y4m, mkv, mp4)\n"
           "  -y, --overwrite          replace OUTPUT if it exists\n"
           "  -o, --option KEY=VALUE   set a decoder option (repeatable; --codec-help lists them)\n"
           "  -ss SECONDS              start at this time (through the index: no decoding before\n"
           "                           the last key packet before it); whole frames are written\n"
           "  -t SECONDS               write this much from the start\n"
           "      --codec-help NAME    the options of decoder NAME\n"
           "  -s, --sample-format FMT  audio samples in .wav/.flac: s16 (default), s24, f32\n"
           "  -L, --list               list the decoders: name, media, capabilities, description\n"
           "  -q, --quiet              print errors only, no progress bar\n"
           "  -v, --verbose            say more (twice: debug)\n"
           "  -h, --help               this help\n"
           "  -V, --version            print the version\n\n"
           "OUTPUT is written in full or not at all; it may not be INPUT itself, a symbolic\n"
           "link is written through to its target, a FIFO or device is refused.\n\n"
           "Exit status: 0 on success; 1 on failure (OUTPUT is then left as it was);\n"
           "2 when INPUT is damaged: the damaged packets are named, skipped, and OUTPUT\n"
           "holds everything that could be decoded; 130 when interrupted (OUTPUT is then\n"
           "left as it was).\n");
}

static int parse_args(int argc, char **argv, DecArgs *a)
{
    enum { OPT_START = 256, OPT_LENGTH, OPT_CODEC_HELP };
    static const struct option longopts[] = {
        {"overwrite", no_argument, NULL, 'y'}, {"sample-format", required_argument, NULL, 's'},
        {"format", required_argument, NULL, 'f'},
        {"option", required_argument, NULL, 'o'}, {"ss", required_argument, NULL, OPT_START},
        {"t", required_argument, NULL, OPT_LENGTH},
        {"codec-help", required_argument, NULL, OPT_CODEC_HELP},
        {"list", no_argument, NULL, 'L'},
        {"quiet", no_argument, NULL, 'q'},     {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},      {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0}};
    memset(a, 0, sizeof(*a));
    a->length = -1;
    opterr = 0;
    int c;
    char *end;
    /* ffmpeg's spelling: -ss and -t with one dash */
    while ((c = getopt_long_only(argc, argv, ":yf:s:o:LqvhV", longopts, NULL)) != -1) {
        switch (c) {
        case 'y': a->overwrite = 1; break;
        case 'f': a->format = optarg; break;
        case 'o':
            if (a->nb_options == MAX_OPTIONS) return cli_usage_error("too many -o options");
            if (!strchr(optarg, '=')) return cli_usage_error("-o %s: expected KEY=VALUE", optarg);
            a->options[a->nb_options++] = optarg;
            break;
        case OPT_START:
        case OPT_LENGTH: {
            double v = strtod(optarg, &end);
            if (end == optarg || *end || !(v >= 0) || v > 1e9)
                return cli_usage_error("-%s %s: expected seconds (>= 0)",
                                          c == OPT_START ? "ss" : "t", optarg);
            if (c == OPT_START) a->start = v;
            else a->length = v;
            break;
        }
        case OPT_CODEC_HELP: {
            const NCCodec *codec = nc_codec_find_decoder_by_name(optarg);
            if (!codec) return cli_usage_error("unknown decoder '%s' (nc-dec -L lists them)", optarg);
            codec_help_options(stdout, codec);
            exit(NC_EXIT_OK);
        }
        case 'L': codec_help_list(stdout, 0); exit(NC_EXIT_OK);
        case 's':
            if (!strcmp(optarg, "s16")) a->sample_format = NC_SAMPLE_S16;
            else if (!strcmp(optarg, "s24")) a->sample_format = NC_SAMPLE_S24;
            else if (!strcmp(optarg, "f32")) a->sample_format = NC_SAMPLE_F32;
            else return cli_usage_error("-s %s: expected s16, s24 or f32", optarg);
            break;
        default:
            if (!cli_standard_option(c, usage)) return cli_bad_option(c, argv);
        }
    }
    if (cli_expect_operands(argc, 2, "INPUT.nc and OUTPUT")) return NC_EXIT_FAILURE;
    a->input = argv[optind];
    a->output = argv[optind + 1];
    return 0;
}

static void report_damage(Decoding *d, int err, int64_t index)
{
    d->damaged++;
    if (d->damaged <= MAX_DAMAGE_LINES)
        cli_fail(err, "%s: packet %lld", d->args->input, (long long)index);
    else if (d->damaged == MAX_DAMAGE_LINES + 1)
        cli_error("%s: more damaged packets follow; counting them only", d->args->input);
}

/* Pictures last one frame duration each: frames per second = 1 / (duration * tb). */
static NCRational frame_rate(const NCStreamInfo *info, int64_t duration)
{
    if (duration <= 0) duration = 1;
    if (info->time_base.num <= 0 || (int64_t)info->time_base.num * duration >= (1 << 30))
        return (NCRational){0, 1};
    return (NCRational){info->time_base.den, (int)(info->time_base.num * duration)};
}

static int open_writer(Decoding *d, const NCMediaFormat *format)
{
    NCMediaWriterOptions options = {.overwrite = d->args->overwrite,
                                    .format = d->args->format,
                                    .sample_format = d->args->sample_format};
    cli_clear_reason();
    int ret = media_writer_open(&d->writer, d->args->output, format, &options);
    if (ret < 0) return cli_fail(ret, "%s", d->args->output);
    return 0;
}

static int write_frame(Decoding *d)
{
    if (!d->writer) {
        NCMediaFormat format = {.media_type = d->frame->media_type,
                                .sample_rate = d->frame->sample_rate,
                                .channels = d->frame->channels,
                                .width = d->frame->width,
                                .height = d->frame->height,
                                .pix_fmt = d->frame->pix_fmt,
                                .frame_rate = frame_rate(nc_demuxer_stream_info(d->dmx),
                                                         d->frame->duration)};
        int ret = open_writer(d, &format);
        if (ret < 0) return ret;
    }
    cli_clear_reason();
    int ret = media_writer_write(d->writer, d->frame);
    if (ret < 0) return cli_fail(ret, "%s", d->args->output);
    d->frames++;
    d->duration += d->frame->duration > 0 ? d->frame->duration : 0;
    return 0;
}

/* An intact stream without frames (an empty text, say) gives an empty output in
 * the header's format; a format that cannot be empty (PNG) says so. */
static int write_empty_output(Decoding *d)
{
    const NCStreamInfo *info = nc_demuxer_stream_info(d->dmx);
    NCMediaFormat format = {.media_type = info->media_type,
                            .sample_rate = info->sample_rate,
                            .channels = info->channels,
                            .width = info->width,
                            .height = info->height,
                            .pix_fmt = info->pix_fmt,
                            .frame_rate = frame_rate(info, 1)};
    return open_writer(d, &format);
}

/* A packet the decoder found damaged (invalid, or too short for what it codes)
 * costs only its own frame. */
static int is_damage(int err)
{
    return err == NC_EINVALIDDATA || err == NC_ETRUNCATED;
}

/* Receives and writes every frame the decoder has ready: NC_EAGAIN when it wants
 * input, NC_EOF when drained (or given up on), or an error. A frame the decoder
 * rejects as damaged counts as damage: decoding goes on. */
static int write_frames(Decoding *d, int64_t packet_index)
{
    for (;;) {
        cli_clear_reason();
        int ret = nc_receive_frame(d->ctx, d->frame);
        if (ret == NC_EAGAIN || ret == NC_EOF) return ret;
        if (is_damage(ret)) {
            report_damage(d, ret, packet_index);
            /* Bounded: a decoder that fails on every call must not spin forever;
             * what was decoded so far is kept, as for any damage. */
            if (++d->failed_receives > MAX_FAILED_RECEIVES) {
                cli_error("%s: the decoder keeps failing at packet %lld; stopping there",
                             d->args->input, (long long)packet_index);
                d->gave_up = 1;
                return NC_EOF;
            }
            continue;
        }
        if (ret == NC_EINTR) return ret; /* the interrupt is reported by the caller */
        if (ret < 0) return cli_fail(ret, "%s: decoding failed", d->args->input);
        d->failed_receives = 0;
        int64_t pts = d->frame->pts, end = pts + (d->frame->duration > 0 ? d->frame->duration : 1);
        if (pts != NC_NOPTS_VALUE && pts >= d->end_pts) { /* -t reached: done */
            nc_frame_unref(d->frame);
            return NC_EOF;
        }
        if (pts != NC_NOPTS_VALUE && end <= d->start_pts) { /* before -ss */
            nc_frame_unref(d->frame);
            continue;
        }
        ret = write_frame(d);
        nc_frame_unref(d->frame);
        if (ret < 0) return ret;
    }
}

/* Sends pkt (NULL: flush), taking frames out whenever the decoder asks. */
static int send_packet(Decoding *d, const NCPacket *pkt, int64_t index)
{
    for (int tries = 0;; tries++) {
        cli_clear_reason();
        int ret = nc_send_packet(d->ctx, pkt);
        if (ret == 0) {
            d->failed_receives = 0;
            return 0;
        }
        if (is_damage(ret)) {
            report_damage(d, ret, index);
            return 0;
        }
        if (ret != NC_EAGAIN || tries > 0)
            return cli_fail(ret, "%s: packet %lld", d->args->input, (long long)index);
        ret = write_frames(d, index);
        if (ret != NC_EAGAIN) return ret; /* NC_EOF: done (-t reached, or given up) */
    }
}

/* Reads the next intact packet into d->pkt; reports and skips damaged ones.
 * Returns 0, NC_EOF (also after a truncation), or a fatal error. */
static int next_packet(Decoding *d)
{
    for (;;) {
        cli_clear_reason();
        int ret = nc_demuxer_read_packet(d->dmx, d->pkt);
        if (ret == 0 || ret == NC_EOF) return ret;
        int64_t index = nc_demuxer_packet_index(d->dmx);
        if (ret == NC_ETRUNCATED) {
            d->truncated = index + 1;
            d->damaged++;
            cli_fail(ret, "%s: packet %lld", d->args->input, (long long)index);
            return NC_EOF;
        }
        if (ret == NC_ECRC || ret == NC_EINVALIDDATA) {
            report_damage(d, ret, index);
            continue;
        }
        return cli_fail(ret, "%s", d->args->input);
    }
}

static int decode_stream(Decoding *d)
{
    int64_t total = nc_demuxer_packet_count(d->dmx);
    NCProgress progress;
    progress_start(&progress, "decoding", "packets", total);
    int ret;
    for (;;) {
        if (cli_interrupted()) {
            ret = NC_EIO; /* the output is abandoned by the caller */
            break;
        }
        ret = next_packet(d);
        if (ret < 0 && ret != NC_EOF) break;
        int eof = ret == NC_EOF;
        int64_t index = nc_demuxer_packet_index(d->dmx);
        ret = send_packet(d, eof ? NULL : d->pkt, index);
        nc_packet_unref(d->pkt);
        if (ret == NC_EOF) {
            ret = 0;
            break;
        }
        if (ret < 0) break;
        ret = write_frames(d, index);
        if (ret == NC_EOF) {
            ret = 0;
            break;
        }
        if (ret == NC_EINTR) break;
        if (ret != NC_EAGAIN) break;
        if (eof) {
            ret = cli_fail(NC_EBUG, "%s: the decoder did not finish", d->ctx->codec->name);
            break;
        }
        progress_update(&progress, index + 1);
    }
    progress_finish(&progress);
    return ret;
}

/* Seconds to time-base units, saturating. */
static int64_t seconds_to_pts(double seconds, NCRational tb)
{
    double pts = seconds * tb.den / (tb.num > 0 ? tb.num : 1) + 1e-9; /* 0.12 s is 3/25 */
    return pts >= 9e18 ? INT64_MAX : (int64_t)pts;
}

/* -ss and -t: the time range to write, and the demuxer on the last key packet
 * before its start when the file has an index (else decoding starts at the first
 * packet and frames before the start are dropped). */
static int seek_to_start(Decoding *d, const NCStreamInfo *info)
{
    const DecArgs *a = d->args;
    d->start_pts = seconds_to_pts(a->start, info->time_base);
    d->end_pts = a->length < 0 ? INT64_MAX : seconds_to_pts(a->start + a->length, info->time_base);
    if (d->start_pts <= 0) return 0;
    cli_clear_reason();
    int ret = nc_demuxer_seek(d->dmx, d->start_pts);
    if (ret == NC_ENOTSUP) {
        cli_verbose("%s: no index; decoding from the start to reach -ss", a->input);
        return 0;
    }
    return ret < 0 ? cli_fail(ret, "%s: -ss %g", a->input, a->start) : 0;
}

static int open_decoder(Decoding *d)
{
    const DecArgs *a = d->args;
    cli_clear_reason();
    size_t piped_size;
    int ret = coded_input_open(&d->dmx, a->input, &d->piped, &piped_size);
    if (ret < 0) return cli_fail(ret, "%s", a->input);
    const NCStreamInfo *info = nc_demuxer_stream_info(d->dmx);
    const NCCodec *codec = nc_codec_find_decoder_by_name(info->codec_name);
    if (!codec) {
        cli_error("%s: no decoder for codec '%s' in this build", a->input, info->codec_name);
        return NC_ENOCODEC;
    }
    cli_clear_reason();
    ret = media_writer_check(a->output, a->format, info->media_type);
    if (ret < 0) return cli_fail(ret, "%s", a->output);
    d->ctx = nc_codec_alloc_context(codec);
    d->frame = nc_frame_alloc();
    d->pkt = nc_packet_alloc();
    if (!d->ctx || !d->frame || !d->pkt) return cli_fail(NC_ENOMEM, "%s", a->input);
    d->ctx->interrupt_cb = cli_interrupt_cb; /* a signal stops even one long packet */
    char hint[96];
    snprintf(hint, sizeof(hint), "nc-dec --codec-help %s", codec->name);
    ret = codec_apply_options(d->ctx, a->options, a->nb_options, hint);
    if (ret < 0) return ret;
    cli_clear_reason();
    ret = nc_stream_info_to_context(info, d->ctx);
    if (ret >= 0) ret = nc_codec_open(d->ctx);
    if (ret < 0) return cli_fail(ret, "%s: %s", a->input, codec->name);
    return seek_to_start(d, info);
}

/* Bytes of the input file for the summary (-1: a pipe, whose size is not known). */
static long long input_size(const char *path)
{
    struct stat st;
    return output_is_stdio(path) || stat(path, &st) != 0 ? -1 : (long long)st.st_size;
}

static int decode(const DecArgs *a)
{
    Decoding d = {.args = a};
    if (cli_check_input(a->input) < 0) return NC_EXIT_FAILURE;
    if (cli_check_output_not_input(a->input, a->output) < 0) return NC_EXIT_FAILURE;
    cli_clear_reason();
    int ret = output_check_target(a->output, a->overwrite);
    if (ret < 0) {
        cli_fail(ret, "%s", a->output);
        return NC_EXIT_FAILURE;
    }
    ret = open_decoder(&d);
    if (ret >= 0) ret = decode_stream(&d);
    if (ret >= 0 && !d.writer) {
        if (d.damaged) {
            cli_error("%s: nothing could be decoded; %s not written", a->input, a->output);
            ret = NC_EINVALIDDATA;
        } else {
            ret = write_empty_output(&d);
        }
    }
    if (ret >= 0) {
        cli_clear_reason();
        ret = media_writer_close(&d.writer);
        if (ret < 0) cli_fail(ret, "%s", a->output);
    }
    if (ret >= 0 && !d.damaged && !cli_interrupted()) {
        char what[256];
        snprintf(what, sizeof(what), "%s -> %s", a->input, a->output);
        cli_print_summary(what, nc_demuxer_stream_info(d.dmx), d.duration, input_size(a->input));
    }
    media_writer_abort(&d.writer);
    nc_packet_free(&d.pkt);
    nc_frame_free(&d.frame);
    nc_codec_free_context(&d.ctx);
    nc_demuxer_close(&d.dmx);
    free(d.piped);
    if (cli_interrupted()) return NC_EXIT_INTERRUPTED;
    if (ret < 0) return NC_EXIT_FAILURE;
    if (d.damaged) {
        char why[96] = "";
        if (d.truncated)
            snprintf(why, sizeof(why), " (the file is truncated: it ends inside packet %lld)",
                     (long long)d.truncated - 1);
        else if (d.gave_up)
            snprintf(why, sizeof(why), " (decoding stopped early)");
        cli_error("%s: %lld damaged packet%s%s; %s holds the rest", a->input,
                     (long long)d.damaged, d.damaged == 1 ? "" : "s", why, a->output);
        return NC_EXIT_DAMAGED;
    }
    cli_verbose("%s: %lld frames written to %s", a->input, (long long)d.frames, a->output);
    return NC_EXIT_OK;
}

int main(int argc, char **argv)
{
    cli_init(argv[0]);
    cli_catch_interrupts();
    DecArgs a;
    if (parse_args(argc, argv, &a) != 0) return NC_EXIT_FAILURE;
    return decode(&a);
}
