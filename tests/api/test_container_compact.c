/* The .nc compact profile: which streams the muxer writes compact, round trips,
 * damage at every bit and truncation at every byte, and one-packet files of every
 * codec: at most 40 bytes besides the packet, decoding to what the packet decodes
 * to without the container. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "libnc/container_format.h"
#include "libnc/model/sha256.h"
#include "nc/nc.h"
#include "tests/test.h"

#define MAX_PACKETS 300
#define SMALL_FILE_OVERHEAD 40 /* issue 14: a one-picture file costs at most this */

typedef struct Stream {
    int count;
    int64_t pts;       /* of the first packet */
    int64_t duration;  /* of each packet but the last */
    int64_t last_duration;
    size_t size, step; /* packet i holds size + i * step bytes */
    int key;           /* 1 all key, 0 none, -1 the first only */
    int gap_at;        /* a packet that starts later than the previous ends (0: none) */
} Stream;

static void stream_packet(const Stream *s, int i, NCPacket *pkt)
{
    CHECK_EQ(nc_packet_new(pkt, s->size + (size_t)i * s->step), 0);
    for (size_t k = 0; k < pkt->size; k++) pkt->data[k] = (uint8_t)(i * 57 + k * 13 + (k >> 8));
    pkt->pts = s->pts + (int64_t)i * s->duration + (s->gap_at && i >= s->gap_at ? 7 : 0);
    pkt->duration = i + 1 < s->count ? s->duration : s->last_duration;
    pkt->flags = s->key == 1 || (s->key == -1 && i == 0) ? NC_PKT_FLAG_KEY : 0;
}

static uint8_t *mux(const NCStreamInfo *info, const Stream *s, unsigned flags, size_t *size)
{
    NCMuxer *m = NULL;
    uint8_t *data = NULL;
    CHECK_EQ(nc_muxer_open_memory(&m, info, flags), 0);
    for (int i = 0; i < s->count; i++) {
        NCPacket pkt = {0};
        stream_packet(s, i, &pkt);
        CHECK_EQ(nc_muxer_write_packet(m, &pkt), 0);
        nc_packet_unref(&pkt);
    }
    CHECK_EQ(nc_muxer_close_memory(&m, &data, size), 0);
    return data;
}

static int is_compact(const uint8_t *data, size_t size)
{
    return size >= NC_COMPACT_MAGIC_SIZE && !memcmp(data, NC_COMPACT_MAGIC, NC_COMPACT_MAGIC_SIZE);
}

static int same_packet(const NCPacket *a, const NCPacket *b)
{
    return a->size == b->size && (!a->size || !memcmp(a->data, b->data, a->size)) &&
           a->pts == b->pts && a->duration == b->duration && a->flags == b->flags;
}

/* Reads data back: the stream's parameters and every packet of s, in order. */
static void check_reads_back(const uint8_t *data, size_t size, const NCStreamInfo *info,
                             const Stream *s)
{
    NCDemuxer *d = NULL;
    CHECK_EQ(nc_demuxer_open_memory(&d, data, size), 0);
    if (!d) return;
    const NCStreamInfo *got = nc_demuxer_stream_info(d);
    CHECK(!strcmp(got->codec_name, info->codec_name) && got->media_type == info->media_type);
    CHECK(got->sample_rate == info->sample_rate && got->channels == info->channels);
    CHECK(got->width == info->width && got->height == info->height &&
          got->pix_fmt == info->pix_fmt);
    CHECK(got->time_base.num == info->time_base.num && got->time_base.den == info->time_base.den);
    CHECK(got->extradata_size == info->extradata_size &&
          (!info->extradata_size ||
           !memcmp(got->extradata, info->extradata, info->extradata_size)));
    CHECK_EQ(got->compact, is_compact(data, size));
    NCPacket pkt = {0}, want = {0};
    for (int i = 0; i < s->count; i++) {
        CHECK_EQ(nc_demuxer_read_packet(d, &pkt), 0);
        stream_packet(s, i, &want);
        CHECK(same_packet(&pkt, &want));
        nc_packet_unref(&pkt);
        nc_packet_unref(&want);
    }
    CHECK_EQ(nc_demuxer_read_packet(d, &pkt), NC_EOF);
    if (got->compact) CHECK_EQ(nc_demuxer_packet_count(d), s->count);
    nc_demuxer_close(&d);
}

static const uint8_t header12[] = {0xC1, 'm', 'n', 'i', 's', 't', 9, 8, 7, 6, 5, 4};

