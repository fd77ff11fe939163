/* nc-enc: encodes a media file into a .nc file with one of libnc's codecs. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apps/common/cli.h"
#include "apps/common/codec_help.h"
#include "apps/common/media_io.h"
#include "apps/common/output_file.h"
#include "apps/common/progress.h"
#include "nc/nc.h"

#define MAX_OPTIONS 64

typedef struct EncArgs {
    const char *codec, *bitrate, *input, *output;
    const char *options[MAX_OPTIONS];
    int nb_options;
    int overwrite, list, help, models;
    long sample_rate, channels, threads;
    enum NCPixelFormat pix_fmt;
} EncArgs;

static void usage(void)
{
    printf("Usage: nc-enc -c CODEC [options] INPUT OUTPUT.nc\n"
           "       nc-enc -L | --models\n"
           "       nc-enc -c CODEC --help\n"
           "Encodes INPUT (audio, pictures, video, text or any bytes, as the codec takes)\n"
           "into OUTPUT.nc. INPUT - is standard input (its format is probed), OUTPUT -\n"
           "standard output, written as the packets come.\n\n"
           "  -c, --codec NAME       the encoder (nc-enc -L lists them)\n"
           "  -b, --bitrate RATE     the codec's bitrate option, in bit/s (k and M suffixes)\n"
           "  -o, --option KEY=VAL   sets a codec option (repeatable; -c NAME --help lists them)\n"
           "      --sample-rate HZ   resample audio to HZ (default: the input's rate, or the\n"
           "                         nearest rate the codec takes)\n"
           "      --channels N       mix audio to N channels\n"
           "      --pix-fmt FMT      convert pictures to gray, rgb24 or yuv420p\n"
           "      --threads N        worker threads for encoders that use them (nc-enc -L:\n"
           "                         \"threads\"; default: the encoder's choice); the output\n"
           "                         does not depend on it\n"
           "  -y, --overwrite        replace OUTPUT if it exists\n"
           "  -q, --quiet            print errors only, no progress bar\n"
           "  -v, --verbose          say more (twice: debug)\n"
           "  -L, --list             list the encoders: name, media, capabilities, description\n"
           "      --models           list the models found (NC_MODEL_PATH, then the installed\n"
           "                         ones): id, codecs (* marks a codec's default), media,\n"
           "                         size, summary, file\n"
           "  -h, --help             this help, or the codec's options with -c\n"
           "  -V, --version          print the version\n\n"
           "OUTPUT is written in full or not at all; it may not be INPUT itself, a symbolic\n"
           "link is written through to its target, a FIFO or device is refused.\n\n"
           "Exit status: 0 on success, 1 on failure, 130 when interrupted (OUTPUT is then\n"
           "left as it was).\n");
}

static int parse_args(int argc, char **argv, EncArgs *a)
{
    enum { OPT_SAMPLE_RATE = 256, OPT_CHANNELS, OPT_PIX_FMT, OPT_MODELS, OPT_THREADS };
    static const struct option longopts[] = {
        {"codec", required_argument, NULL, 'c'},   {"bitrate", required_argument, NULL, 'b'},
        {"option", required_argument, NULL, 'o'},  {"overwrite", no_argument, NULL, 'y'},
        {"quiet", no_argument, NULL, 'q'},         {"verbose", no_argument, NULL, 'v'},
        {"list", no_argument, NULL, 'L'},          {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},       {"sample-rate", required_argument, NULL, OPT_SAMPLE_RATE},
        {"channels", required_argument, NULL, OPT_CHANNELS},
        {"pix-fmt", required_argument, NULL, OPT_PIX_FMT},
        {"models", no_argument, NULL, OPT_MODELS},
        {"threads", required_argument, NULL, OPT_THREADS},
        {NULL, 0, NULL, 0}};
    memset(a, 0, sizeof(*a));
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":c:b:o:yqvLhV", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': a->codec = optarg; break;
        case 'b': a->bitrate = optarg; break;
        case 'o':
            if (a->nb_options == MAX_OPTIONS) return cli_usage_error("too many -o options");
            if (!strchr(optarg, '=')) return cli_usage_error("-o %s: expected KEY=VALUE", optarg);
            a->options[a->nb_options++] = optarg;
            break;
        case 'y': a->overwrite = 1; break;
        case 'L': a->list = 1; break;
        case OPT_MODELS: a->models = 1; break;
        case 'h': a->help = 1; break; /* with -c: the codec's options */
        case OPT_SAMPLE_RATE:
            if (cli_parse_int(optarg, 1, 768000, &a->sample_rate) < 0)
                return cli_usage_error("--sample-rate %s: expected a rate in Hz", optarg);
            break;
        case OPT_CHANNELS:
            if (cli_parse_int(optarg, 1, NC_MAX_CHANNELS, &a->channels) < 0)
                return cli_usage_error("--channels %s: expected 1 to %d", optarg,
                                          NC_MAX_CHANNELS);
            break;
        case OPT_PIX_FMT:
            a->pix_fmt = nc_pix_fmt_from_name(optarg);
            if (a->pix_fmt == NC_PIX_NONE)
                return cli_usage_error("--pix-fmt %s: expected gray, rgb24 or yuv420p", optarg);
            break;
        case OPT_THREADS:
            if (cli_parse_int(optarg, 1, 256, &a->threads) < 0)
                return cli_usage_error("--threads %s: expected 1 to 256", optarg);
            break;
        default:
            if (!cli_standard_option(c, usage)) return cli_bad_option(c, argv);
        }
    }
    if (a->help || a->list || a->models) return 0;
    if (cli_expect_operands(argc, 2, "INPUT and OUTPUT")) return NC_EXIT_FAILURE;
    if (!a->codec) return cli_usage_error("no codec given (-c NAME; nc-enc -L lists them)");
    a->input = argv[optind];
    a->output = argv[optind + 1];
    return 0;
}

