/* Fuzz target for the entropy core.
 *   byte 0 even: the rest is a hostile stream, decoded by every decoder kind (range
 *                coder: static, adaptive, count, periodic and periodic mixture models, binary,
 *                bypass, Exp-Golomb,
 *                parametric;
 *                rANS: bytes and per-symbol models). Must stay in bounds and finish.
 *   byte 0 odd:  the rest is a symbol sequence; it is encoded with models built from
 *                the data, decoded, and must come back identical (abort otherwise). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "entropy/adaptive_cdf.h"
#include "entropy/cdf.h"
#include "entropy/cdf_table.h"
#include "entropy/count_model.h"
#include "entropy/periodic_mix_model.h"
#include "entropy/periodic_model.h"
#include "entropy/escape.h"
#include "entropy/parametric.h"
#include "entropy/rans.h"
#include "entropy/static_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static RCParamTables param_tables;
static int param_ready;

static void decode_hostile(uint8_t sel, const uint8_t *in, size_t size)
{
    uint32_t cdf[257];
    uint64_t w[256];
    for (int s = 0; s < 256; s++) w[s] = (uint64_t)((s * 37 + sel) % 251) * (s % 5 != 0);
    rc_cdf_from_weights(cdf, w, 256, 8 + sel % 17, 1);
    unsigned prec = 8 + sel % 17;

    RCDecoder dec;
    rc_dec_init(&dec, in, size);
    /* A model sent in the stream, as codecs with per-block histograms do: it must come
     * back valid whatever the bytes, and then drive symbol decoding. */
    uint32_t sent[257];
    rc_decode_cdf_table(&dec, sent, 256, prec);
    if (rc_cdf_check(sent, 256, prec)) abort();
    for (int i = 0; i < 64; i++) {
        unsigned s = rc_decode_cdf(&dec, sent, 256, prec);
        if (sent[s + 1] == sent[s]) abort();
    }
    RCAdaptiveCdf am;
    RCBinContext bc;
    RCCountModel cm;
    RCPeriodicModel pm;
    if (rc_adaptive_init(&am, 2 + sel, 1 + sel % 15)) return;
    /* 2 .. 65536 symbols (1 to 4 tree levels), every window. */
    if (rc_count_init(&cm, sel % 4 == 3 ? 65536u - sel : 2u + sel * (1u + sel % 4 * 40), 1 + sel % 18)) {
        rc_adaptive_free(&am);
        return;
    }
    /* 2 .. 65536 symbols, precisions from the smallest (2^prec = nsyms) to 24, every
     * period: the decoder's bucket walk must stay inside the table whatever the bytes. */
    unsigned pn = sel % 4 == 3 ? 65536u - sel : 2u + sel * (1u + sel % 4 * 40), plog = 1;
    while ((1u << plog) < pn) plog++;
    if (rc_periodic_init(&pm, pn, 1 + sel % 18, plog + sel % (25 - plog), sel % 21)) {
        rc_adaptive_free(&am);
        rc_count_free(&cm);
        return;
    }
    RCPeriodicMixModel xm; /* the same sizes, every window pair and share schedule */
    if (rc_periodic_mix_init(&xm, pn, 1 + sel % 17, 1 + (sel / 17) % 17, plog + sel % (25 - plog), sel % 18)) {
        rc_adaptive_free(&am);
        rc_count_free(&cm);
        rc_periodic_free(&pm);
        return;
    }
    rc_bin_init(&bc, 1 + sel % 15);
    for (int i = 0; i < 2000; i++) {
        unsigned s;
        switch ((i + sel) % 9) {
        case 0: s = rc_decode_cdf(&dec, cdf, 256, prec); if (cdf[s + 1] == cdf[s]) abort(); break;
        case 6: if (rc_decode_periodic(&dec, &pm) >= pm.tab.nsyms) abort(); break;
        case 7: if (rc_decode_periodic_mix(&dec, &xm) >= xm.tab.nsyms) abort(); break;
        case 1: if (rc_decode_adaptive(&dec, &am) >= am.nsyms) abort(); break;
        case 2: rc_decode_bin(&dec, &bc); break;
        case 3: rc_decode_bits(&dec, (unsigned)i % 33); break;
        case 4: rc_decode_expgolomb_signed(&dec, (unsigned)i % 20); break;
        case 5: if (rc_decode_count(&dec, &cm) >= cm.nsyms) abort(); break;
        default:
            if (param_ready) rc_decode_param(&dec, &param_tables, (unsigned)i % 64, i - 1000);
        }
    }
    rc_dec_finish(&dec);
    rc_adaptive_free(&am);
    rc_count_free(&cm);
    rc_periodic_free(&pm);
    rc_periodic_mix_free(&xm);

    RCStaticModel m[2];
    if (rc_static_init(&m[0], cdf, 256, prec)) return;
    if (rc_static_init_weights(&m[1], w, 200, 20, 1)) {
        rc_static_free(&m[0]);
        return;
    }
    enum { N = 1000 };
    static uint8_t bytes[N];
    static uint32_t syms[N];
    static uint16_t idx[N];
    for (int i = 0; i < N; i++) idx[i] = (uint16_t)((i / 7 + sel) & 1);
    /* The byte decoder's fast loop gives what the symbol-by-symbol reference gives. */
    int ret = rans_decode_bytes(&m[0], in, size, bytes, N);
    if (rans_decode(&m[0], 1, NULL, in, size, syms, N) != ret) abort();
    for (int i = 0; i < N; i++)
        if (syms[i] != bytes[i]) abort();
    rans_decode(m, 2, idx, in, size, syms, N);
    for (int i = 0; i < N; i++)
        if (syms[i] >= m[idx[i]].nsyms) abort();
    rc_static_free(&m[0]);
    rc_static_free(&m[1]);
}

