/* rANS: round trips at every precision and lane remainder, output bounds, misuse,
 * and hostile input. */
#include <stdlib.h>
#include <string.h>

#include "entropy/cdf.h"
#include "entropy/rans.h"
#include "entropy/static_model.h"
#include "tests/entropy/test_util.h"

static void test_round_trips(void)
{
    EntRng r = {3};
    static uint32_t syms[3000], out_syms[3000];
    static uint8_t bytes[3000], out_bytes[3000];
    static uint64_t w[300];
    for (unsigned prec = 1; prec <= RANS_MAX_PREC; prec++) {
        unsigned nsyms = 1 + ent_rng_below(&r, prec >= 8 ? 256 : 1u << prec);
        for (unsigned s = 0; s < nsyms; s++) w[s] = ent_rng_below(&r, 4) ? ent_rng_below(&r, 1000) : 0;
        w[nsyms - 1] += 1;
        RCStaticModel m;
        CHECK(rc_static_init_weights(&m, w, nsyms, prec, 1) == 0);
        for (size_t n = 0; n < 3000; n += 1 + n * 3) {
            for (size_t i = 0; i < n; i++) {
                syms[i] = rc_static_find(&m, ent_rng_below(&r, 1u << prec));
                bytes[i] = (uint8_t)syms[i];
            }
            size_t cap = rans_encode_bound(n, prec);
            uint8_t *buf = malloc(cap);
            ptrdiff_t size = rans_encode(&m, 1, NULL, syms, n, buf, cap);
            CHECK(size > 0 && (size_t)size <= cap);
            CHECK(rans_decode(&m, 1, NULL, buf, (size_t)size, out_syms, n) == 0);
            CHECK(memcmp(syms, out_syms, n * sizeof(*syms)) == 0);
            uint8_t *buf2 = malloc(cap);
            ptrdiff_t size2 = rans_encode_bytes(&m, bytes, n, buf2, cap);
            CHECK(size2 == size && memcmp(buf, buf2, (size_t)size) == 0);
            CHECK(rans_decode_bytes(&m, buf, (size_t)size, out_bytes, n) == 0);
            CHECK(memcmp(bytes, out_bytes, n) == 0);
            /* Too small an output buffer fails cleanly at every size. */
            for (size_t c = 0; c < (size_t)size; c += 1 + (size_t)size / 7)
                CHECK(rans_encode(&m, 1, NULL, syms, n, buf2, c) == NC_ENOSPC);
            /* Truncated or extended streams are reported. */
            if (n > 0) CHECK(rans_decode(&m, 1, NULL, buf, (size_t)size - 4, out_syms, n) != 0);
            CHECK(rans_decode_bytes(&m, buf, (size_t)size - 1, out_bytes, n) != 0);
            free(buf);
            free(buf2);
        }
        rc_static_free(&m);
    }
}

static void test_misuse_and_garbage(void)
{
    uint64_t w[4] = {5, 0, 7, 9};
    RCStaticModel m;
    CHECK(rc_static_init_weights(&m, w, 4, 12, 1) == 0);
    uint32_t syms[8] = {0, 2, 3, 1, 0, 0, 0, 0};
    uint8_t bytes[8] = {0, 2, 3, 4, 0, 0, 0, 0};
    uint8_t buf[256];
    CHECK(rans_encode(&m, 1, NULL, syms, 8, buf, sizeof(buf)) == NC_EINVAL); /* freq 0 */
    CHECK(rans_encode_bytes(&m, bytes, 8, buf, sizeof(buf)) == NC_EINVAL);   /* sym >= nsyms */
    uint16_t idx[8] = {0, 0, 0, 0, 0, 0, 0, 1};
    syms[3] = 0;
    CHECK(rans_encode(&m, 1, idx, syms, 8, buf, sizeof(buf)) == NC_EINVAL);
    CHECK(rans_decode(&m, 1, idx, buf, sizeof(buf), syms, 8) == NC_EINVAL);
    /* Random bytes never decode out of bounds; symbols stay in the model. */
    EntRng r = {11};
    uint32_t out[64];
    uint8_t outb[64];
    int accepted = 0;
    for (int k = 0; k < 2000; k++) {
        size_t size = ent_rng_below(&r, 80);
        uint8_t *junk = malloc(size ? size : 1);
        for (size_t i = 0; i < size; i++) junk[i] = (uint8_t)ent_rng_u32(&r);
        if (k & 1) /* plausible states: 0x80 in the top byte of each */
            for (size_t l = 0; l < 4 && 8 * l + 7 < size; l++) junk[8 * l + 7] = 0x40;
        int ret = rans_decode(&m, 1, NULL, junk, size, out, 64);
        for (int i = 0; i < 64; i++) CHECK(out[i] < 4 && out[i] != 1);
        accepted += ret == 0;
        ret = rans_decode_bytes(&m, junk, size, outb, 64);
        accepted += ret == 0;
        free(junk);
    }
    CHECK(accepted == 0);
    rc_static_free(&m);
}

