/* Test helper for the app tests: makes small media (a sine WAV with libsndfile,
 * a PNG with FFmpeg's encoder, text, a .nc file with or without damage) and
 * copies / compares media through apps/common/media_io so that its conversions
 * are checked without any codec.
 *
 *   media_tool sine OUT.wav RATE CHANNELS SAMPLES
 *   media_tool sine-mka OUT.mka RATE CHANNELS SAMPLES  (PCM in Matroska, which
 *                                      libsndfile cannot read: FFmpeg's path)
 *   media_tool png OUT.png WIDTH HEIGHT gray|rgb24|rgba [SEED]
 *   media_tool video OUT.(y4m|mkv|...) WIDTH HEIGHT FRAMES
 *   media_tool text OUT BYTES
 *   media_tool container OUT.nc PACKETS intact|crc|truncate
 *   media_tool remux OUT.nc IN.nc... [width=W] [height=H] [repeat=N] [cut=A[-B]]
 *                                     [zeros=N] [hex=HEX]
 *                                     (damage with intact CRCs: see remux())
 *   media_tool copy MEDIA IN OUT [rate=N] [channels=N] [pix_fmt=F] [frame=N] [s24|f32]
 *   media_tool compare MEDIA A B MAX_DIFF    (exit 1 if they differ by more)
 *   media_tool describe MEDIA IN             (one line: the format as read)
 * MEDIA is audio, image, video or bytes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/imgutils.h>
#include <sndfile.h>

#include "apps/common/media_io.h"
#include "nc/nc.h"

static int fail(const char *what)
{
    fprintf(stderr, "media_tool: %s\n", what);
    return 1;
}

static enum NCMediaType media_from_name(const char *s)
{
    if (!strcmp(s, "audio")) return NC_MEDIA_AUDIO;
    if (!strcmp(s, "image")) return NC_MEDIA_IMAGE;
    if (!strcmp(s, "video")) return NC_MEDIA_VIDEO;
    if (!strcmp(s, "bytes")) return NC_MEDIA_BYTES;
    return NC_MEDIA_UNKNOWN;
}

/* 440 Hz, 660 Hz, ... per channel, with both extremes early on: they must
 * survive every copy. */
static short sine_sample(int i, int c, int rate)
{
    if (i == 1) return -32768;
    if (i == 2) return 32767;
    return (short)lrint(32767.0 * 0.9 * sin(2 * M_PI * 440.0 * (1 + 0.5 * c) * i / rate));
}

static int make_sine(const char *path, int rate, int channels, int samples)
{
    SF_INFO info = {.samplerate = rate, .channels = channels,
                    .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16};
    SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
    if (!sf) return fail(sf_strerror(NULL));
    short *buf = malloc(sizeof(short) * (size_t)samples * (size_t)channels);
    if (!buf) return fail("out of memory");
    for (int i = 0; i < samples; i++)
        for (int c = 0; c < channels; c++) buf[i * channels + c] = sine_sample(i, c, rate);
    int ok = sf_writef_short(sf, buf, samples) == samples;
    free(buf);
    return sf_close(sf) == 0 && ok ? 0 : fail("cannot write the WAV");
}

