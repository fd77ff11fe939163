/* Range coder behaviour beyond round trips: fixed buffers, tell, mark/rewind, windows,
 * misuse, and hostile input. */
#include <stdlib.h>
#include <string.h>

#include "entropy/cdf.h"
#include "entropy/range_decoder.h"
#include "entropy/range_encoder.h"
#include "tests/entropy/test_util.h"

enum { N = 4000 };
static uint32_t cdf[257];
static unsigned syms[N];

static void encode_all(RCEncoder *enc, unsigned count)
{
    for (unsigned i = 0; i < count; i++) rc_encode_cdf(enc, cdf, 256, 16, syms[i]);
}

static void test_fixed_buffer(void)
{
    RCEncoder grow;
    rc_enc_init(&grow);
    encode_all(&grow, N);
    CHECK(rc_enc_flush(&grow) == 0);
    /* Exactly the needed size works and gives the same bytes; one less fails cleanly. */
    uint8_t *buf = malloc(grow.size);
    RCEncoder fixed;
    rc_enc_init_fixed(&fixed, buf, grow.size);
    encode_all(&fixed, N);
    CHECK(rc_enc_flush(&fixed) == 0);
    CHECK(fixed.size == grow.size && memcmp(buf, grow.buf, grow.size) == 0);
    rc_enc_init_fixed(&fixed, buf, grow.size - 1);
    encode_all(&fixed, N);
    CHECK(rc_enc_flush(&fixed) == NC_ENOSPC);
    CHECK(fixed.size <= grow.size - 1);
    rc_enc_init_fixed(&fixed, NULL, 0);
    encode_all(&fixed, 10);
    CHECK(rc_enc_flush(&fixed) == NC_ENOSPC);
    free(buf);
    rc_enc_free(&grow);
}

static void test_tell_and_length(void)
{
    RCEncoder enc;
    rc_enc_init(&enc);
    uint64_t last = rc_enc_tell_frac(&enc);
    CHECK(last <= 8); /* nothing coded yet: within one eighth of a bit */
    double ideal = 0;
    for (unsigned i = 0; i < N; i++) {
        rc_encode_cdf(&enc, cdf, 256, 16, syms[i]);
        uint64_t t = rc_enc_tell_frac(&enc);
        CHECK(t >= last);
        CHECK(t <= 64 * (uint64_t)rc_enc_bytes_if_flushed(&enc));
        last = t;
    }
    uint64_t counts[256] = {0};
    for (unsigned i = 0; i < N; i++) counts[syms[i]]++;
    ideal = rc_cdf_cost_bits(cdf, 256, 16, counts);
    CHECK(last / 8.0 >= ideal - 0.01 && last / 8.0 <= ideal + 1.0);
    size_t expect = rc_enc_bytes_if_flushed(&enc);
    CHECK(rc_enc_flush(&enc) == 0);
    CHECK(enc.size == expect);
    CHECK(enc.size * 8.0 <= ideal + 8.0 + 1.0);

    RCDecoder dec;
    rc_dec_init(&dec, enc.buf, enc.size);
    int bad = 0;
    for (unsigned i = 0; i < N; i++) {
        bad |= rc_decode_cdf(&dec, cdf, 256, 16) != syms[i];
        if (i == N / 2) {
            /* tell agrees between encoder and decoder at the same point */
            RCEncoder e2;
            rc_enc_init(&e2);
            encode_all(&e2, N / 2 + 1);
            CHECK(rc_enc_tell_frac(&e2) == rc_dec_tell_frac(&dec));
            rc_enc_free(&e2);
        }
    }
    CHECK(!bad);
    CHECK(rc_dec_consumed(&dec) == enc.size);
    CHECK(rc_dec_finish(&dec) == 0);
    /* Zero padding is accepted, a nonzero trailing byte or a missing byte is not. */
    uint8_t *padded = calloc(enc.size + 9, 1);
    memcpy(padded, enc.buf, enc.size);
    rc_dec_init(&dec, padded, enc.size + 9);
    for (unsigned i = 0; i < N; i++) rc_decode_cdf(&dec, cdf, 256, 16);
    CHECK(rc_dec_finish(&dec) == 0);
    padded[enc.size + 4] = 1;
    CHECK(rc_dec_finish(&dec) == NC_EINVALIDDATA);
    rc_dec_init(&dec, enc.buf, enc.size - 1);
    for (unsigned i = 0; i < N; i++) rc_decode_cdf(&dec, cdf, 256, 16);
    CHECK(rc_dec_finish(&dec) != 0);
    free(padded);
    rc_enc_free(&enc);
}