static void round_trip(uint8_t sel, const uint8_t *in, size_t size)
{
    /* Static model: the histogram of the input (so every symbol is codable). */
    uint64_t counts[256] = {0};
    for (size_t i = 0; i < size; i++) counts[in[i]]++;
    unsigned prec = 9 + sel % 16;
    RCStaticModel m;
    if (rc_static_init_weights(&m, counts, 256, prec, 1)) return;
    RCAdaptiveCdf ae, ad;
    RCBinContext be, bd;
    rc_adaptive_init(&ae, 256, 1 + sel % 15);
    rc_adaptive_init(&ad, 256, 1 + sel % 15);
    rc_bin_init(&be, 1 + sel % 15);
    rc_bin_init(&bd, 1 + sel % 15);
    RCCountModel ce, cd; /* 256 symbols, or the byte pair as one of 65536 */
    unsigned wide = sel % 3 == 0;
    if (rc_count_init(&ce, wide ? 65536 : 256, 1 + sel % 18) ||
        rc_count_init(&cd, wide ? 65536 : 256, 1 + sel % 18))
        abort(); /* valid arguments: only an allocation failure gets here */
    RCPeriodicModel pe, pd; /* the count model's symbols, precision 8..16 (20 for pairs) */
    if (rc_periodic_init(&pe, wide ? 65536 : 256, 1 + sel % 18, wide ? 20 : 8 + sel % 9, sel % 21) ||
        rc_periodic_init(&pd, wide ? 65536 : 256, 1 + sel % 18, wide ? 20 : 8 + sel % 9, sel % 21))
        abort();
    RCPeriodicMixModel xe, xd; /* the same symbols, every window pair */
    unsigned slow = 1 + sel % 17, fast = 1 + (sel / 17) % 17;
    if (rc_periodic_mix_init(&xe, wide ? 65536 : 256, slow, fast, wide ? 20 : 8 + sel % 9, sel % 18) ||
        rc_periodic_mix_init(&xd, wide ? 65536 : 256, slow, fast, wide ? 20 : 8 + sel % 9, sel % 18))
        abort();
    RCEncoder enc;
    rc_enc_init(&enc);
    for (size_t i = 0; i < size; i++) {
        unsigned pair = in[i] | (unsigned)(i + 1 < size ? in[i + 1] : 0) << 8 * wide;
        switch ((i + sel) % 8) {
        case 0: rc_encode_static(&enc, &m, in[i]); break;
        case 5: rc_encode_count(&enc, &ce, pair); break;
        case 6: rc_encode_periodic(&enc, &pe, pair); break;
        case 7: rc_encode_periodic_mix(&enc, &xe, pair); break;
        case 1: rc_encode_adaptive(&enc, &ae, in[i]); break;
        case 2: rc_encode_bin(&enc, &be, in[i] & 1); break;
        case 3: rc_encode_expgolomb(&enc, (uint32_t)in[i] << (i % 24), (unsigned)i % 8); break;
        default:
            if (param_ready) rc_encode_param(&enc, &param_tables, in[i] % 64, (int32_t)i, (int8_t)in[i]);
        }
    }
    if (rc_enc_flush(&enc)) abort();
    RCDecoder dec;
    rc_dec_init(&dec, enc.buf, enc.size);
    for (size_t i = 0; i < size; i++) {
        int ok = 1;
        unsigned pair = in[i] | (unsigned)(i + 1 < size ? in[i + 1] : 0) << 8 * wide;
        switch ((i + sel) % 8) {
        case 0: ok = rc_decode_static(&dec, &m) == in[i]; break;
        case 5: ok = rc_decode_count(&dec, &cd) == pair; break;
        case 6: ok = rc_decode_periodic(&dec, &pd) == pair; break;
        case 7: ok = rc_decode_periodic_mix(&dec, &xd) == pair; break;
        case 1: ok = rc_decode_adaptive(&dec, &ad) == in[i]; break;
        case 2: ok = rc_decode_bin(&dec, &bd) == (in[i] & 1); break;
        case 3: ok = rc_decode_expgolomb(&dec, (unsigned)i % 8) == (uint32_t)in[i] << (i % 24); break;
        default:
            if (param_ready)
                ok = rc_decode_param(&dec, &param_tables, in[i] % 64, (int32_t)i) == (int8_t)in[i];
        }
        if (!ok) abort();
    }
    if (rc_dec_finish(&dec)) abort();
    rc_enc_free(&enc);
    rc_adaptive_free(&ae);
    rc_adaptive_free(&ad);
    rc_count_free(&ce);
    rc_count_free(&cd);
    rc_periodic_free(&pe);
    rc_periodic_free(&pd);
    rc_periodic_mix_free(&xe);
    rc_periodic_mix_free(&xd);

    /* rANS on the same bytes. */
    size_t cap = rans_encode_bound(size, prec);
    uint8_t *buf = malloc(cap), *back = malloc(size ? size : 1);
    ptrdiff_t got = rans_encode_bytes(&m, in, size, buf, cap);
    if (got < 0 || rans_decode_bytes(&m, buf, (size_t)got, back, size) || memcmp(back, in, size))
        abort();
    free(buf);
    free(back);
    rc_static_free(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!param_ready) {
        RCParamConfig cfg;
        rc_param_config_default(&cfg, RC_DIST_LAPLACE);
        cfg.mean_frac_bits = 1;
        param_ready = rc_param_init(&param_tables, &cfg) == 0;
    }
    if (size < 2) return 0;
    if (size > 1 << 16) size = 1 << 16; /* keep each run fast */
    if (data[0] & 1)
        round_trip(data[0] >> 1, data + 1, size - 1);
    else
        decode_hostile(data[0] >> 1, data + 1, size - 1);
    return 0;
}