/* The same samples as make_sine(), as 16-bit PCM in Matroska through libavformat. */
static int make_sine_mka(const char *path, int rate, int channels, int samples)
{
    AVFormatContext *mux = NULL;
    if (avformat_alloc_output_context2(&mux, NULL, "matroska", path) < 0) return fail("no muxer");
    AVStream *st = avformat_new_stream(mux, NULL);
    AVPacket *pkt = av_packet_alloc();
    if (!st || !pkt) return fail("out of memory");
    st->codecpar->codec_type = AVMEDIA_TYPE_AUDIO;
    st->codecpar->codec_id = AV_CODEC_ID_PCM_S16LE;
    st->codecpar->sample_rate = rate;
    av_channel_layout_default(&st->codecpar->ch_layout, channels);
    st->time_base = (AVRational){1, rate};
    if (avio_open(&mux->pb, path, AVIO_FLAG_WRITE) < 0 || avformat_write_header(mux, NULL) < 0)
        return fail("cannot start the Matroska file");
    short *buf = malloc(sizeof(short) * 1000 * (size_t)channels);
    int ret = buf ? 0 : -1;
    for (int start = 0; start < samples && ret >= 0; start += 1000) {
        int n = samples - start < 1000 ? samples - start : 1000;
        for (int i = 0; i < n; i++)
            for (int c = 0; c < channels; c++)
                buf[i * channels + c] = sine_sample(start + i, c, rate);
        ret = av_new_packet(pkt, n * channels * 2);
        if (ret < 0) break;
        memcpy(pkt->data, buf, (size_t)n * channels * 2);
        pkt->pts = pkt->dts = start;
        pkt->duration = n;
        pkt->stream_index = 0;
        av_packet_rescale_ts(pkt, (AVRational){1, rate}, st->time_base);
        ret = av_write_frame(mux, pkt);
        av_packet_unref(pkt);
    }
    if (ret >= 0) ret = av_write_trailer(mux);
    free(buf);
    avio_closep(&mux->pb);
    avformat_free_context(mux);
    av_packet_free(&pkt);
    return ret < 0 ? fail("cannot write the Matroska file") : 0;
}

static void fill_pattern(uint8_t *data, int linesize, int width, int height, int bpp, int seed)
{
    for (int y = 0; y < height; y++)
        for (int x = 0; x < width * bpp; x++)
            data[y * linesize + x] = (uint8_t)((x * 7 + y * 13 + seed * 31 + (x * y) % 17) & 255);
}

static int make_png(const char *path, int width, int height, const char *fmt_name, int seed)
{
    enum AVPixelFormat fmt = !strcmp(fmt_name, "gray")   ? AV_PIX_FMT_GRAY8
                             : !strcmp(fmt_name, "rgba") ? AV_PIX_FMT_RGBA
                                                         : AV_PIX_FMT_RGB24;
    int bpp = fmt == AV_PIX_FMT_GRAY8 ? 1 : fmt == AV_PIX_FMT_RGBA ? 4 : 3;
    const AVCodec *codec = avcodec_find_encoder(AV_CODEC_ID_PNG);
    AVCodecContext *enc = codec ? avcodec_alloc_context3(codec) : NULL;
    AVFrame *frame = av_frame_alloc();
    AVPacket *pkt = av_packet_alloc();
    if (!enc || !frame || !pkt) return fail("no PNG encoder");
    enc->width = frame->width = width;
    enc->height = frame->height = height;
    enc->pix_fmt = fmt;
    frame->format = fmt;
    enc->time_base = (AVRational){1, 25};
    int ret = avcodec_open2(enc, codec, NULL) < 0 || av_frame_get_buffer(frame, 0) < 0;
    if (!ret) {
        fill_pattern(frame->data[0], frame->linesize[0], width, height, bpp, seed);
        ret = avcodec_send_frame(enc, frame) < 0 || avcodec_receive_packet(enc, pkt) < 0;
    }
    FILE *f = ret ? NULL : fopen(path, "wb");
    if (f) {
        ret = fwrite(pkt->data, 1, (size_t)pkt->size, f) != (size_t)pkt->size;
        ret |= fclose(f) != 0;
    }
    avcodec_free_context(&enc);
    av_frame_free(&frame);
    av_packet_free(&pkt);
    return ret || !f ? fail("cannot make the PNG") : 0;
}

