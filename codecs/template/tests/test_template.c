/* The template codec through the public API: round trips of every kind of input,
 * the rate option, hostile packets and headers, and the golden streams: each of
 * golden/<name>.nc is what the encoder must write, byte for byte, for the input
 * made by make_input(<name>), and decodes back to it.
 * Usage: test_template GOLDEN-DIR [--write] (--write remakes the golden files and
 * the fuzz seeds in GOLDEN-DIR/../corpus; only with a bitstream version bump). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/template/template.h"
#include "nc/nc.h"
#include "tests/test.h"

#define MAX_INPUT 70000

/* The inputs the golden streams hold, made here so nothing else needs committing. */
static const char *const golden_names[] = {"empty", "text", "run", "noise"};

static size_t make_input(const char *name, uint8_t *buf)
{
    if (!strcmp(name, "text")) {
        const char *s = "A new codec is one folder plus one line in one list.\n";
        size_t n = 0;
        for (int i = 0; i < 40; i++, n += strlen(s))
            memcpy(buf + n, s, strlen(s));
        return n;
    }
    if (!strcmp(name, "run")) {
        memset(buf, 'z', MAX_INPUT);
        return MAX_INPUT;
    }
    if (!strcmp(name, "noise")) {
        uint32_t x = 12345;
        for (int i = 0; i < 4096; i++)
            buf[i] = (uint8_t)((x = x * 1664525u + 1013904223u) >> 24);
        return 4096;
    }
    return 0; /* empty */
}

/* Encodes the frames (sizes n[0..frames-1], consecutive in data) into a .nc image. */
static int encode(const uint8_t *data, const size_t *n, int frames, int rate, uint8_t **out,
                  size_t *out_size)
{
    NCCodecContext *enc = nc_codec_alloc_context(nc_codec_find_encoder_by_name("template"));
    NCMuxer *mux = NULL;
    NCStreamInfo info;
    NCPacket pkt = {0};
    int ret = enc ? 0 : NC_ENOMEM;
    if (ret >= 0 && rate) ret = nc_opt_set_int(enc, "rate", rate);
    if (ret >= 0) ret = nc_codec_open(enc);
    if (ret >= 0) ret = nc_stream_info_from_context(&info, enc);
    /* classic: the golden files predate the compact profile (nc-enc writes them
     * compact now; the packets are the same) */
    if (ret >= 0) ret = nc_muxer_open_memory(&mux, &info, NC_MUX_CLASSIC);
    for (int f = 0; ret >= 0 && f <= frames; f++) {
        NCFrame *frame = NULL;
        if (f < frames) {
            frame = nc_frame_alloc();
            frame->media_type = NC_MEDIA_BYTES;
            frame->nb_bytes = n[f];
            frame->pts = f;
            frame->duration = 1;
            if ((ret = nc_frame_get_buffer(frame)) >= 0 && n[f]) memcpy(frame->data[0], data, n[f]);
            data += n[f];
        }
        if (ret >= 0) ret = nc_send_frame(enc, frame);
        nc_frame_free(&frame);
        while (ret >= 0 && (ret = nc_receive_packet(enc, &pkt)) == 0)
            ret = nc_muxer_write_packet(mux, &pkt);
        if (ret == NC_EAGAIN || ret == NC_EOF) ret = 0;
    }
    if (ret >= 0) ret = nc_muxer_close_memory(&mux, out, out_size);
    nc_muxer_abort(&mux);
    nc_packet_unref(&pkt);
    nc_codec_free_context(&enc);
    return ret;
}

/* Decodes a .nc image; the frames' bytes go to out (at most cap), their count to
 * *frames. Returns the first error, or 0. */
static int decode(const uint8_t *file, size_t size, uint8_t *out, size_t cap, size_t *got,
                  int *frames)
{
    NCDemuxer *dmx = NULL;
    NCCodecContext *dec = NULL;
    NCPacket pkt = {0};
    NCFrame *frame = nc_frame_alloc();
    *got = 0, *frames = 0;
    int ret = nc_demuxer_open_memory(&dmx, file, size);
    if (ret >= 0) {
        dec = nc_codec_alloc_context(nc_codec_find_decoder_by_name("template"));
        ret = dec ? nc_stream_info_to_context(nc_demuxer_stream_info(dmx), dec) : NC_ENOMEM;
    }
    if (ret >= 0) ret = nc_codec_open(dec);
    while (ret >= 0 && (ret = nc_demuxer_read_packet(dmx, &pkt)) == 0) {
        ret = nc_send_packet(dec, &pkt);
        nc_packet_unref(&pkt);
        while (ret >= 0 && (ret = nc_receive_frame(dec, frame)) == 0) {
            CHECK_EQ(frame->pts, *frames);
            if (*got + frame->nb_bytes > cap)
                ret = NC_ERANGE;
            else if (frame->nb_bytes)
                memcpy(out + *got, frame->data[0], frame->nb_bytes);
            *got += frame->nb_bytes;
            ++*frames;
        }
        if (ret == NC_EAGAIN) ret = 0;
    }
    if (ret == NC_EOF) ret = 0;
    nc_frame_free(&frame);
    nc_codec_free_context(&dec);
    nc_demuxer_close(&dmx);
    return ret;
}

static void test_round_trips(void)
{
    static uint8_t in[3 * MAX_INPUT], out[3 * MAX_INPUT];
    for (int rate = 4; rate <= 13; rate += 9) {
        size_t n[4], total = 0;
        for (int i = 0; i < 4; i++)
            total += n[i] = make_input(golden_names[i], in + total);
        uint8_t *file;
        size_t size, got;
        int frames;
        CHECK_EQ(encode(in, n, 4, rate, &file, &size), 0);
        CHECK_EQ(decode(file, size, out, sizeof(out), &got, &frames), 0);
        CHECK_EQ(frames, 4);
        CHECK(got == total && !memcmp(in, out, total));
        free(file);
    }
}