static NCStreamInfo image_info(void)
{
    NCStreamInfo info = {.codec_name = "pclossless", .media_type = NC_MEDIA_IMAGE, .width = 28,
                         .height = 28, .pix_fmt = NC_PIX_GRAY8, .time_base = {1, 1}};
    info.extradata = header12;
    info.extradata_size = sizeof(header12);
    return info;
}

static NCStreamInfo audio_info(void)
{
    NCStreamInfo info = {.codec_name = "rvqspeech", .media_type = NC_MEDIA_AUDIO,
                         .sample_rate = 16000, .channels = 1, .time_base = {1, 16000}};
    info.extradata = header12;
    info.extradata_size = sizeof(header12);
    return info;
}

/* Which streams go out compact, and that every one reads back whole. */
static void test_choice(void)
{
    NCStreamInfo image = image_info(), audio = audio_info();
    NCStreamInfo named = {.codec_name = "someone_elses", .media_type = NC_MEDIA_BYTES,
                          .time_base = {1, 1000}};
    const struct {
        const NCStreamInfo *info;
        Stream s;
        unsigned flags;
        int compact;
    } cases[] = {
        {&image, {1, 0, 1, 1, 115, 0, 1, 0}, 0, 1},              /* one digit */
        {&image, {1, 0, 1, 1, 200000, 0, 1, 0}, 0, 1},           /* one large picture */
        {&image, {1, 0, 1, 1, 115, 0, 1, 0}, NC_MUX_CLASSIC, 0}, /* asked for classic */
        {&audio, {5, -480, 160, 100, 3, 3, 1, 0}, 0, 1},         /* last one shorter */
        {&audio, {255, 0, 160, 160, 7, 0, 1, 0}, 0, 1},          /* as many as it takes */
        {&audio, {256, 0, 160, 160, 7, 0, 1, 0}, 0, 0},          /* one too many */
        {&audio, {5, 0, 160, 160, 800, 5, 1, 0}, 0, 1},          /* 4050 bytes */
        {&audio, {5, 0, 160, 160, 800, 40, 1, 0}, 0, 0},         /* 4400 bytes */
        {&audio, {2, 0, 160, 160, 5000, 0, 1, 0}, 0, 0},         /* a large one and more */
        {&audio, {4, 0, 160, 90, 5, 1, -1, 0}, 0, 0},            /* key, then not */
        {&audio, {4, 0, 160, 160, 5, 1, 1, 2}, 0, 0},            /* a gap */
        {&audio, {4, 0, 160, 160, 5, 1, 0, 0}, 0, 1},            /* no key packets */
        {&named, {3, 1LL << 40, 33, 34, 0, 2, 1, 0}, 0, 1},      /* unnumbered codec */
        {&named, {0, 0, 0, 0, 0, 0, 1, 0}, 0, 1},                /* no packets */
        {&named, {1, 0, 1, 1, 0, 0, 1, 0}, 0, 1},                /* one empty packet */
        {&named, {3, 0, 1, 1, 0, 0, 1, 0}, 0, 1},                /* three */
    };
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        size_t size;
        uint8_t *data = mux(cases[c].info, &cases[c].s, cases[c].flags, &size);
        if (is_compact(data, size) != cases[c].compact)
            printf("case %zu: written %s\n", c, is_compact(data, size) ? "compact" : "classic");
        CHECK_EQ(is_compact(data, size), cases[c].compact);
        check_reads_back(data, size, cases[c].info, &cases[c].s);
        free(data);
    }
}

/* Seeking a compact file of key packets lands on the packet itself. */
static void test_seek(void)
{
    NCStreamInfo audio = audio_info();
    Stream s = {20, 1000, 160, 160, 9, 1, 1, 0};
    size_t size;
    uint8_t *data = mux(&audio, &s, 0, &size);
    CHECK(is_compact(data, size));
    NCDemuxer *d = NULL;
    CHECK_EQ(nc_demuxer_open_memory(&d, data, size), 0);
    CHECK_EQ(nc_demuxer_duration(d), 20 * 160);
    NCPacket pkt = {0}, want = {0};
    static const int targets[] = {13, 0, 19, 4};
    for (size_t t = 0; t < sizeof(targets) / sizeof(targets[0]); t++) {
        CHECK_EQ(nc_demuxer_seek(d, 1000 + targets[t] * 160 + 80), 0);
        CHECK_EQ(nc_demuxer_read_packet(d, &pkt), 0);
        CHECK_EQ(nc_demuxer_packet_index(d), targets[t]);
        stream_packet(&s, targets[t], &want);
        CHECK(same_packet(&pkt, &want));
        nc_packet_unref(&pkt);
        nc_packet_unref(&want);
    }
    nc_demuxer_close(&d);
    free(data);
}