static int make_video(const char *path, int width, int height, int frames)
{
    NCMediaFormat format = {.media_type = NC_MEDIA_VIDEO, .width = width, .height = height,
                            .pix_fmt = NC_PIX_YUV420P, .frame_rate = {25, 1}};
    NCMediaWriter *w = NULL;
    if (media_writer_open(&w, path, &format, NULL) < 0) return fail("cannot open the video");
    NCFrame *frame = nc_frame_alloc();
    int ret = 0;
    for (int i = 0; i < frames && ret >= 0; i++) {
        frame->media_type = NC_MEDIA_VIDEO;
        frame->width = width;
        frame->height = height;
        frame->pix_fmt = NC_PIX_YUV420P;
        ret = nc_frame_get_buffer(frame);
        for (int p = 0; p < 3 && ret >= 0; p++)
            fill_pattern(frame->data[p], frame->linesize[p],
                         nc_pix_fmt_plane_width(NC_PIX_YUV420P, p, width),
                         nc_pix_fmt_plane_height(NC_PIX_YUV420P, p, height), 1, i + p);
        if (ret >= 0) ret = media_writer_write(w, frame);
        nc_frame_unref(frame);
    }
    nc_frame_free(&frame);
    if (ret < 0) {
        media_writer_abort(&w);
        return fail("cannot write the video");
    }
    return media_writer_close(&w) < 0 ? fail("cannot finish the video") : 0;
}

static int make_text(const char *path, long bytes)
{
    static const char *const words[] = {"the", "codec", "packs", "every", "byte", "into",
                                        "fewer", "bits", "and", "back", "again", "\n"};
    FILE *f = fopen(path, "wb");
    if (!f) return fail("cannot write the text");
    unsigned state = 12345;
    for (long n = 0; n < bytes;) {
        state = state * 1103515245u + 12345u;
        const char *w = words[(state >> 16) % 12];
        for (; *w && n < bytes; w++, n++) fputc(*w, f);
        if (n < bytes && w[-1] != '\n') fputc(' ', f), n++;
    }
    return fclose(f) == 0 ? 0 : fail("cannot write the text");
}

/* Finds the first run of len bytes equal to value in data. */
static long find_run(const uint8_t *data, long size, uint8_t value, long len)
{
    for (long i = 0, run = 0; i < size; i++) {
        run = data[i] == value ? run + 1 : 0;
        if (run == len) return i - len + 1;
    }
    return -1;
}

/* A bytes stream of codec "apptest" (no such codec exists): packet k holds 100
 * bytes of value 0x40 + k, so damage can be placed inside a known payload. */
static int make_container(const char *path, int packets, const char *damage)
{
    NCStreamInfo info = {.codec_name = "apptest", .media_type = NC_MEDIA_BYTES,
                         .time_base = {1, 1}};
    static const uint8_t extradata[5] = {1, 2, 3, 4, 5};
    info.extradata = extradata;
    info.extradata_size = sizeof(extradata);
    NCMuxer *mux = NULL;
    /* classic: a record per packet, so damage costs the one packet it hits */
    if (nc_muxer_open_memory(&mux, &info, NC_MUX_CLASSIC) < 0) return fail("cannot open the muxer");
    NCPacket *pkt = nc_packet_alloc();
    for (int k = 0; k < packets; k++) {
        uint8_t payload[100];
        memset(payload, 0x40 + k, sizeof(payload));
        nc_packet_from_data(pkt, payload, sizeof(payload));
        pkt->pts = 100 * k;
        pkt->duration = 100;
        pkt->flags = NC_PKT_FLAG_KEY;
        if (nc_muxer_write_packet(mux, pkt) < 0) return fail("cannot write a packet");
        nc_packet_unref(pkt);
    }
    nc_packet_free(&pkt);
    uint8_t *data;
    size_t size;
    if (nc_muxer_close_memory(&mux, &data, &size) < 0) return fail("cannot finish the container");
    if (!strcmp(damage, "crc")) { /* flip a bit in the middle of packet 2's payload */
        long at = find_run(data, (long)size, 0x42, 100);
        if (at < 0) return fail("packet 2 not found");
        data[at + 50] ^= 1;
    } else if (!strcmp(damage, "truncate")) { /* end inside the last packet's payload */
        long at = find_run(data, (long)size, (uint8_t)(0x40 + packets - 1), 100);
        if (at < 0) return fail("last packet not found");
        size = (size_t)at + 50;
    }
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(data, 1, size, f) == size;
    if (f) ok &= fclose(f) == 0;
    free(data);
    return ok ? 0 : fail("cannot write the container");
}

