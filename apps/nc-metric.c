/* nc-metric: compares a decoded file with its reference and prints quality (and,
 * given the compressed file, rate) figures. Metrics come from libnc/metric; this
 * file reads the media, lines the two up and prints. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libavutil/frame.h>
#include <libswscale/swscale.h>

#include "apps/common/cli.h"
#include "apps/common/media_io.h"
#include "apps/common/picture_convert.h"
#include "libnc/metric/align.h"
#include "libnc/metric/lossless.h"
#include "libnc/metric/picture.h"
#include "libnc/metric/snr.h"
#include "libnc/metric/spectral.h"
#include "libnc/metric/stoi.h"
#include "nc/nc.h"

/* Audio is held whole in memory: at most this many samples per channel (about
 * 6 hours at 48 kHz). */
#define MAX_AUDIO_SAMPLES (1LL << 30)
#define AUDIO_CHUNK 65536

typedef struct MetricArgs {
    const char *ref, *decoded, *bitstream;
    enum NCMediaType type;
    int json, per_frame;
    int max_delay_ms; /* audio: lags searched for alignment; 0 = none */
} MetricArgs;

static void usage(void)
{
    printf("Usage: nc-metric [options] REF DECODED\n"
           "Compares DECODED with the reference REF and prints quality figures. DECODED\n"
           "may be the .nc file itself: it is decoded here (in REF's rate, channels and\n"
           "pixel format, or refused) and gives the rate as -b would.\n"
           "  audio     SNR, SI-SDR (dB), log-spectral distance, multi-resolution mel\n"
           "            distance, mel-cepstral distortion (dB), STOI, ESTOI. DECODED is\n"
           "            resampled and mixed to REF's rate and channels, shifted by the\n"
           "            codec's delay (found within --max-delay), and the longer of the\n"
           "            two is cut to the shorter. Multi-channel: mean over channels.\n"
           "  pictures  PSNR of luma (BT.601) and of RGB (YUV converted as ffmpeg's\n"
           "            -pix_fmt rgb24 does: BT.601, limited range); SSIM and\n"
           "            MS-SSIM on luma. Video: per frame, and the mean (PSNR: of the\n"
           "            mean squared error). DECODED is converted to REF's pixel format.\n"
           "  bytes     exact match and the first differing offset.\n"
           "Pictures and bytes also say whether DECODED is an exact copy.\n\n"
           "  -b, --bitstream FILE  the compressed file: adds its rate (kbit/s for audio\n"
           "                        and video, bits per pixel, bits per dimension: per\n"
           "                        sample, colour component or character)\n"
           "  -t, --type TYPE       audio, image, video or bytes (default: from REF's\n"
           "                        extension; unknown extensions are bytes)\n"
           "  -d, --max-delay MS    audio: largest delay of DECODED searched for (either\n"
           "                        way), default 200; 0 compares sample to sample\n"
           "  -j, --json            one JSON object on stdout (non-finite values: null)\n"
           "  -f, --per-frame       video: a line (JSON: an array) per frame\n"
           "  -q, --quiet           print errors only\n"
           "  -v, --verbose         say more\n"
           "  -h, --help            this help\n"
           "  -V, --version         print the version\n\n"
           "Exit status: 0 on success, 1 on failure.\n");
}

static enum NCMediaType type_from_name(const char *s)
{
    static const char *names[] = {"audio", "video", "image", "bytes"};
    static const enum NCMediaType types[] = {NC_MEDIA_AUDIO, NC_MEDIA_VIDEO, NC_MEDIA_IMAGE,
                                             NC_MEDIA_BYTES};
    for (int i = 0; i < 4; i++)
        if (!strcmp(s, names[i]))
            return types[i];
    return NC_MEDIA_UNKNOWN;
}