static const NCCodec *find_encoder(const char *name)
{
    const NCCodec *codec = nc_codec_find_encoder_by_name(name);
    if (!codec) cli_error("unknown encoder '%s' (nc-enc -L lists them)", name);
    return codec;
}

/* "3000", "3k", "1.5M" -> bit/s as text for the codec's bitrate option. */
static int bitrate_value(const char *text, char *buf, size_t size)
{
    char *end;
    double v = strtod(text, &end);
    if (end == text) return -1;
    if (*end == 'k' || *end == 'K') v *= 1e3, end++;
    else if (*end == 'M') v *= 1e6, end++;
    if (*end || !(v > 0) || v > 1e12) return -1;
    snprintf(buf, size, "%.0f", v);
    return 0;
}

static int apply_options(NCCodecContext *ctx, const EncArgs *a)
{
    const char *name = ctx->codec->name;
    if (a->bitrate) {
        char value[32];
        if (bitrate_value(a->bitrate, value, sizeof(value)) < 0) {
            cli_error("-b %s: expected a bitrate in bit/s such as 6000 or 6k", a->bitrate);
            return NC_EINVAL;
        }
        if (!nc_opt_find(ctx->codec, "bitrate")) {
            cli_error("%s has no bitrate option (nc-enc -c %s --help lists its options)",
                         name, name);
            return NC_ENOOPT;
        }
        cli_clear_reason();
        int ret = nc_opt_set(ctx, "bitrate", value);
        if (ret < 0) return cli_fail(ret, "%s: -b %s", name, a->bitrate);
    }
    char hint[96];
    snprintf(hint, sizeof(hint), "nc-enc -c %s --help", name);
    return codec_apply_options(ctx, a->options, a->nb_options, hint);
}

typedef struct Encoding {
    const EncArgs *args;
    NCCodecContext *ctx;
    NCMediaReader *reader;
    NCMuxer *mux;
    NCFrame *frame;
    NCPacket *pkt;
    int64_t frames, packets, bytes; /* for -v */
    int64_t duration;               /* of the packets written, in the time base */
} Encoding;

/* Receives every packet the encoder has ready and writes it. Returns NC_EAGAIN
 * when the encoder wants input, NC_EOF when it is drained, or an error. */
static int write_packets(Encoding *e)
{
    for (;;) {
        cli_clear_reason();
        int ret = nc_receive_packet(e->ctx, e->pkt);
        if (ret == NC_EAGAIN || ret == NC_EOF || ret == NC_EINTR) return ret;
        if (ret < 0) return cli_fail(ret, "%s: encoding failed", e->args->input);
        e->packets++;
        e->bytes += (int64_t)e->pkt->size;
        e->duration += e->pkt->duration > 0 ? e->pkt->duration : 0;
        ret = nc_muxer_write_packet(e->mux, e->pkt);
        nc_packet_unref(e->pkt);
        if (ret < 0) return cli_fail(ret, "%s", e->args->output);
    }
}

/* Sends frame (NULL: flush), receiving packets whenever the encoder asks. */
static int send_frame(Encoding *e, const NCFrame *frame)
{
    for (int tries = 0;; tries++) {
        cli_clear_reason();
        int ret = nc_send_frame(e->ctx, frame);
        if (ret == 0) return 0;
        if (ret != NC_EAGAIN || tries > 0)
            return cli_fail(ret, "%s: encoding failed", e->args->input);
        ret = write_packets(e);
        if (ret != NC_EAGAIN && ret != NC_EOF) return ret;
    }
}

