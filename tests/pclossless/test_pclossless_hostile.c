/* Hostile pclossless packets cost only what their bytes pay for (issue 21, 1):
 * a stream header declaring a large picture with a packet too short for it is
 * refused before the picture is allocated, and a packet that runs out midway
 * stops at the tile where it ran out. Measured with a fixed allocation limit
 * (RLIMIT_AS, where the sanitizers allow one) and a step counter (the interrupt
 * callback, polled once per tile), never with a clock. The callback also stops a
 * decode that runs on, so a regression fails instead of hanging. */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "codecs/pclossless/pclossless.h"
#include "tests/support/roundtrip.h"
#include "tests/test.h"

#if defined(__SANITIZE_ADDRESS__)
#define ADDRESS_LIMIT_WORKS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define ADDRESS_LIMIT_WORKS 0
#endif
#endif
#ifndef ADDRESS_LIMIT_WORKS
#define ADDRESS_LIMIT_WORKS 1
#endif

/* Address space the decoding child may add to what it holds: far below one
 * 32768 x 8192 RGB picture (768 MiB), above what the model and a small picture
 * need. */
#define ALLOCATION_LIMIT ((rlim_t)192 << 20)

typedef struct Steps {
    long polls, stop_after;
} Steps;

static int count_step(void *opaque)
{
    Steps *s = opaque;
    return ++s->polls > s->stop_after;
}

/* The stream header of the default model and the packet of a 1 x 1 picture. */
static int one_pixel_stream(uint8_t *header, size_t *header_size, NCPacket *pkt)
{
    NCCodecContext *enc = NULL;
    NCFrame f = {0};
    int ret = pc_test_open_encoder(&enc, 1, 1, NC_PIX_GRAY8, NULL, NULL);
    if (ret >= 0) ret = pc_test_make_frame(&f, 1, 1, NC_PIX_GRAY8, (const uint8_t[]){7});
    if (ret >= 0) ret = pc_test_encode(enc, &f, pkt);
    if (ret >= 0) {
        memcpy(header, enc->extradata, enc->extradata_size);
        *header_size = enc->extradata_size;
    }
    nc_frame_unref(&f);
    nc_codec_free_context(&enc);
    return ret;
}

static NCCodecContext *open_decoder(const uint8_t *header, size_t header_size, int w, int h,
                                    enum NCPixelFormat fmt, Steps *steps)
{
    NCCodecContext *dec = nc_codec_alloc_context(nc_codec_find_decoder_by_name("pclossless"));
    if (!dec) return NULL;
    dec->width = w;
    dec->height = h;
    dec->pix_fmt = fmt;
    dec->interrupt_cb = count_step;
    dec->interrupt_opaque = steps;
    if (nc_codec_set_extradata(dec, header, header_size) < 0 || nc_codec_open(dec) < 0)
        nc_codec_free_context(&dec);
    return dec;
}

static int decode_one(NCCodecContext *dec, const uint8_t *data, size_t size)
{
    NCPacket pkt = {0};
    NCFrame frame = {0};
    int ret = nc_packet_from_data(&pkt, data, size);
    if (ret >= 0) ret = nc_send_packet(dec, &pkt);
    if (ret >= 0) ret = nc_receive_frame(dec, &frame);
    nc_frame_unref(&frame);
    nc_packet_unref(&pkt);
    return ret;
}

/* Runs in a child under the allocation limit: exits 0 if every check held. */
static int hostile_headers(const uint8_t *header, size_t header_size, const NCPacket *tiny)
{
    if (ADDRESS_LIMIT_WORKS) {
        /* The model is loaded once before the limit, as a decoder would be. */
        struct rlimit rl;
        getrlimit(RLIMIT_AS, &rl);
        FILE *f = fopen("/proc/self/statm", "r");
        unsigned long pages = 0;
        if (f && fscanf(f, "%lu", &pages) != 1) pages = 0;
        if (f) fclose(f);
        rl.rlim_cur = (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) + ALLOCATION_LIMIT;
        CHECK(setrlimit(RLIMIT_AS, &rl) == 0);
    }
    static const struct {
        int w, h;
        enum NCPixelFormat fmt;
    } pictures[] = {{4096, 4096, NC_PIX_GRAY8}, {32768, 8192, NC_PIX_GRAY8},
                    {32768, 8192, NC_PIX_RGB24}};
    for (size_t i = 0; i < sizeof(pictures) / sizeof(pictures[0]); i++) {
        Steps steps = {0, 8};
        NCCodecContext *dec = open_decoder(header, header_size, pictures[i].w, pictures[i].h,
                                           pictures[i].fmt, &steps);
        CHECK(dec != NULL);
        if (!dec) continue;
        /* Refused before the picture is allocated (NC_ENOMEM under the limit) or
         * any tile is decoded. */
        CHECK_EQ(decode_one(dec, tiny->data, tiny->size), NC_ETRUNCATED);
        CHECK_EQ(steps.polls, 0);
        nc_codec_free_context(&dec);
    }
    return test_failures ? 1 : 0;
}