static int open_reader(NCMediaReader **r, const char *media, const char *path,
                       NCMediaWants *wants)
{
    wants->media_type = media_from_name(media);
    if (media_reader_open(r, path, wants) < 0) {
        fprintf(stderr, "media_tool: cannot read %s\n", path);
        return -1;
    }
    return 0;
}

static int64_t read_unit(enum NCMediaType type)
{
    return type == NC_MEDIA_AUDIO ? 1000 : type == NC_MEDIA_BYTES ? 777 : 1;
}

static int copy(int argc, char **argv)
{
    NCMediaWants wants = {0};
    NCMediaWriterOptions options = {0};
    int64_t unit = 0;
    for (int i = 3; i < argc; i++) {
        if (!strncmp(argv[i], "rate=", 5)) wants.sample_rate = atoi(argv[i] + 5);
        else if (!strncmp(argv[i], "channels=", 9)) wants.channels = atoi(argv[i] + 9);
        else if (!strncmp(argv[i], "pix_fmt=", 8)) wants.pix_fmt = nc_pix_fmt_from_name(argv[i] + 8);
        else if (!strncmp(argv[i], "frame=", 6)) unit = atoll(argv[i] + 6);
        else if (!strcmp(argv[i], "s24")) options.sample_format = NC_SAMPLE_S24;
        else if (!strcmp(argv[i], "f32")) options.sample_format = NC_SAMPLE_F32;
        else if (!strcmp(argv[i], "-y")) options.overwrite = 1;
    }
    NCMediaReader *r;
    if (open_reader(&r, argv[0], argv[1], &wants) < 0) return 1;
    const NCMediaFormat *format = media_reader_format(r);
    if (!unit) unit = read_unit(format->media_type);
    NCMediaWriter *w = NULL;
    int ret = media_writer_open(&w, argv[2], format, &options);
    NCFrame *frame = nc_frame_alloc();
    while (ret >= 0 && (ret = media_reader_read(r, frame, unit)) >= 0) {
        ret = media_writer_write(w, frame);
        nc_frame_unref(frame);
    }
    nc_frame_free(&frame);
    media_reader_close(&r);
    if (ret != NC_EOF) {
        media_writer_abort(&w);
        fprintf(stderr, "media_tool: copy failed: %s\n", nc_strerror(ret));
        return 1;
    }
    return media_writer_close(&w) < 0 ? fail("cannot finish the copy") : 0;
}

/* Largest difference between two frames of the same format (audio in units of
 * 1/32768, pictures and bytes in levels); -1 if their shapes differ. */
static double frame_difference(const NCFrame *a, const NCFrame *b)
{
    double worst = 0;
    if (a->media_type == NC_MEDIA_AUDIO) {
        if (a->nb_samples != b->nb_samples || a->channels != b->channels) return -1;
        for (int c = 0; c < a->channels; c++)
            for (int i = 0; i < a->nb_samples; i++)
                worst = fmax(worst, fabs((double)((const float *)a->data[c])[i] -
                                         ((const float *)b->data[c])[i]) * 32768.0);
    } else if (a->media_type == NC_MEDIA_BYTES) {
        if (a->nb_bytes != b->nb_bytes) return -1;
        for (size_t i = 0; i < a->nb_bytes; i++)
            worst = fmax(worst, abs(a->data[0][i] - b->data[0][i]));
    } else {
        if (a->width != b->width || a->height != b->height || a->pix_fmt != b->pix_fmt) return -1;
        for (int p = 0; p < nc_pix_fmt_planes(a->pix_fmt); p++)
            for (int y = 0; y < nc_pix_fmt_plane_height(a->pix_fmt, p, a->height); y++)
                for (int x = 0; x < nc_pix_fmt_plane_width(a->pix_fmt, p, a->width); x++)
                    worst = fmax(worst, abs(a->data[p][y * a->linesize[p] + x] -
                                            b->data[p][y * b->linesize[p] + x]));
    }
    return worst;
}

