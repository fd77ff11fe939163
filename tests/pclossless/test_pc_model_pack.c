/* pclossless model storage: the packed tables (pc_model_pack.c) give back exactly the
 * integers they were made from, the written .ncm builds the same coding tables as the
 * integers it was written from, damaged or hostile packed tables fail with NC_EMODEL,
 * and models of the older unpacked form are refused but convert to identical tables. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codecs/pclossless/pc_model.h"
#include "codecs/pclossless/pc_model_pack.h"
#include "entropy/escape.h"
#include "entropy/range_encoder.h"
#include "nc/error.h"
#include "nc/log.h"
#include "tests/test.h"

static uint32_t rng = 2024;
static uint32_t next_rand(void)
{
    rng = rng * 1664525u + 1013904223u;
    return rng >> 8;
}

typedef struct IntModel {
    int pw, ph, k, d;
    int32_t *parent;
    int16_t *prior, *edge;
    uint8_t *codes;
} IntModel;

/* A random model with the shapes of a trained one and its extremes: edge weights of
 * every bit length (1 and 32767 included), leaf rows with a floor and scattered codes,
 * rows of one value, codes 0 and 255. */
static void make_model(IntModel *m, int pw, int ph, int k)
{
    m->pw = pw, m->ph = ph, m->k = k, m->d = pw * ph;
    int d = m->d;
    m->parent = malloc(sizeof(int32_t) * (size_t)d);
    m->prior = malloc(sizeof(int16_t) * (size_t)k);
    m->edge = malloc(sizeof(int16_t) * (size_t)d * k * k);
    m->codes = malloc((size_t)d * k * PC_NUM_VALUES);
    m->parent[0] = -1;
    for (int v = 1; v < d; v++)
        m->parent[v] = (int32_t)(next_rand() % (unsigned)v);
    for (int z = 0; z < k; z++)
        m->prior[z] = (int16_t)(1 + next_rand() % 32767);
    for (size_t i = 0; i < (size_t)d * k * k; i++) {
        unsigned r = next_rand();
        int bits = (int)(r % 16);
        int w = 1 + (int)(next_rand() & ((1u << bits) - 1));
        if (r % 97 == 0) w = 32767;
        if (r % 89 == 0) w = 1;
        m->edge[i] = (int16_t)(w > 32767 ? 32767 : w);
    }
    for (size_t row = 0; row < (size_t)d * k; row++) {
        uint8_t *c = m->codes + row * PC_NUM_VALUES;
        unsigned kind = next_rand() % 4, floor = next_rand() % 256;
        for (int x = 0; x < PC_NUM_VALUES; x++) {
            unsigned r = next_rand();
            if (kind == 0)
                c[x] = (uint8_t)floor; /* one value */
            else if (kind == 1)
                c[x] = (uint8_t)(r % 256); /* noise */
            else
                c[x] = (uint8_t)(r % 3 ? floor : floor - (r >> 8) % (kind == 2 ? 40 : 256));
        }
        if (kind == 3) c[next_rand() % 256] = 0, c[next_rand() % 256] = 255;
    }
}

static void free_model(IntModel *m)
{
    free(m->parent);
    free(m->prior);
    free(m->edge);
    free(m->codes);
}

