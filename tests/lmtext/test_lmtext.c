/* lmtext: exact round trips through the codec API (text, binary, empty, one byte,
 * noise, long runs) in each mode and with Equal-Info Windows; the raw fallback
 * bound; every window exactly window_bits and decodable alone; damaged and
 * hostile packets; header and option checks. Uses the shipped lmtext-en model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/lmtext/lmtext.h"
#include "nc/nc.h"
#include "tests/test.h"

#define TEXT_SIZE 30000

static uint32_t rng = 12345;
static uint32_t next_rand(void)
{
    rng = rng * 1664525u + 1013904223u;
    return rng >> 8;
}

static void synth_text(uint8_t *out, size_t n)
{
    static const char *const words[] = {"the", "Light", "of", "a", "Prism", "is", "refracted",
                                        "and", "Colours", "Rays", "in", "Glass", "which", "I",
                                        "call", "Homogeneal", "more", "than", "others,"};
    size_t at = 0, col = 0;
    while (at < n) {
        const char *w = words[next_rand() % 19];
        for (; *w && at < n; w++, col++) out[at++] = (uint8_t)*w;
        if (at < n) out[at++] = col > 66 ? '\n' : ' ';
        col = col > 66 ? 0 : col + 1;
    }
}

static NCCodecContext *open_encoder(const char *mode, int window_bits)
{
    NCCodecContext *ctx = nc_codec_alloc_context(nc_codec_find_encoder_by_name("lmtext"));
    if (!ctx) return NULL;
    if (nc_opt_set(ctx, "mode", mode) < 0 || nc_opt_set_int(ctx, "window_bits", window_bits) < 0 ||
        nc_codec_open(ctx) < 0)
        nc_codec_free_context(&ctx);
    return ctx;
}

static NCCodecContext *open_decoder(const uint8_t *header, size_t size)
{
    NCCodecContext *ctx = nc_codec_alloc_context(nc_codec_find_decoder_by_name("lmtext"));
    if (!ctx) return NULL;
    if (nc_codec_set_extradata(ctx, header, size) < 0 || nc_codec_open(ctx) < 0)
        nc_codec_free_context(&ctx);
    return ctx;
}

static int encode(NCCodecContext *enc, const uint8_t *bytes, size_t n, NCPacket *pkt)
{
    NCFrame f = {0};
    f.media_type = NC_MEDIA_BYTES;
    f.nb_bytes = n;
    f.duration = (int64_t)n;
    int ret = nc_frame_get_buffer(&f);
    if (ret >= 0 && n) memcpy(f.data[0], bytes, n);
    if (ret >= 0) ret = nc_send_frame(enc, &f);
    if (ret >= 0) ret = nc_receive_packet(enc, pkt);
    nc_frame_unref(&f);
    return ret;
}

/* Decodes one packet; 0 and the bytes in *out, or the error. */
static int decode(NCCodecContext *dec, const uint8_t *data, size_t size, NCFrame *out)
{
    NCPacket pkt = {0};
    int ret = nc_packet_from_data(&pkt, data, size);
    if (ret >= 0) ret = nc_send_packet(dec, &pkt);
    if (ret >= 0) ret = nc_receive_frame(dec, out);
    nc_packet_unref(&pkt);
    return ret;
}

/* Round trip; returns the packet size, or -1 when the copy is not exact. */
static long roundtrip(NCCodecContext *enc, NCCodecContext *dec, const uint8_t *bytes, size_t n,
                      NCPacket *keep)
{
    NCPacket pkt = {0};
    NCFrame out = {0};
    long size = -1;
    CHECK_EQ(encode(enc, bytes, n, &pkt), 0);
    CHECK_EQ(decode(dec, pkt.data, pkt.size, &out), 0);
    if (out.nb_bytes == n && (!n || !memcmp(out.data[0], bytes, n))) size = (long)pkt.size;
    nc_frame_unref(&out);
    if (keep) *keep = pkt;
    else nc_packet_unref(&pkt);
    return size;
}

