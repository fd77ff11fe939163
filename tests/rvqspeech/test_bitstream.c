/* The rvqspeech bitstream: header round trip and rejection, index packets in both
 * modes round-tripping bit-exactly, entropy coding beating the nominal rate on
 * skewed statistics, and damaged packets failing cleanly; version 3's band gains. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/rvqspeech/bitstream.h"
#include "codecs/rvqspeech/rvqspeech.h"
#include "libnc/nn/params.h"
#include "tests/support/tiny_model.h"
#include "tests/test.h"

/* A classic (RVQS) header, as encoders before the compact form wrote it. */
static size_t write_classic(uint8_t *buf, const char *id)
{
    static const uint8_t fixed[16] = {'R', 'V', 'Q', 'S', 2, NC_RVQ_FLAG_NOMINAL, 6,
                                      50, 0x80, 0x3E, 0, 0, 0x40, 0x01, 10, 0};
    size_t n = strlen(id);
    memcpy(buf, fixed, 16);
    buf[15] = (uint8_t)n;
    memcpy(buf + 16, id, n);
    for (int i = 0; i < 32; i++) buf[16 + n + i] = (uint8_t)(i * 7);
    return 16 + n + 32;
}

/* The compact header the encoder writes: the fields, "tiny" (prefix left out) and
 * the first bytes of the model's hash; any shorter or damaged one is refused. */
static void test_compact_header(const NCRvqModel *m)
{
    NCRvqHeader h = {.version = NC_RVQ_VERSION, .flags = NC_RVQ_FLAG_NOMINAL, .stages = 6,
                     .packet_frames = 50}, back;
    uint8_t buf[NC_RVQ_HEADER_MAX];
    size_t n = rvq_header_write(&h, m->file, buf);
    CHECK_EQ(n, 1 + 3 + 4 + NCI_MODEL_PIN_SIZE);
    CHECK_EQ(rvq_header_parse(&back, buf, n), 0);
    CHECK(back.version == NC_RVQ_VERSION && back.flags == h.flags && back.stages == 6 &&
          back.packet_frames == 50);
    CHECK(!strcmp(back.model.id, "rvqspeech-tiny") && back.model.sha256_len == NCI_MODEL_PIN_SIZE);
    CHECK_EQ(nci_model_pin_check(NULL, m->file, &back.model), 0);
    back.model.sha256[NCI_MODEL_PIN_SIZE - 1] ^= 1;
    CHECK_EQ(nci_model_pin_check(NULL, m->file, &back.model), NC_EMODEL);
    CHECK(rvq_header_parse(&back, buf, 1 + 3 + NCI_MODEL_PIN_SIZE) < 0); /* no id left */
    buf[2] = 13; /* stages */
    CHECK(rvq_header_parse(&back, buf, n) < 0);
    buf[2] = 6;
    buf[0] = (uint8_t)((buf[0] & ~0x3f) | (NC_RVQ_VERSION + 1)); /* a later version */
    CHECK_EQ(rvq_header_parse(&back, buf, n), NC_ENOTSUP);
}

static void test_header(void)
{
    NCRvqHeader back;
    uint8_t buf[NC_RVQ_HEADER_MAX];
    size_t n = write_classic(buf, "rvqspeech-small");
    CHECK_EQ(n, 16 + 15 + 32);
    CHECK_EQ(rvq_header_parse(&back, buf, n), 0);
    CHECK(back.flags == NC_RVQ_FLAG_NOMINAL && back.stages == 6 && back.packet_frames == 50);
    CHECK(!strcmp(back.model.id, "rvqspeech-small") && back.model.sha256_len == 32);
    CHECK(!memcmp(back.model.sha256, buf + 16 + 15, 32));
    CHECK(rvq_header_parse(&back, buf, n - 1) < 0);
    CHECK(rvq_header_parse(&back, NULL, 0) < 0);
    /* a flipped top bit in any fixed field is rejected */
    static const int fields[] = {0, 4, 5, 6, 8, 12, 14, 15};
    for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
        uint8_t bad[NC_RVQ_HEADER_MAX];
        memcpy(bad, buf, n);
        bad[fields[f]] ^= 0x80;
        CHECK(rvq_header_parse(&back, bad, n) < 0);
    }
    uint8_t bad[NC_RVQ_HEADER_MAX];
    memcpy(bad, buf, n);
    bad[7] = 201; /* frames per packet */
    CHECK(rvq_header_parse(&back, bad, n) < 0);
    bad[7] = 0;
    CHECK(rvq_header_parse(&back, bad, n) < 0);
    memcpy(bad, buf, n);
    bad[16] = '/'; /* model ids never hold path characters */
    CHECK(rvq_header_parse(&back, bad, n) < 0);
}

/* Every packet layout: versions 1 and 2, entropy-coded and nominal. Version 2's
 * entropy-coded packets carry their counts in the range coder: a full packet
 * costs 3 bytes less than version 1's, a short one (the stream's first and last)
 * up to 2 bytes more. */