/* Packs, unpacks and compares; then cuts and damages the packed parts. */
static void test_pack_roundtrip(int pw, int ph, int k)
{
    IntModel m;
    make_model(&m, pw, ph, k);
    uint8_t *counts, *stream;
    size_t counts_size, stream_size;
    CHECK_EQ(pc_pack_encode(m.d, k, m.edge, m.codes, &counts, &counts_size, &stream, &stream_size),
             0);
    CHECK(counts_size + stream_size >= pc_pack_min_size(m.d, k));
    size_t ne = (size_t)m.d * k * k, nl = (size_t)m.d * k * PC_NUM_VALUES;
    /* room for k + 1 states (the wrong-shape check below) */
    int16_t *edge = malloc(sizeof(int16_t) * (size_t)m.d * (k + 1) * (k + 1));
    uint8_t *codes = malloc((size_t)m.d * (k + 1) * PC_NUM_VALUES);
    CHECK_EQ(pc_pack_decode(m.d, k, counts, counts_size, stream, stream_size, edge, codes), 0);
    CHECK(memcmp(edge, m.edge, sizeof(int16_t) * ne) == 0);
    CHECK(memcmp(codes, m.codes, nl) == 0);
    /* Wrong shapes, short parts. */
    CHECK_EQ(pc_pack_decode(m.d, k + (k < 64 ? 1 : -1), counts, counts_size, stream, stream_size,
                            edge, codes) == 0,
             0);
    CHECK_EQ(pc_pack_decode(m.d, k, counts, counts_size, stream, stream_size - 4, edge, codes),
             NC_EMODEL);
    CHECK_EQ(pc_pack_decode(m.d, k, counts, counts_size, stream, stream_size / 2, edge, codes),
             NC_EMODEL);
    CHECK_EQ(pc_pack_decode(m.d, k, counts, 1, stream, 0, edge, codes), NC_EMODEL);
    /* One damaged byte: never a crash; an error, or (rarely) some other model. */
    int detected = 0, trials = 60;
    for (int t = 0; t < trials; t++) {
        int in_counts = t % 3 == 0;
        uint8_t *p = in_counts ? counts : stream;
        size_t n = in_counts ? counts_size : stream_size, at = next_rand() % n;
        uint8_t saved = p[at];
        p[at] ^= (uint8_t)(1 + next_rand() % 255);
        int ret = pc_pack_decode(m.d, k, counts, counts_size, stream, stream_size, edge, codes);
        CHECK(ret == 0 || ret == NC_EMODEL);
        detected += ret == NC_EMODEL;
        p[at] = saved;
    }
    CHECK(detected >= trials * 3 / 4);
    /* Garbage of the right size. */
    for (size_t i = 0; i < stream_size; i++)
        stream[i] = (uint8_t)next_rand();
    int ret = pc_pack_decode(m.d, k, counts, counts_size, stream, stream_size, edge, codes);
    CHECK_EQ(ret, NC_EMODEL);
    free(counts);
    free(stream);
    free(edge);
    free(codes);
    free_model(&m);
}

/* Model counts at the extremes of their coding (a count of 2^32 - 1 followed by more
 * counts, whose Exp-Golomb order then saturates): decoded without undefined
 * behaviour or a hang, and the model refused since no stream fits them. */
static void test_hostile_counts(void)
{
    enum { STORED_MODELS = 5621 }; /* conformance/spec/pclossless.md, section 2.1 */
    RCEncoder enc;
    rc_enc_init(&enc);
    static const uint32_t big[3] = {0xfffffffeu, 0xffffffffu, 0x80000000u};
    for (int m = 0; m < STORED_MODELS; m++) {
        rc_encode_bits(&enc, m == 0, 1);
        uint64_t prev = 0;
        for (unsigned i = 0; m == 0 && i < 256; i++) { /* FLOOR: 256 counts */
            uint32_t c = i % 2 ? big[i % 3] : 7;
            unsigned order = 0;
            while (order < 16 && (prev + 1) >> (order + 1))
                order++;
            rc_encode_expgolomb(&enc, c, order);
            prev = c;
        }
    }
    CHECK_EQ(rc_enc_flush(&enc), 0);
    int d = 1, k = 1;
    size_t need = pc_pack_min_size(d, k);
    uint8_t stream[64] = {0};
    int16_t edge[1];
    uint8_t codes[PC_NUM_VALUES];
    size_t ssize = need > enc.size ? need - enc.size : 40;
    if (ssize < 40) ssize = 40;
    CHECK_EQ(pc_pack_decode(d, k, enc.buf, enc.size, stream, ssize, edge, codes), NC_EMODEL);
    rc_enc_free(&enc);
}

/* The .ncm path: written integers -> file -> coding model, against the coding model
 * built from the integers directly. */
static void test_file_roundtrip(const char *path)
{
    IntModel m;
    make_model(&m, 7, 5, 12);
    const char *params[] = {"train_note", "test", NULL};
    CHECK_EQ(pc_model_write_ints(m.pw, m.ph, m.k, m.parent, m.prior, m.edge, m.codes,
                                 "pclossless-packtest", path, params),
             0);
    PCCodingModel want, got;
    CHECK_EQ(pc_coding_model_build(&want, m.pw, m.ph, m.k, m.parent, m.prior, m.edge, m.codes), 0);
    NCModel *model = NULL;
    CHECK_EQ(nc_model_load_file(&model, path), 0);
    if (model) {
        CHECK(nc_model_param(model, "train_note") &&
              !strcmp(nc_model_param(model, "train_note"), "test"));
        CHECK(nc_model_tensor(model, "leaf") == NULL && nc_model_tensor(model, "edge") == NULL);
        CHECK_EQ(pc_coding_model_from_ncm(&got, model), 0);
        CHECK(pc_coding_model_equal(&want, &got));
        pc_coding_model_free(&got);
        nc_model_free(&model);
    }
    pc_coding_model_free(&want);
    free_model(&m);
}