/* Input frames of the encoder's frame size, or of a size that keeps memory
 * small for codecs that take any. */
static int64_t frame_units(const NCCodecContext *ctx)
{
    if (ctx->frame_size > 0) return ctx->frame_size;
    if (ctx->media_type == NC_MEDIA_AUDIO) return 4096;
    if (ctx->media_type == NC_MEDIA_BYTES) return 1 << 20;
    return 1;
}

/* The encoder's own progress inside one call (a nerv segment being fitted): shown
 * in the bar's label, which redraws at most every 0.2 s. */
typedef struct WorkProgress {
    NCProgress *bar;
    char label[64];
} WorkProgress;

static void show_work(void *opaque, int64_t done, int64_t total)
{
    WorkProgress *w = opaque;
    if (done >= total) {
        w->bar->label = "encoding";
    } else {
        snprintf(w->label, sizeof(w->label), "encoding (fitting %2d%%)", (int)(100 * done / total));
        w->bar->label = w->label;
    }
    progress_update(w->bar, w->bar->done);
}

static int encode_stream(Encoding *e)
{
    int64_t done, total, units = frame_units(e->ctx);
    const char *unit;
    media_reader_progress(e->reader, &done, &total, &unit);
    NCProgress progress;
    progress_start(&progress, "encoding", unit, total);
    WorkProgress work = {.bar = &progress};
    e->ctx->progress_cb = show_work;
    e->ctx->progress_opaque = &work;
    int ret;
    for (;;) {
        if (cli_interrupted()) {
            ret = NC_EIO; /* the output is abandoned by the caller */
            break;
        }
        cli_clear_reason();
        ret = media_reader_read(e->reader, e->frame, units);
        if (ret < 0 && ret != NC_EOF) {
            cli_fail(ret, "%s", e->args->input);
            break;
        }
        int eof = ret == NC_EOF;
        e->frames += !eof;
        ret = send_frame(e, eof ? NULL : e->frame);
        nc_frame_unref(e->frame);
        if (ret < 0) break;
        ret = write_packets(e);
        if (ret == NC_EOF) {
            ret = 0;
            break;
        }
        if (ret != NC_EAGAIN) break;
        if (eof) { /* flushed, yet the encoder still wants input */
            ret = cli_fail(NC_EBUG, "%s: the encoder did not finish", e->args->codec);
            break;
        }
        media_reader_progress(e->reader, &done, &total, &unit);
        progress_update(&progress, done);
    }
    progress_finish(&progress);
    e->ctx->progress_cb = NULL; /* work and the bar end here */
    return ret;
}

static void set_context_format(NCCodecContext *ctx, const NCMediaFormat *f)
{
    switch (f->media_type) {
    case NC_MEDIA_AUDIO:
        ctx->sample_rate = f->sample_rate;
        ctx->channels = f->channels;
        ctx->time_base = (NCRational){1, f->sample_rate};
        break;
    case NC_MEDIA_VIDEO:
    case NC_MEDIA_IMAGE:
        ctx->width = f->width;
        ctx->height = f->height;
        ctx->pix_fmt = f->pix_fmt;
        ctx->time_base = (NCRational){f->frame_rate.den, f->frame_rate.num};
        break;
    default: ctx->time_base = (NCRational){1, 1}; /* pts count bytes */
    }
}

/* Allocates the context with the user's options, opens the input converted to
 * what the codec takes (rate, channels, pixel format) and opens the codec. */
static int open_encoder(const NCCodec *codec, const EncArgs *a, NCCodecContext **ctx,
                        NCMediaReader **reader)
{
    *ctx = nc_codec_alloc_context(codec);
    if (!*ctx) return cli_fail(NC_ENOMEM, "%s", a->codec);
    (*ctx)->interrupt_cb = cli_interrupt_cb; /* a signal stops even one long frame */
    (*ctx)->threads = (int)a->threads; /* 0: the encoder's choice */
    int ret = apply_options(*ctx, a);
    if (ret < 0) return ret;
    NCMediaWants wants = {.media_type = codec->media_type,
                          .sample_rates = codec->sample_rates,
                          .sample_rate = (int)a->sample_rate,
                          .channels = (int)a->channels,
                          .channel_counts = codec->channel_counts,
                          .pix_fmts = codec->pix_fmts,
                          .pix_fmt = a->pix_fmt};
    cli_clear_reason();
    ret = media_reader_open(reader, a->input, &wants);
    if (ret < 0) return cli_fail(ret, "%s", a->input);
    cli_verbose("%s: %s", a->input, media_reader_source(*reader));
    set_context_format(*ctx, media_reader_format(*reader));
    cli_clear_reason();
    ret = nc_codec_open(*ctx);
    if (ret < 0) cli_fail(ret, "%s", a->codec);
    return ret;
}