static void check_allocation_bound(const uint8_t *header, size_t header_size, const NCPacket *tiny)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) _exit(hostile_headers(header, header_size, tiny));
    int status = 0;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Deterministic noise, so that a failure reproduces. */
static void noise(uint8_t *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        p[i] = (uint8_t)(seed >> 24);
    }
}

/* A packet long enough for its declared 4096 x 4096 picture, but noise: decoding
 * stops in the tile where it reads past the packet's end, which for noise (many
 * bits per tile) comes long before the last tile. Whatever the bytes, the tiles
 * reached are bounded by what they pay for: each costs at least its flag (1/64
 * bit) and 28 x 28 pixels of the model's pixel_info. */
static void check_work_bound(const uint8_t *header, size_t header_size)
{
    PCContext pcx = {0};
    CHECK_EQ(pc_context_open(&pcx, NULL, PC_DEFAULT_MODEL, NULL, NULL), 0);
    uint64_t tile_info = pc_plane_info_floor(&pcx, pcx.cm.patch_w, pcx.cm.patch_h);
    uint64_t need = rc_stream_min_bytes(pc_plane_info_floor(&pcx, 4096, 4096));
    pc_context_close(&pcx);
    CHECK(tile_info > 0);
    CHECK(need > 64);
    size_t size = (size_t)need + 64;
    uint8_t *packet = malloc(size);
    CHECK(packet != NULL);
    if (!packet || !tile_info) return;
    long bound = (long)(((uint64_t)size << (RC_INFO_FRAC_BITS + 3)) / tile_info) + 1;
    long tiles = (4096 / 28 + 1) * (4096 / 28 + 1);
    fprintf(stderr, "packet of %zu bytes: at most %ld of %ld tiles\n", size, bound, tiles);
    CHECK(bound <= tiles);
    for (uint32_t seed = 1; seed <= 4; seed++) {
        noise(packet, size, seed);
        Steps steps = {0, tiles / 16};
        NCCodecContext *dec = open_decoder(header, header_size, 4096, 4096, NC_PIX_GRAY8, &steps);
        CHECK(dec != NULL);
        if (!dec) break;
        int ret = decode_one(dec, packet, size);
        CHECK(ret == NC_ETRUNCATED || ret == NC_EINVALIDDATA);
        CHECK(steps.polls <= bound);
        CHECK(steps.polls < tiles / 16); /* the fixed noise runs out within 100 tiles */
        fprintf(stderr, "noise %u: %s after %ld tiles\n", seed, nc_strerror(ret), steps.polls);
        nc_codec_free_context(&dec);
    }
    free(packet);
}

/* The interrupt callback stops a long decode at the next tile with NC_EINTR. */
static void check_interrupt(const uint8_t *header, size_t header_size)
{
    size_t size = 1 << 16;
    uint8_t *packet = malloc(size);
    CHECK(packet != NULL);
    if (!packet) return;
    noise(packet, size, 99);
    Steps steps = {0, 3};
    NCCodecContext *dec = open_decoder(header, header_size, 2048, 2048, NC_PIX_GRAY8, &steps);
    CHECK(dec != NULL);
    if (dec) {
        int ret = decode_one(dec, packet, size);
        /* Unless the noise ran out within 3 tiles, the callback stopped it. */
        CHECK(ret == NC_EINTR || (steps.polls <= 3 && ret < 0));
        CHECK(steps.polls <= 4);
    }
    nc_codec_free_context(&dec);
    free(packet);
}

int main(void)
{
    uint8_t header[PC_HEADER_MAX_SIZE];
    size_t header_size = 0;
    NCPacket tiny = {0};
    if (one_pixel_stream(header, &header_size, &tiny) < 0) {
        fprintf(stderr, "pclossless_hostile: the default model is missing\n");
        return 1;
    }
    check_allocation_bound(header, header_size, &tiny);
    check_work_bound(header, header_size);
    check_interrupt(header, header_size);
    nc_packet_unref(&tiny);
    return test_result("pclossless_hostile");
}