static void test_packets(const NCRvqModel *m)
{
    enum { F = 50, S = 12 };
    NCRvqCoder c;
    CHECK_EQ(rvq_coder_init(&c, m, S, 0, 0), 0);
    int idx[F * S], back[F * S];
    NNRng r;
    nn_rng_seed(&r, 5);
    for (int trial = 0; trial < 4; trial++) {
        /* trial 0: uniform indices; later: skewed toward low indices with repeats */
        for (int i = 0; i < F * S; i++) {
            if (trial && i >= S && nn_rng_uniform(&r) < 0.5f)
                idx[i] = idx[i - S];
            else
                idx[i] = trial ? (int)(nn_rng_uniform(&r) * nn_rng_uniform(&r) * 64)
                               : (int)(nn_rng_next(&r) % 1024);
        }
        size_t v1_size[2] = {0, 0}; /* entropy-coded, version 1: full, short */
        for (int layout = 0; layout < 4; layout++) {
            NCRvqHeader h = {.version = 1 + layout / 2, .flags = layout % 2 ? NC_RVQ_FLAG_NOMINAL : 0,
                             .stages = S, .packet_frames = F};
            int nominal = layout % 2, header_bytes = !nominal && h.version == 2 ? 0 : 3;
            for (int full = 0; full < 2; full++) {
                int frames = full ? F : F - 7, samples = full ? F * 320 : 12345;
                uint8_t *pkt;
                size_t size;
                int n, ns;
                CHECK_EQ(rvq_packet_write(&c, &h, idx, NULL, frames, samples, &pkt, &size), 0);
                if (nominal)
                    CHECK_EQ(size, (size_t)(3 + (frames * S * 10 + 7) / 8));
                else if (trial)
                    CHECK(size < (size_t)(3 + frames * S * 10 / 8 / 2)); /* well under nominal */
                if (!nominal && h.version == 1) v1_size[full] = size;
                if (!nominal && h.version == 2 && full) CHECK(size + 3 <= v1_size[1] + 1);
                if (!nominal && h.version == 2 && !full) CHECK(size <= v1_size[0] + 2); /* 37 bits vs 24 */
                memset(back, 0xff, sizeof(back));
                CHECK_EQ(rvq_packet_read(&c, &h, pkt, size, back, NULL, &n, &ns), 0);
                CHECK_EQ(n, frames);
                CHECK_EQ(ns, samples);
                CHECK(!memcmp(idx, back, sizeof(int) * (size_t)(frames * S)));
                /* truncations, extensions and bit flips: an error or a valid reading,
                 * never a crash (ASan and the fuzz target guard the rest) */
                int rejected = 0;
                for (size_t cut = 0; cut < size; cut += 1 + size / 16)
                    rejected += rvq_packet_read(&c, &h, pkt, cut, back, NULL, &n, &ns) < 0;
                CHECK_EQ(rejected, (int)((size + size / 16) / (1 + size / 16)));
                uint8_t *longer = malloc(size + 8);
                memcpy(longer, pkt, size);
                memset(longer + size, 0x5a, 8);
                CHECK(rvq_packet_read(&c, &h, longer, size + 8, back, NULL, &n, &ns) < 0);
                free(longer);
                if (header_bytes) {
                    pkt[0] = F + 1; /* more frames than the stream header allows */
                    CHECK(rvq_packet_read(&c, &h, pkt, size, back, NULL, &n, &ns) < 0);
                    pkt[0] = (uint8_t)frames;
                    pkt[1] = 0xff, pkt[2] = 0xff; /* more samples than its frames make */
                    CHECK(rvq_packet_read(&c, &h, pkt, size, back, NULL, &n, &ns) < 0);
                }
                free(pkt);
            }
        }
    }
    /* version 2, in band: a count beyond the header's frames per packet is refused */
    NCRvqHeader small = {.version = 2, .stages = S, .packet_frames = 10};
    uint8_t *pkt;
    size_t size;
    int n, ns;
    CHECK_EQ(rvq_packet_write(&c, &small, idx, NULL, 11, 320, &pkt, &size), 0);
    CHECK(rvq_packet_read(&c, &small, pkt, size, back, NULL, &n, &ns) < 0);
    free(pkt);
    CHECK_EQ(rvq_packet_write(&c, &small, idx, NULL, 2, 641, &pkt, &size), 0);
    CHECK(rvq_packet_read(&c, &small, pkt, size, back, NULL, &n, &ns) < 0);
    free(pkt);
    rvq_coder_free(&c);
}

/* Version 3's band gains and version 4's phase turns: the header flags (gains refused
 * before version 3 and at a constant rate, turns before version 4 and without
 * gains), and packets whose indices and corrections round-trip exactly, whose
 * damage fails cleanly, and whose skewed gains cost well under uniform coding. */