static void test_models(void)
{
    /* Per-symbol models through the same API, including a 24-bit one without LUT. */
    RCStaticModel models[2];
    uint64_t w[1000];
    for (int s = 0; s < 1000; s++) w[s] = 1000000 / (s + 1);
    CHECK(rc_static_init_weights(&models[0], w, 1000, 24, 1) == 0);
    CHECK(rc_static_init_weights(&models[1], w, 10, 5, 1) == 0);
    CHECK(models[0].lut == NULL && models[1].lut != NULL);
    enum { N = 5000 };
    static uint32_t syms[N], out[N];
    static uint16_t idx[N];
    EntRng r = {17};
    for (int i = 0; i < N; i++) {
        idx[i] = (uint16_t)ent_rng_below(&r, 2);
        syms[i] = rc_static_find(&models[idx[i]], ent_rng_below(&r, 1u << models[idx[i]].prec));
    }
    size_t cap = rans_encode_bound(N, 24);
    uint8_t *buf = malloc(cap);
    ptrdiff_t size = rans_encode(models, 2, idx, syms, N, buf, cap);
    CHECK(size > 0);
    CHECK(rans_decode(models, 2, idx, buf, (size_t)size, out, N) == 0);
    CHECK(memcmp(syms, out, sizeof(syms)) == 0);
    free(buf);
    rc_static_free(&models[0]);
    rc_static_free(&models[1]);
}

/* Symbol-by-symbol decoding with models chosen from the symbols before (a context
 * model): the same symbols as rans_decode() with the model indices known up front,
 * the two-step form gives the same, and damage is reported by rans_dec_finish(). */
static void test_context_decoder(void)
{
    enum { N = 4000, NM = 3 };
    RCStaticModel models[NM];
    uint64_t w[3][40] = {{0}};
    for (int s = 0; s < 40; s++) {
        w[0][s] = 1 + (uint64_t)s;
        w[1][s] = 1000 >> (s / 4);
        w[2][s] = s % 3 ? 0 : 50;
    }
    CHECK(rc_static_init_weights(&models[0], w[0], 40, 20, 1) == 0); /* no LUT */
    CHECK(rc_static_init_weights(&models[1], w[1], 40, 12, 1) == 0); /* LUT */
    CHECK(rc_static_init_weights(&models[2], w[2], 40, 18, 1) == 0);
    static uint32_t syms[N];
    static uint16_t idx[N];
    EntRng r = {29};
    unsigned prev = 0;
    for (int i = 0; i < N; i++) {
        idx[i] = (uint16_t)(prev % NM); /* the model follows the previous symbol */
        syms[i] = rc_static_find(&models[idx[i]], ent_rng_below(&r, 1u << models[idx[i]].prec));
        prev = syms[i];
    }
    size_t cap = rans_encode_bound(N, 20);
    uint8_t *buf = malloc(cap);
    ptrdiff_t size = rans_encode(models, NM, idx, syms, N, buf, cap);
    CHECK(size > 0);
    for (int form = 0; form < 2; form++) {
        RansDecoder d;
        CHECK(rans_dec_init(&d, buf, (size_t)size) == 0);
        int same = 1;
        prev = 0;
        for (int i = 0; i < N; i++) {
            const RCStaticModel *m = &models[prev % NM];
            unsigned s;
            if (form == 0) {
                s = rans_dec_symbol(&d, m);
            } else {
                uint32_t v = rans_dec_slot(&d, m->prec);
                s = rc_cdf_find(m->cdf, m->nsyms, v);
                rans_dec_advance(&d, m->cdf[s + 1] - m->cdf[s], v - m->cdf[s], m->prec);
            }
            same &= s == syms[i];
            prev = s;
        }
        CHECK(same);
        CHECK(rans_dec_truncated(&d) == 0);
        CHECK(rans_dec_finish(&d) == 0);
    }
    /* Truncated, damaged, too short for the states. */
    RansDecoder d;
    CHECK(rans_dec_init(&d, buf, 16) == NC_ETRUNCATED);
    CHECK(rans_dec_finish(&d) != 0);
    buf[size / 2] ^= 0x10;
    CHECK(rans_dec_init(&d, buf, (size_t)size - 8) == 0);
    prev = 0;
    for (int i = 0; i < N; i++) prev = rans_dec_symbol(&d, &models[prev % NM]);
    CHECK(rans_dec_finish(&d) != 0);
    free(buf);
    for (int m = 0; m < NM; m++) rc_static_free(&models[m]);
}