/* Reads every packet of data: 0 when the file opened and each packet was either
 * the original (by number) or a damage error; the error of open otherwise. The
 * first read's result goes to *first. */
static int read_all(const uint8_t *data, size_t size, const uint8_t *orig, size_t orig_size,
                    int *first)
{
    NCDemuxer *d = NULL, *o = NULL;
    int ret = nc_demuxer_open_memory(&d, data, size);
    if (ret < 0) return ret;
    CHECK_EQ(nc_demuxer_open_memory(&o, orig, orig_size), 0);
    NCPacket originals[MAX_PACKETS] = {{0}}, pkt = {0};
    int n = 0;
    while (n < MAX_PACKETS && nc_demuxer_read_packet(o, &originals[n]) == 0) n++;
    *first = 1;
    for (int calls = 0; calls < 2 * MAX_PACKETS; calls++) {
        ret = nc_demuxer_read_packet(d, &pkt);
        if (*first == 1) *first = ret;
        if (ret == NC_EOF) break;
        int64_t i = nc_demuxer_packet_index(d);
        if (ret == 0) {
            CHECK(i >= 0 && i < n && same_packet(&pkt, &originals[i]));
            nc_packet_unref(&pkt);
        } else {
            CHECK(ret == NC_ECRC || ret == NC_EINVALIDDATA || ret == NC_ETRUNCATED);
        }
    }
    CHECK_EQ(ret, NC_EOF);
    for (int i = 0; i < n; i++) nc_packet_unref(&originals[i]);
    nc_demuxer_close(&o);
    nc_demuxer_close(&d);
    return 0;
}

/* The header's size: where the payloads of a compact file start. */
static size_t compact_header_size(const uint8_t *data, size_t size)
{
    size_t header = size;
    NCDemuxer *d = NULL;
    for (size_t cut = 0; cut < size; cut++) {
        if (nc_demuxer_open_memory(&d, data, cut) >= 0) {
            nc_demuxer_close(&d);
            header = cut;
            break;
        }
    }
    return header;
}

/* Every flipped bit: a damaged header is refused, a damaged payload (or its CRC)
 * is NC_ECRC for packet 0 and no packet comes out; every cut: a cut header is
 * refused, a cut payload is NC_ETRUNCATED. */
static void check_damage(const uint8_t *data, size_t size)
{
    size_t header = compact_header_size(data, size);
    int packets = header < size; /* a file without packets ends with its header */
    uint8_t *copy = malloc(size);
    memcpy(copy, data, size);
    for (size_t off = 0; off < size; off++) {
        for (int bit = 0; bit < 8; bit++) {
            copy[off] ^= (uint8_t)(1 << bit);
            int first = 0, ret = read_all(copy, size, data, size, &first);
            if (off < header) CHECK_EQ(ret, NC_EINVALIDDATA);
            else CHECK(ret == 0 && first == NC_ECRC);
            copy[off] ^= (uint8_t)(1 << bit);
        }
    }
    for (size_t cut = 0; cut < size; cut++) {
        int first = 0, ret = read_all(data, cut, data, size, &first);
        if (cut < header || !packets) CHECK_EQ(ret, NC_EINVALIDDATA);
        else CHECK(ret == 0 && first == NC_ETRUNCATED);
    }
    free(copy);
}

static void test_damage(void)
{
    NCStreamInfo image = image_info(), audio = audio_info();
    NCStreamInfo empty = {.codec_name = "lmtext", .media_type = NC_MEDIA_BYTES,
                          .time_base = {1, 1}};
    const Stream one = {1, 0, 1, 1, 115, 0, 1, 0}, five = {5, -480, 160, 100, 3, 3, 1, 0},
                 none = {0, 0, 0, 0, 0, 0, 1, 0};
    size_t size;
    uint8_t *data = mux(&image, &one, 0, &size);
    check_damage(data, size);
    free(data);
    data = mux(&audio, &five, 0, &size);
    check_damage(data, size);
    free(data);
    data = mux(&empty, &none, 0, &size);
    check_damage(data, size);
    free(data);
}

/* ---- one-packet files of every codec ---------------------------------------- */

/* What a decoder gave: the SHA-256 of its samples, pixels or bytes, and how many. */
typedef struct Output {
    NCSha256 sha;
    size_t size;
} Output;

static void output_append(Output *o, const void *data, size_t size)
{
    nci_sha256_update(&o->sha, data, size);
    o->size += size;
}