static void test_mark_rewind_restart(void)
{
    /* A, mark, B, rewind, C  ==  A, C */
    RCEncoder a, b;
    rc_enc_init(&a);
    rc_enc_init(&b);
    encode_all(&a, 100);
    RCEncoderMark m;
    rc_enc_mark(&a, &m);
    for (unsigned i = 0; i < 1000; i++) rc_encode_cdf(&a, cdf, 256, 16, syms[N - 1 - i]);
    rc_enc_rewind(&a, &m);
    for (unsigned i = 100; i < 300; i++) rc_encode_cdf(&a, cdf, 256, 16, syms[i]);
    encode_all(&b, 300);
    CHECK(rc_enc_flush(&a) == 0 && rc_enc_flush(&b) == 0);
    CHECK(a.size == b.size && memcmp(a.buf, b.buf, a.size) == 0);

    /* Two streams back to back: restart appends an independent stream. */
    size_t first = a.size;
    rc_enc_restart(&a);
    encode_all(&a, 50);
    CHECK(rc_enc_flush(&a) == 0);
    RCDecoder dec;
    rc_dec_init(&dec, a.buf + first, a.size - first);
    int bad = 0;
    for (unsigned i = 0; i < 50; i++) bad |= rc_decode_cdf(&dec, cdf, 256, 16) != syms[i];
    CHECK(!bad && rc_dec_finish(&dec) == 0);
    /* reset forgets everything */
    rc_enc_reset(&a);
    encode_all(&a, 300);
    CHECK(rc_enc_flush(&a) == 0 && a.size == b.size && memcmp(a.buf, b.buf, a.size) == 0);
    rc_enc_free(&a);
    rc_enc_free(&b);
}

static void test_empty_and_misuse(void)
{
    RCEncoder enc;
    rc_enc_init(&enc);
    CHECK(rc_enc_flush(&enc) == 0 && enc.size == 1);
    RCDecoder dec;
    rc_dec_init(&dec, enc.buf, enc.size);
    CHECK(rc_dec_finish(&dec) == 0);
    rc_dec_init(&dec, NULL, 0);
    CHECK(rc_dec_finish(&dec) == NC_ETRUNCATED);

    uint32_t holes[4] = {0, 100, 100, 1u << 16}; /* symbol 1 has frequency 0 */
    rc_enc_reset(&enc);
    rc_encode_cdf(&enc, holes, 3, 16, 1);
    CHECK(rc_enc_flush(&enc) == NC_EINVAL);
    rc_enc_reset(&enc);
    rc_encode_cdf(&enc, holes, 3, 16, 3);
    CHECK(rc_enc_flush(&enc) == NC_EINVAL);
    rc_enc_reset(&enc);
    rc_encode_freq(&enc, 0, 1, RC_MAX_PREC + 1);
    rc_encode_bits(&enc, 0, 33);
    CHECK(rc_enc_flush(&enc) == NC_EINVAL);
    rc_enc_reset(&enc);
    rc_encode_freq(&enc, 10, 7, 4);
    CHECK(rc_enc_flush(&enc) == NC_EINVAL);
    rc_enc_free(&enc);

    /* The decoder never returns a zero-frequency symbol and never hangs, even on a
     * model with a zero-frequency symbol or a caller passing freq 0. */
    uint8_t junk[64];
    EntRng r = {7};
    for (int k = 0; k < 200; k++) {
        for (int i = 0; i < 64; i++) junk[i] = (uint8_t)ent_rng_u32(&r);
        rc_dec_init(&dec, junk, 1 + ent_rng_below(&r, 64));
        for (int i = 0; i < 100; i++) CHECK(rc_decode_cdf(&dec, holes, 3, 16) != 1);
        rc_decode_target(&dec, 8);
        rc_decode_update(&dec, 3, 0);
        CHECK(rc_dec_error(&dec) == NC_EINVALIDDATA);
        rc_dec_init(&dec, junk, 64);
        rc_decode_cdf(&dec, holes, 3, 60); /* precision out of range: flagged, no crash */
        CHECK(rc_dec_error(&dec) == NC_EINVALIDDATA);
        rc_dec_normalize(&dec);
        CHECK(dec.code < dec.range);
    }
}

int main(void)
{
    EntRng r = {12345};
    uint64_t w[256];
    for (int s = 0; s < 256; s++) w[s] = 1 + ent_rng_below(&r, 1000) * (s < 40 ? 100 : 1);
    CHECK(rc_cdf_from_weights(cdf, w, 256, 16, 1) == 0);
    for (int i = 0; i < N; i++) syms[i] = rc_cdf_find(cdf, 256, ent_rng_below(&r, 1u << 16));
    test_fixed_buffer();
    test_tell_and_length();
    test_mark_rewind_restart();
    test_empty_and_misuse();
    return test_result("entropy_range_coder");
}
