/* The shipped bytes model pclossless-text on the text test split (never trained
 * on): exact round trips through the codec API in 1 MiB frames, as the apps send
 * them, and loose bounds on the rate that catch a broken model or coder. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nc/nc.h"
#include "tests/support/roundtrip.h"
#include "tests/test.h"

#define FRAME (1 << 20)

static uint8_t *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    uint8_t *buf = malloc(1 << 24);
    *size = buf ? fread(buf, 1, 1 << 24, f) : 0;
    fclose(f);
    return buf;
}

/* Bits per byte of the whole file (packets only), -1 if it is missing. */
static double check_file(const char *path)
{
    size_t size;
    uint8_t *bytes = read_file(path, &size);
    if (!bytes) return -1;
    NCCodecContext *enc = nc_codec_alloc_context(nc_codec_find_encoder_by_name("pclossless_bytes"));
    NCCodecContext *dec = nc_codec_alloc_context(nc_codec_find_decoder_by_name("pclossless_bytes"));
    CHECK_EQ(nc_codec_open(enc), 0);
    CHECK_EQ(nc_codec_set_extradata(dec, enc->extradata, enc->extradata_size), 0);
    CHECK_EQ(nc_codec_open(dec), 0);
    size_t coded = 0;
    for (size_t at = 0; at < size; at += FRAME) {
        size_t n = size - at < FRAME ? size - at : FRAME;
        NCFrame in = {0}, out = {0};
        NCPacket pkt = {0};
        in.media_type = NC_MEDIA_BYTES;
        in.nb_bytes = n;
        CHECK_EQ(nc_frame_get_buffer(&in), 0);
        memcpy(in.data[0], bytes + at, n);
        CHECK_EQ(pc_test_encode(enc, &in, &pkt), 0);
        CHECK_EQ(pc_test_decode(dec, &pkt, &out), 0);
        CHECK(out.nb_bytes == n && !memcmp(out.data[0], bytes + at, n));
        coded += pkt.size;
        nc_packet_unref(&pkt);
        nc_frame_unref(&in);
        nc_frame_unref(&out);
    }
    double bpb = 8.0 * (double)coded / (double)size;
    printf("pclossless-text on %s: %zu bytes -> %zu, %.4f bits/byte\n", path, size, coded, bpb);
    nc_codec_free_context(&enc);
    nc_codec_free_context(&dec);
    free(bytes);
    return bpb;
}

int main(int argc, char **argv)
{
    if (argc != 2) return 2;
    char path[4096];
    snprintf(path, sizeof(path), "%s/text/test/opticks.txt", argv[1]);
    double prose = check_file(path);
    snprintf(path, sizeof(path), "%s/text/test/pi.txt", argv[1]);
    double digits = check_file(path);
    if (prose < 0 && digits < 0) {
        printf("skipped: no text test split in %s (scripts/fetch-data text)\n", argv[1]);
        return 77;
    }
    /* 8 bits raw; a broken model or coder lands near or above it. */
    if (prose >= 0) CHECK(prose < 4.5);
    if (digits >= 0) CHECK(digits < 3.8); /* log2(10) = 3.32 per digit */
    return test_result("test_pclossless_text");
}