static int same_output(Output *a, Output *b)
{
    uint8_t da[NC_SHA256_SIZE], db[NC_SHA256_SIZE];
    nci_sha256_final(&a->sha, da);
    nci_sha256_final(&b->sha, db);
    return a->size > 0 && a->size == b->size && !memcmp(da, db, sizeof(da));
}

static void output_frame(Output *o, const NCFrame *f)
{
    if (f->media_type == NC_MEDIA_BYTES) {
        output_append(o, f->data[0], f->nb_bytes);
    } else if (f->media_type == NC_MEDIA_AUDIO) {
        for (int c = 0; c < f->channels; c++)
            output_append(o, f->data[c], sizeof(float) * (size_t)f->nb_samples);
    } else {
        int row = nc_pix_fmt_plane_width(f->pix_fmt, 0, f->width);
        for (int y = 0; y < f->height; y++)
            output_append(o, f->data[0] + (size_t)y * f->linesize[0], (size_t)row);
    }
}

/* Sends pkt (NULL: flush) and appends every frame the decoder gives. */
static int decode_into(NCCodecContext *dec, const NCPacket *pkt, Output *o)
{
    int ret = nc_send_packet(dec, pkt);
    while (ret >= 0) {
        NCFrame f = {0};
        ret = nc_receive_frame(dec, &f);
        if (ret >= 0) output_frame(o, &f);
        nc_frame_unref(&f);
    }
    return ret == NC_EAGAIN || ret == NC_EOF ? 0 : ret;
}

/* Encodes f with enc into a .nc file in memory (the muxer's own choice of form);
 * decodes its packets on the way with a decoder set up from enc (no container). */
static int encode_file(NCCodecContext *enc, const NCFrame *f, uint8_t **file, size_t *size,
                       size_t *payload, int *packets, Output *direct)
{
    NCStreamInfo info;
    NCMuxer *m = NULL;
    NCCodecContext *dec = nc_codec_alloc_context(nc_codec_find_decoder_by_name(enc->codec->name));
    int ret = nc_stream_info_from_context(&info, enc);
    if (ret >= 0) ret = nc_stream_info_to_context(&info, dec);
    if (ret >= 0) ret = nc_codec_open(dec);
    if (ret >= 0) ret = nc_muxer_open_memory(&m, &info, 0);
    *payload = 0;
    *packets = 0;
    for (int flushing = 0; ret >= 0 && flushing < 2; flushing++) {
        ret = nc_send_frame(enc, flushing ? NULL : f);
        while (ret >= 0) {
            NCPacket pkt = {0};
            ret = nc_receive_packet(enc, &pkt);
            if (ret >= 0) ret = nc_muxer_write_packet(m, &pkt);
            if (ret >= 0) ret = decode_into(dec, &pkt, direct);
            if (ret >= 0) *payload += pkt.size, ++*packets;
            nc_packet_unref(&pkt);
        }
        if (ret == NC_EAGAIN || ret == NC_EOF) ret = 0;
    }
    if (ret >= 0) ret = decode_into(dec, NULL, direct);
    if (ret >= 0) ret = nc_muxer_close_memory(&m, file, size);
    else nc_muxer_abort(&m);
    nc_codec_free_context(&dec);
    return ret;
}

/* Decodes a whole .nc file. */
static int decode_file(const uint8_t *file, size_t size, Output *o)
{
    NCDemuxer *d = NULL;
    int ret = nc_demuxer_open_memory(&d, file, size);
    if (ret < 0) return ret;
    const NCStreamInfo *info = nc_demuxer_stream_info(d);
    NCCodecContext *dec = nc_codec_alloc_context(nc_codec_find_decoder_by_name(info->codec_name));
    ret = dec ? nc_stream_info_to_context(info, dec) : NC_ENOMEM;
    if (ret >= 0) ret = nc_codec_open(dec);
    while (ret >= 0) {
        NCPacket pkt = {0};
        ret = nc_demuxer_read_packet(d, &pkt);
        if (ret == NC_EOF) {
            ret = decode_into(dec, NULL, o);
            break;
        }
        if (ret >= 0) ret = decode_into(dec, &pkt, o);
        nc_packet_unref(&pkt);
    }
    nc_codec_free_context(&dec);
    nc_demuxer_close(&d);
    return ret;
}

/* The input of each codec's file: a 28x28 digit-like ring, a 64x48 colour
 * picture, a sentence, 1.2 s of a speech-like tone. */
