/* Static models: a CDF copy plus the slot -> symbol table for fast decoding. */
#include "entropy/static_model.h"

#include <stdlib.h>
#include <string.h>

#include "entropy/cdf.h"

static int build(RCStaticModel *m, unsigned nsyms, unsigned prec)
{
    if (prec <= RC_STATIC_LUT_MAX_PREC) { /* then nsyms <= 2^16 too */
        m->lut = malloc(sizeof(*m->lut) << prec);
        if (!m->lut) return NC_ENOMEM;
        for (unsigned s = 0; s < nsyms; s++) {
            uint32_t start = m->cdf[s], freq = m->cdf[s + 1] - start;
            for (uint32_t v = start; v < start + freq; v++)
                m->lut[v] = (RCStaticSlot){.freq = freq, .bias = (uint16_t)(v - start), .sym = (uint16_t)s};
        }
    }
    return 0;
}

static int alloc_cdf(RCStaticModel *m, unsigned nsyms, unsigned prec)
{
    memset(m, 0, sizeof(*m));
    if (prec < 1 || prec > RC_MAX_PREC || nsyms < 1 || nsyms > (1u << prec)) return NC_EINVAL;
    m->nsyms = nsyms;
    m->prec = prec;
    m->cdf = malloc(sizeof(*m->cdf) * ((size_t)nsyms + 1));
    return m->cdf ? 0 : NC_ENOMEM;
}

static int finish(RCStaticModel *m, int ret)
{
    if (!ret) ret = build(m, m->nsyms, m->prec);
    if (ret) rc_static_free(m);
    return ret;
}

int rc_static_init(RCStaticModel *m, const uint32_t *cdf, unsigned nsyms, unsigned prec)
{
    int ret = alloc_cdf(m, nsyms, prec);
    if (ret) return ret;
    ret = rc_cdf_check(cdf, nsyms, prec);
    if (!ret) memcpy(m->cdf, cdf, sizeof(*cdf) * ((size_t)nsyms + 1));
    return finish(m, ret);
}

int rc_static_init_weights(RCStaticModel *m, const uint64_t *weights, unsigned nsyms,
                           unsigned prec, int keep_zeros)
{
    int ret = alloc_cdf(m, nsyms, prec);
    if (ret) return ret;
    return finish(m, rc_cdf_from_weights(m->cdf, weights, nsyms, prec, keep_zeros));
}

int rc_static_init_pmf(RCStaticModel *m, const float *pmf, unsigned nsyms, unsigned prec)
{
    int ret = alloc_cdf(m, nsyms, prec);
    if (ret) return ret;
    return finish(m, rc_cdf_from_pmf(m->cdf, pmf, nsyms, prec));
}

void rc_static_free(RCStaticModel *m)
{
    free(m->cdf);
    free(m->lut);
    memset(m, 0, sizeof(*m));
}