static int compare(char **argv)
{
    NCMediaWants wants_a = {0}, wants_b = {0};
    NCMediaReader *ra, *rb;
    if (open_reader(&ra, argv[0], argv[1], &wants_a) < 0) return 1;
    /* Read B in A's format, so that only the content is compared. */
    const NCMediaFormat *fa = media_reader_format(ra);
    wants_b.pix_fmt = fa->pix_fmt;
    if (open_reader(&rb, argv[0], argv[2], &wants_b) < 0) return 1;
    const NCMediaFormat *fb = media_reader_format(rb);
    if (fa->sample_rate != fb->sample_rate || fa->channels != fb->channels) {
        fprintf(stderr, "media_tool: %d Hz x %d vs %d Hz x %d\n", fa->sample_rate, fa->channels,
                fb->sample_rate, fb->channels);
        return 1;
    }
    double limit = atof(argv[3]), worst = 0;
    NCFrame *a = nc_frame_alloc(), *b = nc_frame_alloc();
    int64_t frames = 0;
    for (;; frames++) {
        int ea = media_reader_read(ra, a, read_unit(fa->media_type));
        int eb = media_reader_read(rb, b, read_unit(fa->media_type));
        if (ea == NC_EOF && eb == NC_EOF) break;
        if (ea < 0 || eb < 0) {
            fprintf(stderr, "media_tool: lengths differ after %lld frames\n", (long long)frames);
            return 1;
        }
        double d = frame_difference(a, b);
        if (d < 0) {
            fprintf(stderr, "media_tool: frame %lld has another shape\n", (long long)frames);
            return 1;
        }
        worst = fmax(worst, d);
        nc_frame_unref(a);
        nc_frame_unref(b);
    }
    nc_frame_free(&a);
    nc_frame_free(&b);
    media_reader_close(&ra);
    media_reader_close(&rb);
    printf("%lld frames, largest difference %g\n", (long long)frames, worst);
    return worst <= limit ? 0 : 1;
}

static int describe(char **argv)
{
    NCMediaWants wants = {0};
    NCMediaReader *r;
    if (open_reader(&r, argv[0], argv[1], &wants) < 0) return 1;
    const NCMediaFormat *f = media_reader_format(r);
    NCFrame *frame = nc_frame_alloc();
    int64_t units = 0;
    while (media_reader_read(r, frame, read_unit(f->media_type)) >= 0) {
        units += f->media_type == NC_MEDIA_AUDIO   ? frame->nb_samples
                 : f->media_type == NC_MEDIA_BYTES ? (int64_t)frame->nb_bytes
                                                   : 1;
        nc_frame_unref(frame);
    }
    if (f->media_type == NC_MEDIA_AUDIO)
        printf("audio %d Hz %d channels %lld samples\n", f->sample_rate, f->channels,
               (long long)units);
    else if (f->media_type == NC_MEDIA_BYTES)
        printf("bytes %lld\n", (long long)units);
    else
        printf("picture %dx%d %s %lld frames\n", f->width, f->height, nc_pix_fmt_name(f->pix_fmt),
               (long long)units);
    nc_frame_free(&frame);
    media_reader_close(&r);
    return 0;
}

/* remux: the packets of the IN files one after the other (IN's header first),
 * `repeat` times, into OUT, with the muxer computing every CRC, so that damage made
 * here is what only a decoder can find:
 *   width=W height=H   declare another picture size in the header
 *   cut=A[-B]          packets A..B (counted in OUT) keep only their first half
 *   zeros=N            every payload becomes N zero bytes
 *   hex=HEX            ... the bytes HEX then (with zeros=N) zeros up to N bytes */