static enum NCMediaType type_from_extension(const char *path)
{
    static const char *audio[] = {"wav", "flac", "ogg", "oga", "opus", "mp3", "m4a", "aac",
                                  "aif", "aiff", "au", "caf", "w64", "wv", "c2", NULL};
    static const char *image[] = {"png", "jpg", "jpeg", "pgm", "ppm", "pnm", "pam", "bmp",
                                  "webp", "tif", "tiff", "gif", "jxl", "tga", NULL};
    static const char *video[] = {"y4m", "mkv", "mp4", "avi", "mov", "webm", "nut", "ivf",
                                  "265", "264", "hevc", "h264", NULL};
    static const char **lists[] = {audio, image, video};
    static const enum NCMediaType types[] = {NC_MEDIA_AUDIO, NC_MEDIA_IMAGE, NC_MEDIA_VIDEO};
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash))
        return NC_MEDIA_BYTES;
    for (int l = 0; l < 3; l++)
        for (const char **e = lists[l]; *e; e++)
            if (!strcasecmp(dot + 1, *e))
                return types[l];
    return NC_MEDIA_BYTES;
}

/* A .nc file, which is decoded to be compared (and, without -b, gives the rate). */
static int is_coded(const char *path)
{
    size_t n = strlen(path);
    return n > 3 && !strcmp(path + n - 3, ".nc");
}

static int parse_args(int argc, char **argv, MetricArgs *a)
{
    static const struct option longopts[] = {
        {"bitstream", required_argument, NULL, 'b'}, {"type", required_argument, NULL, 't'},
        {"json", no_argument, NULL, 'j'},            {"per-frame", no_argument, NULL, 'f'},
        {"max-delay", required_argument, NULL, 'd'},
        {"quiet", no_argument, NULL, 'q'},           {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},            {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0}};
    int c;
    long ms;
    memset(a, 0, sizeof(*a));
    a->max_delay_ms = 200;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":b:t:d:jfqvhV", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (cli_parse_int(optarg, 0, 10000, &ms))
                return cli_usage_error("-d %s: expected milliseconds, 0 to 10000", optarg);
            a->max_delay_ms = (int)ms;
            break;
        case 'b': a->bitstream = optarg; break;
        case 't':
            a->type = type_from_name(optarg);
            if (a->type == NC_MEDIA_UNKNOWN)
                return cli_usage_error("-t %s: expected audio, image, video or bytes", optarg);
            break;
        case 'j': a->json = 1; break;
        case 'f': a->per_frame = 1; break;
        case 'q': cli_set_quiet(); break;
        case 'v': cli_set_verbose(); break;
        case 'h': usage(); exit(NC_EXIT_OK);
        case 'V': cli_print_version(); exit(NC_EXIT_OK);
        default: return cli_bad_option(c, argv);
        }
    }
    if (argc - optind != 2)
        return cli_usage_error(argc - optind < 2 ? "expected REF and DECODED"
                                                    : "too many arguments");
    a->ref = argv[optind];
    a->decoded = argv[optind + 1];
    if (is_coded(a->decoded) && !a->bitstream)
        a->bitstream = a->decoded; /* a .nc DECODED is decoded here, and its rate known */
    if (a->type == NC_MEDIA_UNKNOWN)
        a->type = type_from_extension(a->ref);
    return 0;
}

/* ---- output: the same fields as "key: value" lines or as one JSON object ---- */

typedef struct Out {
    FILE *f; /* a memory stream: nothing reaches stdout unless every step succeeded */
    int json;
    int depth;
    int need_comma[8];
    const char *prefix; /* text mode: the group name before each key */
} Out;

static void out_key(Out *o, const char *key)
{
    if (o->json) {
        fprintf(o->f, "%s", o->need_comma[o->depth] ? ", " : "");
        if (key)
            fprintf(o->f, "\"%s\": ", key);
        o->need_comma[o->depth] = 1;
    } else {
        fprintf(o->f, "%s%s%s: ", o->prefix ? o->prefix : "", o->prefix ? "." : "", key);
    }
}