static void test_hostile(void)
{
    NCCodecContext *dec = nc_codec_alloc_context(nc_codec_find_decoder_by_name("template"));
    CHECK_EQ(nc_codec_set_extradata(dec, (const uint8_t *)"TPL\x02\x08", 5), 0);
    CHECK_EQ(nc_codec_open(dec), NC_ENOTSUP); /* a later version */
    nc_codec_free_context(&dec);
    dec = nc_codec_alloc_context(nc_codec_find_decoder_by_name("template"));
    CHECK_EQ(nc_codec_set_extradata(dec, (const uint8_t *)"TPL\x01\x20", 5), 0);
    CHECK_EQ(nc_codec_open(dec), NC_EINVALIDDATA); /* rate out of range */
    nc_codec_free_context(&dec);

    /* a real packet, then damaged copies of it */
    static uint8_t in[MAX_INPUT];
    size_t n = make_input("text", in);
    uint8_t *file;
    size_t size;
    CHECK_EQ(encode(in, &n, 1, 0, &file, &size), 0);
    NCDemuxer *dmx;
    CHECK_EQ(nc_demuxer_open_memory(&dmx, file, size), 0);
    NCPacket pkt = {0}, bad = {0};
    CHECK_EQ(nc_demuxer_read_packet(dmx, &pkt), 0);
    NCFrame *frame = nc_frame_alloc();
    for (int c = 0; c < 4; c++) {
        dec = nc_codec_alloc_context(nc_codec_find_decoder_by_name("template"));
        nc_stream_info_to_context(nc_demuxer_stream_info(dmx), dec);
        if (c == 3) nc_opt_set_int(dec, "max_frame_bytes", (int64_t)n - 1);
        CHECK_EQ(nc_codec_open(dec), 0);
        size_t keep = c == 0 ? pkt.size / 2 : pkt.size; /* truncated */
        nc_packet_from_data(&bad, pkt.data, keep);
        if (c == 1) bad.data[0] ^= 0x80;            /* the length */
        if (c == 2) bad.data[bad.size - 1] ^= 0x55; /* the last symbols */
        CHECK_EQ(nc_send_packet(dec, &bad), 0);
        int ret = nc_receive_frame(dec, frame);
        if (c == 0) CHECK(ret < 0);                         /* truncated: an error, never a frame */
        if (c == 1) CHECK(ret == NC_ERANGE);                /* announces 2^31 more bytes */
        if (c == 2) CHECK(ret < 0 || frame->nb_bytes == n); /* no checksum: other bytes */
        if (c == 3) CHECK_EQ(ret, NC_ERANGE);               /* above max_frame_bytes */
        nc_frame_unref(frame);
        nc_packet_unref(&bad);
        nc_codec_free_context(&dec);
    }
    nc_frame_free(&frame);
    nc_packet_unref(&pkt);
    nc_demuxer_close(&dmx);
    free(file);
}

/* The fuzz target's seed for a golden stream: the header's rate byte, then the
 * packet (DIR/../corpus/NAME). */
static void write_seed(const char *dir, const char *name, const uint8_t *file, size_t size)
{
    NCDemuxer *dmx;
    NCPacket pkt = {0};
    char path[4096];
    snprintf(path, sizeof(path), "%s/../corpus/%s", dir, name);
    FILE *f = NULL;
    if (nc_demuxer_open_memory(&dmx, file, size) < 0) return;
    if (nc_demuxer_read_packet(dmx, &pkt) == 0 && (f = fopen(path, "wb"))) {
        const NCStreamInfo *info = nc_demuxer_stream_info(dmx);
        CHECK(fwrite(info->extradata + 4, 1, 1, f) == 1);
        CHECK(fwrite(pkt.data, 1, pkt.size, f) == pkt.size);
        fclose(f);
    }
    nc_packet_unref(&pkt);
    nc_demuxer_close(&dmx);
}

static int check_golden(const char *dir, int write)
{
    static uint8_t in[MAX_INPUT], out[MAX_INPUT], want[1 << 16];
    for (size_t i = 0; i < sizeof(golden_names) / sizeof(*golden_names); i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s.nc", dir, golden_names[i]);
        size_t n = make_input(golden_names[i], in), got;
        uint8_t *file;
        size_t size;
        int frames;
        CHECK_EQ(encode(in, &n, 1, 0, &file, &size), 0);
        FILE *f = fopen(path, write ? "wb" : "rb");
        if (!f) {
            fprintf(stderr, "%s: %s\n", path, write ? "cannot write" : "missing");
            return 1;
        }
        if (write) {
            CHECK(fwrite(file, 1, size, f) == size);
            write_seed(dir, golden_names[i], file, size);
        } else {
            size_t have = fread(want, 1, sizeof(want), f);
            if (have != size || memcmp(want, file, size))
                fprintf(stderr, "%s: the encoder wrote other bytes\n", path);
            CHECK(have == size && !memcmp(want, file, size));
            CHECK_EQ(decode(want, have, out, sizeof(out), &got, &frames), 0);
            CHECK(got == n && !memcmp(in, out, n));
        }
        fclose(f);
        free(file);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s GOLDEN-DIR [--write]\n", argv[0]);
        return 2;
    }
    nc_log_set_level(NC_LOG_QUIET);
    if (argc > 2 && !strcmp(argv[2], "--write")) return check_golden(argv[1], 1);
    test_round_trips();
    test_hostile();
    if (check_golden(argv[1], 0)) return 1;
    return test_result("test_template");
}