static int remux(int argc, char **argv)
{
    const char *out = argv[0];
    long width = 0, height = 0, repeat = 1, cut_from = -1, cut_to = -1, zeros = -1;
    const char *hex = "";
    int nin = 0;
    for (int i = 1; i < argc; i++) {
        if (!strncmp(argv[i], "width=", 6)) width = atol(argv[i] + 6);
        else if (!strncmp(argv[i], "height=", 7)) height = atol(argv[i] + 7);
        else if (!strncmp(argv[i], "repeat=", 7)) repeat = atol(argv[i] + 7);
        else if (!strncmp(argv[i], "zeros=", 6)) zeros = atol(argv[i] + 6);
        else if (!strncmp(argv[i], "hex=", 4)) hex = argv[i] + 4;
        else if (!strncmp(argv[i], "cut=", 4)) {
            char *end;
            cut_from = cut_to = strtol(argv[i] + 4, &end, 10);
            if (*end == '-') cut_to = strtol(end + 1, NULL, 10);
        } else argv[1 + nin++] = argv[i];
    }
    if (!nin) return fail("remux: no input");
    NCDemuxer *first = NULL;
    if (nc_demuxer_open_file(&first, argv[1]) < 0) return fail("remux: cannot read the input");
    NCStreamInfo info = *nc_demuxer_stream_info(first);
    if (width) info.width = (int)width;
    if (height) info.height = (int)height;
    NCMuxer *mux = NULL;
    NCPacket *pkt = nc_packet_alloc();
    int ok = nc_muxer_open_file(&mux, out, &info, 0) >= 0 && pkt;
    int64_t index = 0, pts = 0;
    for (long r = 0; ok && r < repeat; r++)
        for (int i = 0; ok && i < nin; i++) {
            NCDemuxer *dmx = NULL;
            if (nc_demuxer_open_file(&dmx, argv[1 + i]) < 0) {
                ok = 0;
                break;
            }
            while (ok && nc_demuxer_read_packet(dmx, pkt) == 0) {
                if (index >= cut_from && index <= cut_to) pkt->size /= 2;
                if (zeros >= 0 || *hex) {
                    int64_t kept_duration = pkt->duration;
                    size_t n = strlen(hex) / 2 > (size_t)(zeros > 0 ? zeros : 0) ? strlen(hex) / 2
                                                                                 : (size_t)zeros;
                    uint8_t *z = calloc(n + 1, 1);
                    for (size_t k = 0; z && k < strlen(hex) / 2; k++) {
                        unsigned v = 0;
                        sscanf(hex + 2 * k, "%2x", &v);
                        z[k] = (uint8_t)v;
                    }
                    nc_packet_unref(pkt);
                    ok = z && nc_packet_from_data(pkt, z, n) >= 0;
                    pkt->duration = kept_duration;
                    free(z);
                }
                int64_t duration = pkt->duration > 0 ? pkt->duration : 1;
                pkt->pts = pts;
                pts += duration;
                ok = nc_muxer_write_packet(mux, pkt) >= 0;
                nc_packet_unref(pkt);
                index++;
            }
            nc_demuxer_close(&dmx);
        }
    if (ok) ok = nc_muxer_close(&mux) >= 0;
    nc_muxer_abort(&mux);
    nc_packet_free(&pkt);
    nc_demuxer_close(&first);
    return ok ? 0 : fail("remux failed");
}

int main(int argc, char **argv)
{
    if (argc < 3) return fail("usage: see the comment at the top of media_tool.c");
    const char *cmd = argv[1];
    if (!strcmp(cmd, "sine") && argc == 6)
        return make_sine(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]));
    if (!strcmp(cmd, "sine-mka") && argc == 6)
        return make_sine_mka(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]));
    if (!strcmp(cmd, "png") && (argc == 6 || argc == 7))
        return make_png(argv[2], atoi(argv[3]), atoi(argv[4]), argv[5], argc == 7 ? atoi(argv[6]) : 0);
    if (!strcmp(cmd, "video") && argc == 6)
        return make_video(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]));
    if (!strcmp(cmd, "text") && argc == 4) return make_text(argv[2], atol(argv[3]));
    if (!strcmp(cmd, "container") && argc == 5)
        return make_container(argv[2], atoi(argv[3]), argv[4]);
    if (!strcmp(cmd, "remux") && argc >= 4) return remux(argc - 2, argv + 2);
    if (!strcmp(cmd, "copy") && argc >= 5) return copy(argc - 2, argv + 2);
    if (!strcmp(cmd, "compare") && argc == 6) return compare(argv + 2);
    if (!strcmp(cmd, "describe") && argc == 4) return describe(argv + 2);
    return fail("usage: see the comment at the top of media_tool.c");
}