/* Every window of a windows packet decodes alone, last one first. */
static void check_windows(const NCCodecContext *enc, const NCPacket *pkt, const uint8_t *bytes,
                          size_t n, int window_bits)
{
    if (pkt->data[0] == LM_PACKET_RAW) return;
    CHECK_EQ(pkt->data[0], LM_PACKET_WINDOWS);
    size_t pos = 1;
    while (pkt->data[pos++] & 128) {}
    size_t wbytes = (size_t)window_bits / 8, count = (pkt->size - pos) / wbytes;
    CHECK_EQ((pkt->size - pos) % wbytes, 0); /* every window exactly window_bits */
    LMContext c;
    NCIModelPin pin;
    int mode, wb;
    CHECK_EQ(lm_header_parse(NULL, enc->extradata, enc->extradata_size, &pin, &mode, &wb), 0);
    CHECK_EQ(wb, window_bits);
    CHECK_EQ(lm_context_open(&c, NULL, pin.id, NULL, &pin, mode, wb), 0);
    CHECK_EQ(lm_windows_begin(&c), 0);
    uint8_t *parts = malloc(count * wbytes * 8 + 1);
    size_t *got = calloc(count, sizeof(size_t));
    for (size_t i = count; i-- > 0;)
        CHECK_EQ(lm_decode_window(&c, pkt->data + pos + i * wbytes, parts + i * wbytes * 8,
                                  wbytes * 8, &got[i]), 0);
    size_t at = 0;
    int same = 1;
    for (size_t i = 0; i < count; i++) {
        same &= at + got[i] <= n && !memcmp(parts + i * wbytes * 8, bytes + at, got[i]);
        at += got[i];
    }
    CHECK(same && at == n);
    free(parts);
    free(got);
    lm_context_close(&c);
}

/* Whether data[at] is the last nonzero byte of its range-coded stream: of its
 * window, or of a model packet. */
static int is_stream_tail(const NCPacket *pkt, size_t at, int window_bits)
{
    if (pkt->data[0] == LM_PACKET_RAW) return 0;
    size_t start = 1, end = pkt->size;
    while (start < end && pkt->data[start++] & 128) {}
    if (window_bits && pkt->data[0] == LM_PACKET_WINDOWS && at >= start) {
        size_t wbytes = (size_t)window_bits / 8;
        start += (at - start) / wbytes * wbytes;
        end = start + wbytes;
    }
    while (end > start && !pkt->data[end - 1]) end--;
    return end > 0 && at == end - 1;
}

static void test_config(const char *mode, int window_bits, const uint8_t *text)
{
    NCCodecContext *enc = open_encoder(mode, window_bits);
    CHECK(enc != NULL);
    if (!enc) return;
    NCCodecContext *dec = open_decoder(enc->extradata, (size_t)enc->extradata_size);
    CHECK(dec != NULL);
    if (!dec) {
        nc_codec_free_context(&enc);
        return;
    }
    static uint8_t noise[20000], run[100000], binary[16384], all[256];
    for (size_t i = 0; i < sizeof(noise); i++) noise[i] = (uint8_t)next_rand();
    memset(run, 'a', sizeof(run));
    for (size_t i = 0; i < sizeof(binary) / 4; i++) { /* little-endian counters */
        uint32_t v = (uint32_t)(i * 3);
        memcpy(binary + 4 * i, &v, 4);
    }
    for (int i = 0; i < 256; i++) all[i] = (uint8_t)i;
    NCPacket pkt = {0};
    long size = roundtrip(enc, dec, text, TEXT_SIZE, &pkt);
    printf("%s window_bits %d: text %d -> %ld bytes (%.3f bits/byte)\n", mode, window_bits,
           TEXT_SIZE, size, 8.0 * (double)size / TEXT_SIZE);
    CHECK(size > 0 && size <= (!window_bits ? TEXT_SIZE / 3 : window_bits < 64 ? TEXT_SIZE + 1
                                                                            : TEXT_SIZE / 2));
    if (window_bits && size > 0) check_windows(enc, &pkt, text, TEXT_SIZE, window_bits);
    /* damage: half a packet never decodes; other cuts and flips fail cleanly */
    NCFrame out = {0};
    if (pkt.data[0] != LM_PACKET_RAW) CHECK(decode(dec, pkt.data, pkt.size / 2, &out) < 0);
    nc_frame_unref(&out);
    for (int t = 0; t < 8; t++) {
        uint8_t *bad = malloc(pkt.size);
        memcpy(bad, pkt.data, pkt.size);
        size_t at = 1 + next_rand() % (pkt.size - 1);
        bad[at] ^= (uint8_t)(1 + next_rand() % 255);
        /* The last byte of a range-coded stream has slack (entropy.md §1.4: the
         * flush picks one value in an interval), so another value there may still
         * decode to the same bytes; any other flip must change or fail. */
        if (decode(dec, bad, pkt.size - (t & 1), &out) == 0 &&
            !is_stream_tail(&pkt, at, window_bits))
            CHECK(out.nb_bytes != TEXT_SIZE || memcmp(out.data[0], text, TEXT_SIZE));
        nc_frame_unref(&out);
        free(bad);
    }
    nc_packet_unref(&pkt);
    /* noise: the raw fallback costs one byte */
    size = roundtrip(enc, dec, noise, sizeof(noise), NULL);
    CHECK(size > 0 && size <= (long)sizeof(noise) + 1);
    size = roundtrip(enc, dec, run, sizeof(run), NULL);
    printf("  100000 x 'a' -> %ld bytes, noise -> %ld\n", size, (long)sizeof(noise) + 1);
    CHECK(size > 0 && size <= (window_bits ? (long)sizeof(run) + 1 : 1000));
    CHECK(roundtrip(enc, dec, binary, sizeof(binary), NULL) > 0);
    CHECK(roundtrip(enc, dec, all, sizeof(all), NULL) > 0);
    CHECK_EQ(roundtrip(enc, dec, NULL, 0, NULL), 1);
    for (int b = 0; b < 256; b += 51) {
        uint8_t one = (uint8_t)b;
        CHECK_EQ(roundtrip(enc, dec, &one, 1, NULL), 2); /* raw: kind + byte */
    }
    for (size_t n = 2; n < 40; n += 7) CHECK(roundtrip(enc, dec, text + n, n, NULL) > 0);
    nc_codec_free_context(&enc);
    nc_codec_free_context(&dec);
}