/* A model of the unpacked form (as pc_model_write wrote it before the packed form):
 * refused by the codec, converted to identical coding tables. */
static void test_old_form(const char *old_path, const char *new_path)
{
    IntModel m;
    make_model(&m, 6, 6, 9);
    size_t nl = (size_t)m.d * m.k * PC_NUM_VALUES;
    int8_t *leaf = malloc(nl);
    float *scales = malloc(sizeof(float) * (size_t)m.d);
    for (size_t i = 0; i < nl; i++)
        leaf[i] = (int8_t)((int)m.codes[i] - 128);
    for (int v = 0; v < m.d; v++)
        scales[v] = 1.0f;
    NCModelWriter *w = nc_model_writer_alloc("pclossless-oldform", PC_MODEL_ARCH);
    int64_t dp[1] = {m.d}, dz[1] = {m.k}, de[3] = {m.d, m.k, m.k},
            dl[3] = {m.d, m.k, PC_NUM_VALUES};
    CHECK_EQ(nc_model_writer_set_param_int(w, "patch_width", m.pw), 0);
    CHECK_EQ(nc_model_writer_set_param_int(w, "patch_height", m.ph), 0);
    CHECK_EQ(nc_model_writer_set_param_int(w, "states", m.k), 0);
    CHECK_EQ(nc_model_writer_set_param(w, "seed", "7"), 0);
    CHECK_EQ(nc_model_writer_add_tensor(w, "parent", NC_MODEL_I32, 1, dp, m.parent, NULL), 0);
    CHECK_EQ(nc_model_writer_add_tensor(w, "prior", NC_MODEL_I16, 1, dz, m.prior, NULL), 0);
    CHECK_EQ(nc_model_writer_add_tensor(w, "edge", NC_MODEL_I16, 3, de, m.edge, NULL), 0);
    CHECK_EQ(nc_model_writer_add_tensor(w, "leaf", NC_MODEL_I8, 3, dl, leaf, scales), 0);
    CHECK_EQ(nc_model_writer_write_file(w, old_path, NULL), 0);
    nc_model_writer_free(&w);

    NCModel *model = NULL;
    PCCodingModel cm;
    CHECK_EQ(nc_model_load_file(&model, old_path), 0);
    if (model) CHECK_EQ(pc_coding_model_from_ncm(&cm, model), NC_EMODEL);
    nc_model_free(&model);

    CHECK_EQ(pc_model_convert(old_path, new_path), 0);
    CHECK_EQ(pc_model_convert(new_path, old_path), NC_EMODEL); /* already packed */
    PCCodingModel want;
    CHECK_EQ(pc_coding_model_build(&want, m.pw, m.ph, m.k, m.parent, m.prior, m.edge, m.codes), 0);
    CHECK_EQ(nc_model_load_file(&model, new_path), 0);
    if (model) {
        CHECK(!strcmp(nc_model_id(model), "pclossless-oldform"));
        CHECK(nc_model_param(model, "seed") && !strcmp(nc_model_param(model, "seed"), "7"));
        CHECK_EQ(pc_coding_model_from_ncm(&cm, model), 0);
        CHECK(pc_coding_model_equal(&want, &cm));
        pc_coding_model_free(&cm);
        nc_model_free(&model);
    }
    pc_coding_model_free(&want);
    free(leaf);
    free(scales);
    free_model(&m);
}

int main(void)
{
    char path[256], old_path[256];
    snprintf(path, sizeof(path), "pc-packtest-%d.ncm", (int)getpid());
    snprintf(old_path, sizeof(old_path), "pc-oldform-%d.ncm", (int)getpid());
    nc_log_set_level(NC_LOG_QUIET);
    test_pack_roundtrip(1, 1, 1);
    test_pack_roundtrip(3, 2, 1);
    test_pack_roundtrip(4, 4, 5);
    test_pack_roundtrip(2, 3, 64);
    test_pack_roundtrip(28, 1, 16);
    test_hostile_counts();
    test_file_roundtrip(path);
    test_old_form(old_path, path);
    remove(path);
    remove(old_path);
    return test_result("test_pc_model_pack");
}
