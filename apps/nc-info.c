/* nc-info: what a .nc file holds: header, packets, duration, bitrate, damage. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "apps/common/cli.h"
#include "apps/common/coded_input.h"
#include "nc/nc.h"

/* Damaged packets listed individually; beyond that they are only counted. */
#define MAX_LISTED_DAMAGE 100

typedef struct Damage {
    int64_t packet;
    int error;
} Damage;

typedef struct PacketStats {
    int64_t count, key, bytes, min_size, max_size;
    int64_t first_pts, end_pts; /* end: the latest pts + duration */
    int64_t duration_sum;
    Damage damage[MAX_LISTED_DAMAGE];
    int64_t damaged;
    int truncated;
    int decoder_open;   /* the stream's decoder opened (with its model) */
    char model_id[64];  /* the model it codes with ("" for none) */
} PacketStats;

static void usage(void)
{
    printf("Usage: nc-info [options] INPUT.nc\n"
           "Prints the header (container version, codec, media parameters, extradata) and\n"
           "the packets (count, sizes, duration, bitrate) of INPUT.nc, and every damaged\n"
           "packet: a bad CRC, and, when the decoder and its model are at hand, a packet\n"
           "too short for what the header declares. INPUT - is standard input.\n\n"
           "  -j, --json      print one JSON object instead of text\n"
           "  -q, --quiet     print errors only\n"
           "  -v, --verbose   say more\n"
           "  -h, --help      this help\n"
           "  -V, --version   print the version\n\n"
           "Exit status: 0 for an intact file, 2 when packets are damaged or the file is\n"
           "truncated (they are listed), 1 when the file cannot be read at all.\n");
}

static void add_damage(PacketStats *s, int64_t packet, int error)
{
    if (s->damaged < MAX_LISTED_DAMAGE) s->damage[s->damaged] = (Damage){packet, error};
    s->damaged++;
}

/* The stream's decoder, opened when this build has it and its model, for the
 * checks it makes on a packet without decoding it (nc_codec_check_packet()): a
 * packet too short for the picture the header declares is damage even though its
 * CRC holds. NULL when it cannot be opened; the CRCs are then all that is checked. */
static NCCodecContext *open_checker(const NCDemuxer *dmx)
{
    const NCStreamInfo *info = nc_demuxer_stream_info(dmx);
    NCCodecContext *ctx = nc_codec_alloc_context(nc_codec_find_decoder_by_name(info->codec_name));
    if (ctx && (nc_stream_info_to_context(info, ctx) < 0 || nc_codec_open(ctx) < 0)) {
        cli_verbose("%s: decoder not available; checking CRCs only", info->codec_name);
        nc_codec_free_context(&ctx);
    }
    return ctx;
}

static int read_packets(NCDemuxer *dmx, PacketStats *s)
{
    NCPacket *pkt = nc_packet_alloc();
    if (!pkt) return NC_ENOMEM;
    memset(s, 0, sizeof(*s));
    s->first_pts = INT64_MAX;
    s->end_pts = INT64_MIN;
    NCCodecContext *checker = open_checker(dmx);
    if (checker) {
        s->decoder_open = 1;
        snprintf(s->model_id, sizeof(s->model_id), "%s", checker->model_id);
    }
    int ret;
    for (;;) {
        ret = nc_demuxer_read_packet(dmx, pkt);
        if (ret == NC_EOF) {
            ret = 0;
            break;
        }
        if (ret == NC_ECRC || ret == NC_EINVALIDDATA || ret == NC_ETRUNCATED) {
            add_damage(s, nc_demuxer_packet_index(dmx), ret);
            if (ret == NC_ETRUNCATED) {
                s->truncated = 1;
                ret = 0;
                break;
            }
            continue;
        }
        if (ret < 0) break;
        int bad = checker ? nc_codec_check_packet(checker, pkt) : 0;
        if (bad < 0) add_damage(s, nc_demuxer_packet_index(dmx), bad);
        s->count++;
        s->key += (pkt->flags & NC_PKT_FLAG_KEY) != 0;
        s->bytes += (int64_t)pkt->size;
        if (s->count == 1 || (int64_t)pkt->size < s->min_size) s->min_size = (int64_t)pkt->size;
        if ((int64_t)pkt->size > s->max_size) s->max_size = (int64_t)pkt->size;
        if (pkt->pts != NC_NOPTS_VALUE) {
            if (pkt->pts < s->first_pts) s->first_pts = pkt->pts;
            int64_t end = pkt->pts + (pkt->duration > 0 ? pkt->duration : 0);
            if (end > s->end_pts) s->end_pts = end;
        }
        if (pkt->duration > 0) s->duration_sum += pkt->duration;
        nc_packet_unref(pkt);
    }
    nc_packet_free(&pkt);
    nc_codec_free_context(&checker);
    return ret;
}