/* The same input gives the same bytes from a fresh encoder (no hidden state). */
static void test_repeatable(const uint8_t *text)
{
    NCPacket a = {0}, b = {0};
    for (int k = 0; k < 2; k++) {
        NCCodecContext *enc = open_encoder("fast", 0);
        CHECK(enc && encode(enc, text, TEXT_SIZE, k ? &b : &a) == 0);
        nc_codec_free_context(&enc);
    }
    CHECK(a.size == b.size && !memcmp(a.data, b.data, a.size));
    nc_packet_unref(&a);
    nc_packet_unref(&b);
}

static void test_headers_and_options(void)
{
    NCCodecContext *enc = open_encoder("fast", 64);
    CHECK(enc != NULL);
    if (!enc) return;
    uint8_t h[LM_HEADER_MAX_SIZE];
    size_t n = (size_t)enc->extradata_size;
    memcpy(h, enc->extradata, n);
    NCCodecContext *dec;
    h[n - 1] ^= 1; /* another model hash */
    dec = nc_codec_alloc_context(nc_codec_find_decoder_by_name("lmtext"));
    CHECK_EQ(nc_codec_set_extradata(dec, h, n), 0);
    CHECK_EQ(nc_codec_open(dec), NC_EMODEL);
    nc_codec_free_context(&dec);
    h[n - 1] ^= 1;
    uint8_t bad[LM_HEADER_MAX_SIZE];
    /* compact header: lead (version, id prefix), mode, window size high byte, id */
    static const int fields[] = {0, 1, 3, 4};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        memcpy(bad, h, n);
        bad[fields[i]] ^= 0x40;
        CHECK(open_decoder(bad, n) == NULL);
    }
    CHECK(open_decoder(h, n - 1) == NULL);
    nc_codec_free_context(&enc);
    for (int wb = 1; wb < 16; wb++) CHECK(open_encoder("fast", wb) == NULL);
    CHECK(open_encoder("fast", 20) == NULL);
}

int main(void)
{
    nc_log_set_level(NC_LOG_QUIET);
    static uint8_t text[TEXT_SIZE];
    synth_text(text, TEXT_SIZE);
    test_config("fast", 0, text);
    test_config("max", 0, text);
    test_config("fast", 16, text);
    test_config("fast", 64, text);
    test_config("max", 256, text);
    test_repeatable(text);
    test_headers_and_options();
    return test_result("lmtext");
}