static int encode(const EncArgs *a)
{
    const NCCodec *codec = find_encoder(a->codec);
    if (!codec) return NC_EXIT_FAILURE;
    const char *media = nc_media_type_name(codec->media_type);
    if ((a->sample_rate || a->channels) && codec->media_type != NC_MEDIA_AUDIO)
        return cli_usage_error("--sample-rate and --channels are for audio; %s codes %s",
                                  a->codec, media);
    if (a->pix_fmt != NC_PIX_NONE && codec->media_type != NC_MEDIA_IMAGE &&
        codec->media_type != NC_MEDIA_VIDEO)
        return cli_usage_error("--pix-fmt is for pictures; %s codes %s", a->codec, media);
    /* A name with a printf pattern is a picture sequence: FFmpeg resolves it. */
    if (!strchr(a->input, '%') && cli_check_input(a->input) < 0) return NC_EXIT_FAILURE;
    if (cli_check_output_not_input(a->input, a->output) < 0) return NC_EXIT_FAILURE;
    cli_clear_reason();
    if (output_check_target(a->output, a->overwrite) < 0)
        return cli_fail(NC_EEXIST, "%s", a->output), NC_EXIT_FAILURE;

    Encoding e = {.args = a, .frame = nc_frame_alloc(), .pkt = nc_packet_alloc()};
    int ret = e.frame && e.pkt ? open_encoder(codec, a, &e.ctx, &e.reader)
                               : cli_fail(NC_ENOMEM, "%s", a->input);
    if (ret >= 0) {
        NCStreamInfo info;
        cli_clear_reason();
        ret = nc_stream_info_from_context(&info, e.ctx);
        /* A streaming codec's packets go down a pipe as they come: no holding
         * them back for the compact profile. */
        unsigned classic = codec->capabilities & NC_CODEC_CAP_STREAMING ? NC_MUX_CLASSIC : 0;
        if (ret >= 0 && output_is_stdio(a->output))
            ret = nc_muxer_open_fd(&e.mux, STDOUT_FILENO, &info, classic);
        else if (ret >= 0)
            ret = nc_muxer_open_file(&e.mux, a->output, &info, a->overwrite ? NC_MUX_OVERWRITE : 0);
        if (ret < 0) cli_fail(ret, "%s", a->output);
    }
    if (ret >= 0) ret = encode_stream(&e);
    if (ret >= 0) {
        cli_clear_reason();
        ret = nc_muxer_close(&e.mux);
        if (ret < 0) cli_fail(ret, "%s", a->output);
    }
    if (ret >= 0) {
        cli_verbose("%s -> %s: %lld frames in, %lld packets, %lld bytes out", a->input,
                       a->output, (long long)e.frames, (long long)e.packets, (long long)e.bytes);
        NCStreamInfo info;
        struct stat st;
        char what[256];
        snprintf(what, sizeof(what), "%s -> %s", a->input, a->output);
        long long size = output_is_stdio(a->output) ? -1
                         : stat(a->output, &st) == 0 ? (long long)st.st_size : -1;
        if (nc_stream_info_from_context(&info, e.ctx) >= 0)
            cli_print_summary(what, &info, e.duration, size);
    }
    nc_muxer_abort(&e.mux);
    media_reader_close(&e.reader);
    nc_codec_free_context(&e.ctx);
    nc_frame_free(&e.frame);
    nc_packet_free(&e.pkt);
    if (cli_interrupted()) return NC_EXIT_INTERRUPTED;
    return ret < 0 ? NC_EXIT_FAILURE : NC_EXIT_OK;
}

int main(int argc, char **argv)
{
    cli_init(argv[0]);
    cli_catch_interrupts();
    EncArgs a;
    if (parse_args(argc, argv, &a) != 0) return NC_EXIT_FAILURE;
    if (a.help) {
        if (!a.codec) {
            usage();
            return NC_EXIT_OK;
        }
        const NCCodec *codec = find_encoder(a.codec);
        if (!codec) return NC_EXIT_FAILURE;
        codec_help_options(stdout, codec);
        return NC_EXIT_OK;
    }
    if (a.list) {
        codec_help_list(stdout, 1);
        return NC_EXIT_OK;
    }
    if (a.models) {
        cli_clear_reason();
        int ret = codec_help_models(stdout);
        return ret < 0 ? (cli_fail(ret, "listing the models"), NC_EXIT_FAILURE) : NC_EXIT_OK;
    }
    return encode(&a);
}