/* The stream's length in time base units: from the pts span, else durations. */
static int64_t stream_duration(const PacketStats *s)
{
    if (s->end_pts > s->first_pts && s->first_pts != INT64_MAX) return s->end_pts - s->first_pts;
    return s->duration_sum;
}

typedef struct Figures {
    int64_t duration;     /* time base units */
    double seconds;       /* 0 if unknown */
    double bitrate;       /* bit/s, 0 if unknown */
    double bits_per_unit; /* per pixel (pictures) or per byte (bytes), 0 if unknown */
} Figures;

/* nc-enc writes pts that count pictures (time base = frame period) or bytes. */
static Figures compute_figures(const NCStreamInfo *info, const PacketStats *s)
{
    Figures f = {0};
    f.duration = stream_duration(s);
    double bits = 8.0 * (double)s->bytes;
    if (info->media_type != NC_MEDIA_BYTES && f.duration > 0)
        f.seconds = (double)f.duration * info->time_base.num / info->time_base.den;
    if (f.seconds > 0) f.bitrate = bits / f.seconds;
    if ((info->media_type == NC_MEDIA_IMAGE || info->media_type == NC_MEDIA_VIDEO) &&
        f.duration > 0)
        f.bits_per_unit = bits / ((double)info->width * info->height * (double)f.duration);
    if (info->media_type == NC_MEDIA_BYTES && f.duration > 0)
        f.bits_per_unit = bits / (double)f.duration;
    return f;
}

static void json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

/* Bytes of the input: the file's, or those read from standard input. */
static long long input_size = -1;