static void test_gain_packets(const NCRvqModel *m, int phase)
{
    const int version = phase ? 4 : 3, flags = NC_RVQ_FLAG_GAINS | (phase ? NC_RVQ_FLAG_PHASE : 0);
    NCRvqHeader h = {.version = version, .flags = flags, .stages = 4, .packet_frames = 40}, back;
    uint8_t buf[NC_RVQ_HEADER_MAX];
    size_t hn = rvq_header_write(&h, m->file, buf);
    CHECK_EQ(rvq_header_parse(&back, buf, hn), 0);
    CHECK(back.version == version && back.gains == 1 && back.phase == phase && back.flags == flags);
    h.version = version - 1;
    hn = rvq_header_write(&h, m->file, buf);
    CHECK(rvq_header_parse(&back, buf, hn) < 0); /* gains before version 3, turns before 4 */
    h.version = version;
    h.flags |= NC_RVQ_FLAG_NOMINAL;
    hn = rvq_header_write(&h, m->file, buf);
    CHECK(rvq_header_parse(&back, buf, hn) < 0); /* gains at a constant rate */
    h.flags = flags | 8;
    hn = rvq_header_write(&h, m->file, buf);
    CHECK(rvq_header_parse(&back, buf, hn) < 0); /* unknown flag */
    h.flags = NC_RVQ_FLAG_PHASE;
    hn = rvq_header_write(&h, m->file, buf);
    CHECK(rvq_header_parse(&back, buf, hn) < 0); /* turns without gains */
    h.flags = flags;

    enum { F = 40, S = 4, B = NC_RVQ_SIDE, G = NC_RVQ_GAIN_BANDS };
    NCRvqCoder c;
    CHECK_EQ(rvq_coder_init(&c, m, S, 1, phase), 0);
    int idx[F * S], back_idx[F * S];
    int8_t g[F * B], back_g[F * B];
    NNRng r;
    nn_rng_seed(&r, 9);
    for (int trial = 0; trial < 3; trial++) {
        /* trial 0: every gain uniform over -15..15; later: small, following the frame
         * before; turns uniform over 0..7 (0 without them) */
        for (int i = 0; i < F * S; i++) idx[i] = (int)(nn_rng_next(&r) % 1024);
        for (int f = 0; f < F; f++) {
            for (int j = 0; j < G; j++) {
                int v = trial ? (int)(nn_rng_uniform(&r) * 3) - 1 + (f ? g[(f - 1) * B + j] / 2 : 0)
                              : (int)(nn_rng_next(&r) % NC_RVQ_GAIN_SYMS) - NC_RVQ_GAIN_MAX;
                g[f * B + j] = (int8_t)v;
            }
            for (int j = G; j < B; j++) g[f * B + j] = phase ? (int8_t)(nn_rng_next(&r) % NC_RVQ_PHASE_STEPS) : 0;
        }
        uint8_t *pkt;
        size_t size;
        int n, ns;
        CHECK_EQ(rvq_packet_write(&c, &h, idx, g, F, F * 320, &pkt, &size), 0);
        const size_t turns = phase ? F * (B - G) * 3 / 8 : 0; /* 3 bits a turn */
        if (trial) /* under 3 bits a gain, where uniform coding would take 4.95 */
            CHECK(size < (size_t)(F * S * 10 / 8 + F * G * 3 / 8) + turns + turns / 20);
        else
            CHECK(size > (size_t)(F * S * 10 / 8 + F * G * 4.9 / 8) + turns);
        memset(back_g, 0, sizeof(back_g));
        CHECK_EQ(rvq_packet_read(&c, &h, pkt, size, back_idx, back_g, &n, &ns), 0);
        CHECK(n == F && ns == F * 320);
        CHECK(!memcmp(idx, back_idx, sizeof(idx)) && !memcmp(g, back_g, sizeof(g)));
        int rejected = 0;
        for (size_t cut = 0; cut < size; cut += 1 + size / 16)
            rejected += rvq_packet_read(&c, &h, pkt, cut, back_idx, back_g, &n, &ns) < 0;
        CHECK_EQ(rejected, (int)((size + size / 16) / (1 + size / 16)));
        /* read as a stream without gains (or without turns), the same bytes do not pass */
        NCRvqCoder plain;
        NCRvqHeader h2 = {.version = phase ? 3 : 2, .flags = phase ? NC_RVQ_FLAG_GAINS : 0, .stages = S,
                          .packet_frames = F};
        CHECK_EQ(rvq_coder_init(&plain, m, S, phase, 0), 0);
        CHECK(rvq_packet_read(&plain, &h2, pkt, size, back_idx, back_g, &n, &ns) < 0);
        rvq_coder_free(&plain);
        free(pkt);
    }
    rvq_coder_free(&c);
}

int main(void)
{
    char path[] = "/tmp/rvqspeech-test-XXXXXX.ncm";
    int fd = mkstemps(path, 4);
    CHECK(fd >= 0);
    CHECK_EQ(rvq_test_write_tiny_model(path, 1), 0);
    NCRvqModel m;
    CHECK_EQ(rvq_open_model(&m, NULL, "rvqspeech-tiny", path, NULL), 0);
    test_header();
    test_compact_header(&m);
    test_packets(&m);
    test_gain_packets(&m, 0);
    test_gain_packets(&m, 1);
    rvq_model_free(&m);
    remove(path);
    return test_result("test_rvqspeech_bitstream");
}