static void out_open(Out *o, const char *key, char bracket)
{
    if (o->json) {
        out_key(o, key);
        fprintf(o->f, "%c", bracket);
        o->depth++;
        o->need_comma[o->depth] = 0;
    } else {
        o->prefix = key;
    }
}

static void out_close(Out *o, char bracket)
{
    if (o->json) {
        fprintf(o->f, "%c", bracket);
        o->depth--;
    } else {
        o->prefix = NULL;
    }
}

static void out_num(Out *o, const char *key, double v)
{
    out_key(o, key);
    if (isfinite(v))
        fprintf(o->f, "%.6g", v);
    else if (o->json)
        fprintf(o->f, "null");
    else
        fprintf(o->f, "%s", isnan(v) ? "n/a" : v > 0 ? "inf" : "-inf");
    if (!o->json)
        fprintf(o->f, "\n");
}

static void out_int(Out *o, const char *key, long long v)
{
    out_key(o, key);
    fprintf(o->f, o->json ? "%lld" : "%lld\n", v);
}

static void out_bool(Out *o, const char *key, int v)
{
    out_key(o, key);
    fprintf(o->f, o->json ? "%s" : "%s\n", v ? "true" : "false");
}

/* Strings here are file names and fixed words; JSON needs ", \ and controls escaped. */
static void out_str(Out *o, const char *key, const char *s)
{
    out_key(o, key);
    if (!o->json) {
        fprintf(o->f, "%s\n", s);
        return;
    }
    fputc('"', o->f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(o->f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(o->f, "\\u%04x", *p);
        else
            fputc(*p, o->f);
    }
    fputc('"', o->f);
}

static void out_rate(Out *o, const MetricArgs *a, double seconds, double pixels,
                     double dimensions)
{
    struct stat st;
    if (!a->bitstream)
        return;
    if (stat(a->bitstream, &st) != 0) {
        cli_warn("%s: cannot read its size; no rate", a->bitstream);
        return;
    }
    out_open(o, "rate", '{');
    out_int(o, "bytes", (long long)st.st_size);
    if (seconds > 0)
        out_num(o, "kbps", 8.0 * (double)st.st_size / seconds / 1000.0);
    if (pixels > 0)
        out_num(o, "bits_per_pixel", 8.0 * (double)st.st_size / pixels);
    if (dimensions > 0)
        out_num(o, "bits_per_dim", metric_bits_per_dim((uint64_t)st.st_size,
                                                          (uint64_t)dimensions));
    out_close(o, '}');
}

/* ---- audio ------------------------------------------------------------------ */

typedef struct Audio {
    float *ch[NC_MAX_CHANNELS];
    int64_t n;
    int channels, sample_rate;
} Audio;

static void audio_free(Audio *au)
{
    for (int c = 0; c < NC_MAX_CHANNELS; c++)
        free(au->ch[c]);
    memset(au, 0, sizeof(*au));
}

/* Reads a whole file; with rate/channels > 0 it is converted to them. */
static int read_audio(const char *path, int rate, int channels, Audio *au)
{
    NCMediaWants wants = {.media_type = NC_MEDIA_AUDIO, .sample_rate = rate,
                          .channels = channels, .decode = rate > 0};
    NCMediaReader *reader = NULL;
    NCFrame *frame = nc_frame_alloc();
    int64_t cap = 0;
    int ret;
    memset(au, 0, sizeof(*au));
    if (!frame)
        return NC_ENOMEM;
    cli_clear_reason();
    ret = media_reader_open(&reader, path, &wants);
    if (ret < 0) {
        nc_frame_free(&frame);
        return cli_fail(ret, "%s", path);
    }
    au->sample_rate = media_reader_format(reader)->sample_rate;
    au->channels = media_reader_format(reader)->channels;
    while ((ret = media_reader_read(reader, frame, AUDIO_CHUNK)) == 0) {
        if (au->n + frame->nb_samples > MAX_AUDIO_SAMPLES) {
            cli_error("%s: longer than %lld samples", path, MAX_AUDIO_SAMPLES);
            ret = NC_ERANGE;
            break;
        }
        if (au->n + frame->nb_samples > cap) {
            cap = (au->n + frame->nb_samples) * 2;
            for (int c = 0; c < au->channels; c++) {
                float *p = realloc(au->ch[c], (size_t)cap * sizeof(float));
                if (!p) {
                    ret = NC_ENOMEM;
                    break;
                }
                au->ch[c] = p;
            }
            if (ret)
                break;
        }
        for (int c = 0; c < au->channels; c++)
            memcpy(au->ch[c] + au->n, frame->data[c], (size_t)frame->nb_samples * sizeof(float));
        au->n += frame->nb_samples;
        nc_frame_unref(frame);
    }
    nc_frame_free(&frame);
    media_reader_close(&reader);
    if (ret == NC_EOF)
        ret = 0;
    if (ret < 0) {
        audio_free(au);
        return ret == NC_ERANGE ? ret : cli_fail(ret, "%s", path);
    }
    if (au->n == 0) {
        cli_error("%s: no audio samples", path);
        return NC_EINVALIDDATA;
    }
    return 0;
}

enum { A_SNR, A_SI_SDR, A_LSD, A_MEL, A_MCD, A_STOI, A_ESTOI, A_COUNT };

static void audio_metrics(const float *r, const float *d, size_t n, int rate, double *v)
{
    v[A_SNR] = metric_snr(r, d, n);
    v[A_SI_SDR] = metric_si_sdr(r, d, n);
    if (metric_lsd(r, d, n, &v[A_LSD]) < 0)
        v[A_LSD] = NAN;
    if (metric_mel_distance(r, d, n, rate, &v[A_MEL]) < 0)
        v[A_MEL] = NAN;
    if (metric_mcd(r, d, n, rate, &v[A_MCD]) < 0)
        v[A_MCD] = NAN;
    /* Undefined below ~0.4 s of non-silent reference: reported as n/a. */
    if (metric_stoi(r, d, n, rate, 0, &v[A_STOI]) < 0)
        v[A_STOI] = NAN;
    if (metric_stoi(r, d, n, rate, 1, &v[A_ESTOI]) < 0)
        v[A_ESTOI] = NAN;
}

static int run_audio(const MetricArgs *a, Out *o)
{
    static const char *keys[A_COUNT] = {"snr_db", "si_sdr_db", "lsd", "mel_distance",
                                        "mcd_db", "stoi", "estoi"};
    Audio ref, dec;
    double sum[A_COUNT] = {0};
    int ret = read_audio(a->ref, 0, 0, &ref);
    if (ret < 0)
        return ret;
    ret = read_audio(a->decoded, ref.sample_rate, ref.channels, &dec);
    if (ret < 0) {
        audio_free(&ref);
        return ret;
    }
    /* deg[t + lag] lines up with ref[t]: skip the first |lag| samples of one. */
    int lag = 0;
    if (a->max_delay_ms > 0) {
        int max_lag = (int)((int64_t)a->max_delay_ms * ref.sample_rate / 1000);
        ret = metric_find_delay(ref.ch[0], (size_t)ref.n, dec.ch[0], (size_t)dec.n,
                                   ref.sample_rate, max_lag, &lag);
        if (ret < 0) {
            audio_free(&ref);
            audio_free(&dec);
            return cli_fail(ret, "aligning %s with %s", a->decoded, a->ref);
        }
    }
    int64_t skip_r = lag < 0 ? -lag : 0, skip_d = lag > 0 ? lag : 0;
    int64_t n = ref.n - skip_r < dec.n - skip_d ? ref.n - skip_r : dec.n - skip_d;
    if (n < 1) {
        cli_error("%s and %s do not overlap", a->ref, a->decoded);
        audio_free(&ref);
        audio_free(&dec);
        return NC_EINVAL;
    }
    if (ref.n != dec.n || lag)
        cli_verbose("%lld and %lld samples, delay %d: comparing %lld", (long long)ref.n,
                       (long long)dec.n, lag, (long long)n);
    for (int c = 0; c < ref.channels; c++) {
        double v[A_COUNT];
        audio_metrics(ref.ch[c] + skip_r, dec.ch[c] + skip_d, (size_t)n, ref.sample_rate, v);
        for (int k = 0; k < A_COUNT; k++)
            sum[k] += v[k];
    }
    out_str(o, "type", "audio");
    out_int(o, "sample_rate", ref.sample_rate);
    out_int(o, "channels", ref.channels);
    out_int(o, "samples_ref", ref.n);
    out_int(o, "samples_decoded", dec.n);
    out_int(o, "samples_compared", n);
    out_int(o, "delay_samples", lag);
    out_open(o, "metrics", '{');
    for (int k = 0; k < A_COUNT; k++)
        out_num(o, keys[k], sum[k] / ref.channels);
    out_close(o, '}');
    out_rate(o, a, (double)ref.n / ref.sample_rate, 0, (double)ref.n * ref.channels);
    audio_free(&ref);
    audio_free(&dec);
    return 0;
}

/* ---- pictures --------------------------------------------------------------- */

typedef struct PictureScores {
    double mse_y, mse_rgb, ssim_y, ms_ssim_y;
    int exact;
} PictureScores;

/* Luma (or the gray plane) of a picture as a float plane. */
static int luma_plane(const NCFrame *f, float **out)
{
    if (f->pix_fmt == NC_PIX_RGB24)
        return metric_plane_luma_from_rgb(out, f->data[0], f->linesize[0], f->width,
                                             f->height);
    return metric_plane_from_u8(out, f->data[0], f->linesize[0], f->width, f->height, 1, 0);
}

static int planes_equal(const NCFrame *a, const NCFrame *b)
{
    for (int p = 0; p < nc_pix_fmt_planes(a->pix_fmt); p++) {
        int w = nc_pix_fmt_plane_width(a->pix_fmt, p, a->width);
        int h = nc_pix_fmt_plane_height(a->pix_fmt, p, a->height);
        for (int y = 0; y < h; y++)
            if (memcmp(a->data[p] + (ptrdiff_t)y * a->linesize[p],
                       b->data[p] + (ptrdiff_t)y * b->linesize[p], (size_t)w))
                return 0;
    }
    return 1;
}

/* Mean squared error over the three components of two packed RGB24 pictures. */
static int rgb_mse(const uint8_t *a, int a_stride, const uint8_t *b, int b_stride, int width,
                   int height, double *out)
{
    float *pa = NULL, *pb = NULL;
    double acc = 0.0;
    int ret = 0;
    for (int c = 0; c < 3 && !ret; c++) {
        free(pa);
        free(pb);
        pa = pb = NULL;
        ret = metric_plane_from_u8(&pa, a, a_stride, width, height, 3, c);
        if (!ret)
            ret = metric_plane_from_u8(&pb, b, b_stride, width, height, 3, c);
        if (!ret) {
            NCMetricPlane ca = {pa, width, height, width};
            NCMetricPlane cb = {pb, width, height, width};
            acc += metric_mse(&ca, &cb) / 3.0;
        }
    }
    free(pa);
    free(pb);
    *out = acc;
    return ret;
}

/* PSNR-RGB of YUV pictures: both converted to RGB24 as `ffmpeg -pix_fmt rgb24`
 * does (libswscale: BT.601, limited range, bicubic chroma), the way RGB figures
 * of video codecs are usually taken. *sws is the caller's cached scaler. */
static int yuv_rgb_mse(const NCFrame *r, const NCFrame *d, struct SwsContext **sws,
                       double *out)
{
    AVFrame *ar = av_frame_alloc(), *ad = av_frame_alloc();
    int ret = ar && ad ? 0 : NC_ENOMEM;
    if (!ret)
        ret = picture_to_avframe(ar, r, AV_PIX_FMT_RGB24, AVCOL_RANGE_JPEG, sws);
    if (!ret)
        ret = picture_to_avframe(ad, d, AV_PIX_FMT_RGB24, AVCOL_RANGE_JPEG, sws);
    if (!ret)
        ret = rgb_mse(ar->data[0], ar->linesize[0], ad->data[0], ad->linesize[0], r->width,
                      r->height, out);
    av_frame_free(&ar);
    av_frame_free(&ad);
    return ret;
}

static int picture_scores(const NCFrame *r, const NCFrame *d, struct SwsContext **sws,
                          PictureScores *s)
{
    float *lr = NULL, *ld = NULL;
    int ret = luma_plane(r, &lr);
    if (!ret)
        ret = luma_plane(d, &ld);
    if (ret)
        goto end;
    NCMetricPlane pr = {lr, r->width, r->height, r->width};
    NCMetricPlane pd = {ld, d->width, d->height, d->width};
    s->mse_y = metric_mse(&pr, &pd);
    if (metric_ssim(&pr, &pd, &s->ssim_y) < 0)
        s->ssim_y = NAN;
    if (metric_ms_ssim(&pr, &pd, &s->ms_ssim_y) < 0)
        s->ms_ssim_y = NAN; /* smaller than 176 pixels */
    s->mse_rgb = NAN;
    if (r->pix_fmt == NC_PIX_RGB24)
        ret = rgb_mse(r->data[0], r->linesize[0], d->data[0], d->linesize[0], r->width,
                      r->height, &s->mse_rgb);
    else if (r->pix_fmt == NC_PIX_YUV420P)
        ret = yuv_rgb_mse(r, d, sws, &s->mse_rgb);
    s->exact = planes_equal(r, d);
end:
    free(lr);
    free(ld);
    return ret;
}

static void out_picture_scores(Out *o, const PictureScores *s, double mse_y, double mse_rgb)
{
    out_num(o, "psnr_y", metric_psnr_from_mse(mse_y));
    if (!isnan(mse_rgb))
        out_num(o, "psnr_rgb", metric_psnr_from_mse(mse_rgb));
    out_num(o, "ssim_y", s->ssim_y);
    out_num(o, "ms_ssim_y", s->ms_ssim_y);
}

static int open_pictures(const MetricArgs *a, NCMediaReader **ref, NCMediaReader **dec)
{
    NCMediaWants wants = {.media_type = a->type};
    int ret;
    cli_clear_reason();
    ret = media_reader_open(ref, a->ref, &wants);
    if (ret < 0)
        return cli_fail(ret, "%s", a->ref);
    wants.pix_fmt = media_reader_format(*ref)->pix_fmt;
    wants.decode = 1;
    cli_clear_reason();
    ret = media_reader_open(dec, a->decoded, &wants);
    if (ret < 0)
        return cli_fail(ret, "%s", a->decoded);
    const NCMediaFormat *fr = media_reader_format(*ref), *fd = media_reader_format(*dec);
    if (fr->width != fd->width || fr->height != fd->height) {
        cli_error("%s is %dx%d but %s is %dx%d", a->ref, fr->width, fr->height, a->decoded,
                     fd->width, fd->height);
        return NC_EINVAL;
    }
    return 0;
}

static int run_pictures(const MetricArgs *a, Out *o)
{
    NCMediaReader *ref = NULL, *dec = NULL;
    NCFrame *fr = nc_frame_alloc(), *fd = nc_frame_alloc();
    struct SwsContext *sws = NULL;
    PictureScores sum = {0}, s;
    int64_t frames = 0, extra = 0;
    int exact = 1, ret;
    if (!fr || !fd) {
        ret = NC_ENOMEM;
        goto end;
    }
    ret = open_pictures(a, &ref, &dec);
    if (ret < 0)
        goto end;
    const NCMediaFormat *f = media_reader_format(ref);
    out_str(o, "type", nc_media_type_name(a->type));
    out_int(o, "width", f->width);
    out_int(o, "height", f->height);
    out_str(o, "pix_fmt", nc_pix_fmt_name(f->pix_fmt));
    if (a->per_frame)
        out_open(o, "per_frame", '[');
    for (;;) {
        int rr = media_reader_read(ref, fr, 1), rd = media_reader_read(dec, fd, 1);
        if (rr == NC_EOF || rd == NC_EOF) {
            /* Count what the longer one has left: a missing frame is not exact. */
            NCFrame *left = rr == NC_EOF ? fd : fr;
            NCMediaReader *more = rr == NC_EOF ? dec : ref;
            int rl = rr == NC_EOF ? rd : rr;
            while (rl == 0) {
                extra++;
                nc_frame_unref(left);
                rl = media_reader_read(more, left, 1);
            }
            ret = rl == NC_EOF ? 0 : rl;
            break;
        }
        if (rr < 0 || rd < 0) {
            ret = rr < 0 ? rr : rd;
            break;
        }
        ret = picture_scores(fr, fd, &sws, &s);
        nc_frame_unref(fr);
        nc_frame_unref(fd);
        if (ret < 0)
            break;
        sum.mse_y += s.mse_y;
        sum.mse_rgb += s.mse_rgb;
        sum.ssim_y += s.ssim_y;
        sum.ms_ssim_y += s.ms_ssim_y;
        exact &= s.exact;
        if (a->per_frame) {
            if (o->json)
                out_open(o, NULL, '{');
            else
                fprintf(o->f, "frame %lld: ", (long long)frames);
            if (o->json) {
                out_picture_scores(o, &s, s.mse_y, s.mse_rgb);
                out_close(o, '}');
            } else {
                fprintf(o->f, "psnr_y %.4f ssim_y %.6f\n", metric_psnr_from_mse(s.mse_y), s.ssim_y);
            }
        }
        frames++;
    }
    if (a->per_frame)
        out_close(o, ']');
    if (ret < 0) {
        cli_fail(ret, "reading pictures");
        goto end;
    }
    if (frames == 0) {
        cli_error("%s: no pictures", a->ref);
        ret = NC_EINVALIDDATA;
        goto end;
    }
    if (extra)
        cli_warn("%lld more pictures in one file than in the other; compared %lld",
                    (long long)extra, (long long)frames);
    out_int(o, "frames", frames);
    out_open(o, "metrics", '{');
    sum.ssim_y /= (double)frames;
    sum.ms_ssim_y /= (double)frames;
    out_picture_scores(o, &sum, sum.mse_y / (double)frames, sum.mse_rgb / (double)frames);
    out_bool(o, "exact_match", exact && !extra);
    out_close(o, '}');
    {
        double pixels = (double)f->width * f->height * (double)frames;
        double per_pixel = f->pix_fmt == NC_PIX_RGB24 ? 3.0 : f->pix_fmt == NC_PIX_YUV420P ? 1.5 : 1.0;
        double seconds = f->frame_rate.num > 0 && a->type == NC_MEDIA_VIDEO
                             ? (double)frames * f->frame_rate.den / f->frame_rate.num
                             : 0.0;
        out_rate(o, a, seconds, pixels, pixels * per_pixel);
    }
end:
    sws_freeContext(sws);
    nc_frame_free(&fr);
    nc_frame_free(&fd);
    media_reader_close(&ref);
    media_reader_close(&dec);
    return ret;
}

/* ---- bytes -------------------------------------------------------------------- */

/* A .nc file's decoded bytes (DECODED given as the compressed file). */
static int decode_bytes(const char *path, uint8_t **data, size_t *size)
{
    NCMediaWants wants = {.media_type = NC_MEDIA_BYTES, .decode = 1};
    NCMediaReader *reader = NULL;
    NCFrame *frame = nc_frame_alloc();
    uint8_t *buf = NULL;
    size_t n = 0;
    cli_clear_reason();
    int ret = frame ? media_reader_open(&reader, path, &wants) : NC_ENOMEM;
    if (ret < 0) {
        nc_frame_free(&frame);
        return cli_fail(ret, "%s", path);
    }
    while ((ret = media_reader_read(reader, frame, 0)) == 0) {
        uint8_t *p = realloc(buf, n + frame->nb_bytes + 1);
        if (!p) {
            ret = NC_ENOMEM;
            break;
        }
        buf = p;
        if (frame->nb_bytes) memcpy(buf + n, frame->data[0], frame->nb_bytes);
        n += frame->nb_bytes;
        nc_frame_unref(frame);
    }
    media_reader_close(&reader);
    nc_frame_free(&frame);
    if (ret != NC_EOF) {
        free(buf);
        return cli_fail(ret, "%s", path);
    }
    *data = buf;
    *size = n;
    return 0;
}

static int read_bytes(const char *path, uint8_t **data, size_t *size)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t cap = 0, n = 0;
    *data = NULL;
    if (!f) {
        cli_error("%s: cannot open", path);
        return NC_EIO;
    }
    for (;;) {
        if (n == cap) {
            uint8_t *p;
            cap = cap ? cap * 2 : 1 << 16;
            p = realloc(buf, cap);
            if (!p) {
                free(buf);
                fclose(f);
                return NC_ENOMEM;
            }
            buf = p;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        cli_error("%s: read error", path);
        return NC_EIO;
    }
    *data = buf;
    *size = n;
    return 0;
}

static int run_bytes(const MetricArgs *a, Out *o)
{
    uint8_t *r = NULL, *d = NULL;
    size_t nr = 0, nd = 0, diff;
    int ret = read_bytes(a->ref, &r, &nr);
    if (!ret)
        ret = is_coded(a->decoded) ? decode_bytes(a->decoded, &d, &nd)
                                   : read_bytes(a->decoded, &d, &nd);
    if (!ret) {
        int same = metric_exact_match(r, nr, d, nd, &diff);
        out_str(o, "type", "bytes");
        out_int(o, "size_ref", (long long)nr);
        out_int(o, "size_decoded", (long long)nd);
        out_open(o, "metrics", '{');
        out_bool(o, "exact_match", same);
        if (!same)
            out_int(o, "first_difference", (long long)diff);
        out_close(o, '}');
        out_rate(o, a, 0, 0, (double)nr);
    }
    free(r);
    free(d);
    return ret;
}

int main(int argc, char **argv)
{
    MetricArgs a;
    Out o = {0};
    int ret;
    cli_init("nc-metric");
    if (parse_args(argc, argv, &a))
        return NC_EXIT_FAILURE;
    char *text = NULL;
    size_t text_size = 0;
    o.f = open_memstream(&text, &text_size);
    if (!o.f) {
        cli_error("out of memory");
        return NC_EXIT_FAILURE;
    }
    o.json = a.json;
    if (o.json) {
        fprintf(o.f, "{");
        out_str(&o, "ref", a.ref);
        out_str(&o, "decoded", a.decoded);
    }
    switch (a.type) {
    case NC_MEDIA_AUDIO: ret = run_audio(&a, &o); break;
    case NC_MEDIA_IMAGE:
    case NC_MEDIA_VIDEO: ret = run_pictures(&a, &o); break;
    default: ret = run_bytes(&a, &o); break;
    }
    if (o.json)
        fprintf(o.f, "}\n");
    fclose(o.f);
    if (ret >= 0)
        fwrite(text, 1, text_size, stdout);
    free(text);
    return ret < 0 ? NC_EXIT_FAILURE : NC_EXIT_OK;
}