static long long file_size(const char *path)
{
    struct stat st;
    if (input_size >= 0) return input_size;
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

static void print_json(const char *path, const NCDemuxer *dmx, const PacketStats *s)
{
    const NCStreamInfo *info = nc_demuxer_stream_info(dmx);
    const NCCodec *dec = nc_codec_find_decoder_by_name(info->codec_name);
    Figures f = compute_figures(info, s);
    printf("{\"file\": ");
    json_string(path);
    printf(", \"file_size\": %lld, \"container_version\": \"%d.%d\", "
           "\"container_profile\": \"%s\", \"codec\": ",
           file_size(path), info->version_major, info->version_minor,
           info->compact ? "compact" : "classic");
    json_string(info->codec_name);
    printf(", \"decoder_available\": %s, \"media_type\": \"%s\"", dec ? "true" : "false",
           nc_media_type_name(info->media_type));
    if (info->media_type == NC_MEDIA_AUDIO)
        printf(", \"sample_rate\": %d, \"channels\": %d", info->sample_rate, info->channels);
    if (info->media_type == NC_MEDIA_IMAGE || info->media_type == NC_MEDIA_VIDEO) {
        const char *pix = nc_pix_fmt_name(info->pix_fmt);
        printf(", \"width\": %d, \"height\": %d, \"pix_fmt\": \"%s\"", info->width, info->height,
               pix ? pix : "unknown");
    }
    printf(", \"time_base\": \"%d/%d\", \"extradata_size\": %zu", info->time_base.num,
           info->time_base.den, info->extradata_size);
    printf(", \"model\": ");
    if (s->decoder_open) json_string(s->model_id);
    else printf("null");
    printf(", \"packets\": %lld, \"key_packets\": %lld, \"bytes\": %lld",
           (long long)s->count, (long long)s->key, (long long)s->bytes);
    printf(", \"min_packet_size\": %lld, \"max_packet_size\": %lld, \"duration\": %lld",
           (long long)s->min_size, (long long)s->max_size, (long long)f.duration);
    if (f.seconds > 0) printf(", \"duration_seconds\": %.6f", f.seconds);
    if (f.bitrate > 0) printf(", \"bitrate\": %.3f", f.bitrate);
    if (f.bits_per_unit > 0)
        printf(", \"%s\": %.6f", info->media_type == NC_MEDIA_BYTES ? "bits_per_byte" : "bits_per_pixel",
               f.bits_per_unit);
    int64_t indexed = nc_demuxer_packet_count(dmx);
    if (indexed >= 0)
        printf(", \"index_packets\": %lld", (long long)indexed);
    else
        printf(", \"index_packets\": null");
    printf(", \"truncated\": %s, \"damaged_count\": %lld, \"damaged\": [",
           s->truncated ? "true" : "false", (long long)s->damaged);
    for (int64_t i = 0; i < s->damaged && i < MAX_LISTED_DAMAGE; i++)
        printf("%s{\"packet\": %lld, \"error\": \"%s\"}", i ? ", " : "",
               (long long)s->damage[i].packet, nc_strerror(s->damage[i].error));
    printf("]}\n");
}

static void print_text(const char *path, const NCDemuxer *dmx, const PacketStats *s)
{
    const NCStreamInfo *info = nc_demuxer_stream_info(dmx);
    const NCCodec *dec = nc_codec_find_decoder_by_name(info->codec_name);
    Figures f = compute_figures(info, s);
    printf("file:        %s, %lld bytes\n", path, file_size(path));
    printf("container:   .nc version %d.%d%s\n", info->version_major, info->version_minor,
           info->compact ? ", compact profile" : "");
    printf("codec:       %s%s%s\n", info->codec_name, dec ? " - " : " (no decoder in this build)",
           dec && dec->long_name ? dec->long_name : "");
    printf("media:       %s", nc_media_type_name(info->media_type));
    if (info->media_type == NC_MEDIA_AUDIO)
        printf(", %d Hz, %d channel%s", info->sample_rate, info->channels,
               info->channels == 1 ? "" : "s");
    if (info->media_type == NC_MEDIA_IMAGE || info->media_type == NC_MEDIA_VIDEO) {
        const char *pix = nc_pix_fmt_name(info->pix_fmt);
        printf(", %dx%d %s", info->width, info->height, pix ? pix : "unknown");
    }
    printf("\ntime base:   %d/%d\n", info->time_base.num, info->time_base.den);
    printf("extradata:   %zu bytes\n", info->extradata_size);
    if (!s->decoder_open) printf("model:       unknown (the decoder or its model is not at hand)\n");
    else if (s->model_id[0]) printf("model:       %s\n", s->model_id);
    printf("packets:     %lld (%lld key), %lld bytes", (long long)s->count, (long long)s->key,
           (long long)s->bytes);
    if (s->count > 0)
        printf(", sizes %lld to %lld, mean %.1f", (long long)s->min_size, (long long)s->max_size,
               (double)s->bytes / (double)s->count);
    int64_t indexed = nc_demuxer_packet_count(dmx);
    if (indexed >= 0) printf("; the index lists %lld", (long long)indexed);
    printf("\nduration:    %lld", (long long)f.duration);
    if (info->media_type == NC_MEDIA_BYTES) printf(" bytes of input");
    if (f.seconds > 0) printf(" (%.3f s)", f.seconds);
    printf("\n");
    if (f.bitrate > 0) printf("bitrate:     %.3f kbit/s\n", f.bitrate / 1000.0);
    if (f.bits_per_unit > 0)
        printf("%s %.4f\n", info->media_type == NC_MEDIA_BYTES ? "bits/byte:  " : "bits/pixel: ",
               f.bits_per_unit);
    if (!s->damaged) {
        printf("damaged:     none\n");
        return;
    }
    printf("damaged:     %lld packet%s%s\n", (long long)s->damaged, s->damaged == 1 ? "" : "s",
           s->truncated ? " (the file is truncated)" : "");
    for (int64_t i = 0; i < s->damaged && i < MAX_LISTED_DAMAGE; i++)
        printf("  packet %lld: %s\n", (long long)s->damage[i].packet,
               nc_strerror(s->damage[i].error));
    if (s->damaged > MAX_LISTED_DAMAGE)
        printf("  ... and %lld more\n", (long long)(s->damaged - MAX_LISTED_DAMAGE));
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'}, {"quiet", no_argument, NULL, 'q'},
        {"verbose", no_argument, NULL, 'v'}, {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'}, {NULL, 0, NULL, 0}};
    cli_init(argv[0]);
    int json = 0, c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":jqvhV", longopts, NULL)) != -1) {
        switch (c) {
        case 'j': json = 1; break;
        default:
            if (!cli_standard_option(c, usage)) return cli_bad_option(c, argv);
        }
    }
    if (cli_expect_operands(argc, 1, "INPUT.nc")) return NC_EXIT_FAILURE;
    const char *path = argv[optind];
    if (cli_check_input(path) < 0) return NC_EXIT_FAILURE;

    NCDemuxer *dmx = NULL;
    uint8_t *piped;
    size_t piped_size;
    cli_clear_reason();
    int ret = coded_input_open(&dmx, path, &piped, &piped_size);
    if (ret < 0) {
        cli_fail(ret, "%s", path);
        free(piped);
        return NC_EXIT_FAILURE;
    }
    if (piped) input_size = (long long)piped_size;
    PacketStats *stats = malloc(sizeof(*stats));
    /* The demuxer logs each damaged packet; here they are listed instead. */
    int level = nc_log_get_level();
    if (!cli_is_verbose()) nc_log_set_level(NC_LOG_QUIET);
    ret = stats ? read_packets(dmx, stats) : NC_ENOMEM;
    nc_log_set_level(level);
    if (ret < 0) {
        cli_fail(ret, "%s", path);
    } else if (json) {
        print_json(path, dmx, stats);
    } else {
        print_text(path, dmx, stats);
    }
    int status = ret < 0 ? NC_EXIT_FAILURE : stats->damaged ? NC_EXIT_DAMAGED : NC_EXIT_OK;
    free(stats);
    nc_demuxer_close(&dmx);
    free(piped);
    return status;
}