/* rans_decode_bytes' hot loop (conditional moves, in x86-64 assembly unless built
 * with -DNC_ENTROPY_PORTABLE) against the symbol-by-symbol reference rans_decode():
 * the same return value and the same symbols, valid or not, at every precision with
 * a table (12 has its own loop; up to 12 the n of about 70000 takes the decoder's
 * compact table, the short n the model's), on streams long enough for many passes of
 * the loop: whole, then (cumulatively) with a flipped bit, truncated, extended, and
 * random. */
static void test_bytes_against_reference(void)
{
    enum { N = 70000 }; /* >= 16 * 2^12: the compact table up to 12 bits */
    static uint32_t syms[N], ref[N];
    static uint8_t bytes[N], out[N];
    static uint64_t w[256];
    EntRng r = {41};
    int compared = 0, mismatches = 0;
    for (unsigned prec = 1; prec <= RC_STATIC_LUT_MAX_PREC; prec++) {
        for (int model = 0; model < 3; model++) {
            unsigned nsyms = 1 + ent_rng_below(&r, prec >= 8 ? 256 : 1u << prec);
            for (unsigned s = 0; s < nsyms; s++) /* flat, skewed, or with gaps */
                w[s] = model == 0 ? 1 + ent_rng_below(&r, 100)
                       : model == 1 ? (s == 0 ? 100000 : ent_rng_below(&r, 10))
                                    : (ent_rng_below(&r, 3) ? 0 : ent_rng_below(&r, 1000));
            w[nsyms - 1] += 1;
            RCStaticModel m;
            CHECK(rc_static_init_weights(&m, w, nsyms, prec, 1) == 0);
            size_t n = ent_rng_below(&r, 4) ? N - ent_rng_below(&r, 4) : ent_rng_below(&r, 200);
            for (size_t i = 0; i < n; i++) {
                syms[i] = rc_static_find(&m, ent_rng_below(&r, 1u << prec));
                bytes[i] = (uint8_t)syms[i];
            }
            size_t cap = rans_encode_bound(n, prec) + 64;
            uint8_t *buf = malloc(cap);
            ptrdiff_t size = rans_encode_bytes(&m, bytes, n, buf, cap - 64);
            CHECK(size > 0);
            for (int kind = 0; kind < 6 && size > 0; kind++) {
                size_t len = (size_t)size;
                if (kind == 1) buf[32 + ent_rng_below(&r, (uint32_t)(len - 32 + 1))] ^= 1;
                if (kind == 2) len -= 1 + ent_rng_below(&r, (uint32_t)len);
                if (kind == 3) buf[len] = 0x5a, len += 1 + ent_rng_below(&r, 63);
                if (kind >= 4) /* random words after valid states */
                    for (size_t i = 32; i < len; i++) buf[i] = (uint8_t)ent_rng_u32(&r);
                int ret = rans_decode_bytes(&m, buf, len, out, n);
                int want = rans_decode(&m, 1, NULL, buf, len, ref, n);
                CHECK_EQ(ret, want);
                if (kind == 0) CHECK(ret == 0 && memcmp(out, bytes, n) == 0);
                for (size_t i = 0; i < n; i++) mismatches += out[i] != ref[i];
                compared++;
            }
            free(buf);
            rc_static_free(&m);
        }
    }
    CHECK(compared == 6 * 3 * RC_STATIC_LUT_MAX_PREC);
    CHECK_EQ(mismatches, 0);
}

int main(void)
{
    test_round_trips();
    test_misuse_and_garbage();
    test_models();
    test_context_decoder();
    test_bytes_against_reference();
    return test_result("entropy_rans");
}