static void make_input(const char *codec, NCCodecContext *enc, NCFrame *f)
{
    memset(f, 0, sizeof(*f));
    f->pts = 0;
    if (!strcmp(codec, "lmtext") || !strcmp(codec, "pclossless_bytes")) {
        static const char text[] = "The quick brown fox jumps over the lazy dog. See you at noon.\n";
        f->media_type = NC_MEDIA_BYTES;
        f->nb_bytes = sizeof(text) - 1;
        f->duration = (int64_t)f->nb_bytes;
        CHECK_EQ(nc_frame_get_buffer(f), 0);
        memcpy(f->data[0], text, f->nb_bytes);
    } else if (!strcmp(codec, "rvqspeech")) {
        enc->sample_rate = f->sample_rate = 16000;
        enc->channels = f->channels = 1;
        f->media_type = NC_MEDIA_AUDIO;
        f->nb_samples = 19200;
        CHECK_EQ(nc_frame_get_buffer(f), 0);
        float *x = (float *)f->data[0];
        for (int i = 0; i < f->nb_samples; i++) {
            double t = i / 16000.0, env = 0.5 - 0.5 * cos(2 * M_PI * 4 * t);
            x[i] = (float)(env * (0.3 * sin(2 * M_PI * 140 * t) + 0.2 * sin(2 * M_PI * 280 * t) +
                                  0.1 * sin(2 * M_PI * 1100 * t)));
        }
    } else {
        int rgb = !strcmp(codec, "walloc");
        f->media_type = enc->media_type = NC_MEDIA_IMAGE;
        f->width = enc->width = rgb ? 64 : 28;
        f->height = enc->height = rgb ? 48 : 28;
        f->pix_fmt = enc->pix_fmt = rgb ? NC_PIX_RGB24 : NC_PIX_GRAY8;
        CHECK_EQ(nc_frame_get_buffer(f), 0);
        for (int y = 0; y < f->height; y++)
            for (int x = 0; x < f->width; x++) {
                double dx = (x - 13.5) / 6, dy = (y - 13.5) / 8.5, r = sqrt(dx * dx + dy * dy);
                double v = 1 - fabs(r - 1) * 4.5;
                uint8_t *p = f->data[0] + (size_t)y * f->linesize[0] + (size_t)x * (rgb ? 3 : 1);
                p[0] = (uint8_t)(v < 0 ? 0 : v * 255 + 0.5);
                if (rgb) p[1] = (uint8_t)(4 * x), p[2] = (uint8_t)(5 * y);
            }
    }
}

static void test_codec_files(void)
{
    static const char *const codecs[][2] = {{"pclossless", ""}, {"pclossless_bytes", ""},
                                            {"lmtext", ""}, {"walloc", ""},
                                            {"rvqspeech", "packet_frames=200"}};
    for (size_t c = 0; c < sizeof(codecs) / sizeof(codecs[0]); c++) {
        const char *name = codecs[c][0];
        const NCCodec *codec = nc_codec_find_encoder_by_name(name);
        if (!codec) continue; /* not in this build */
        NCCodecContext *enc = nc_codec_alloc_context(codec);
        NCFrame f;
        make_input(name, enc, &f);
        if (*codecs[c][1]) {
            char key[64];
            snprintf(key, sizeof(key), "%s", codecs[c][1]);
            char *eq = strchr(key, '=');
            *eq = 0;
            CHECK_EQ(nc_opt_set(enc, key, eq + 1), 0);
        }
        int ret = nc_codec_open(enc);
        if (ret == NC_EMODEL) { /* a model is missing: say so, do not fail */
            printf("%s: skipped (no model)\n", name);
            nc_codec_free_context(&enc);
            nc_frame_unref(&f);
            continue;
        }
        CHECK_EQ(ret, 0);
        uint8_t *file = NULL;
        size_t size = 0, payload = 0;
        int packets = 0;
        Output direct = {.size = 0}, via_file = {.size = 0};
        nci_sha256_init(&direct.sha);
        nci_sha256_init(&via_file.sha);
        CHECK_EQ(encode_file(enc, &f, &file, &size, &payload, &packets, &direct), 0);
        CHECK_EQ(packets, 1);
        CHECK(is_compact(file, size));
        printf("%s: %zu-byte file, %zu-byte packet: %zu bytes besides it\n", name, size,
               payload, size - payload);
        CHECK(size - payload <= SMALL_FILE_OVERHEAD);
        CHECK_EQ(decode_file(file, size, &via_file), 0);
        CHECK(same_output(&direct, &via_file));
        if (!strcmp(name, "pclossless")) check_damage(file, size); /* a real one too */
        free(file);
        nc_frame_unref(&f);
        nc_codec_free_context(&enc);
    }
}

int main(void)
{
    nc_log_set_level(NC_LOG_QUIET);
    test_choice();
    test_seek();
    test_damage();
    test_codec_files();
    return test_result("test_container_compact");
}
