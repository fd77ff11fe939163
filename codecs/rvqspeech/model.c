/* Loading an rvqspeech model (model.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/rvqspeech/model.h"
#include "codecs/rvqspeech/spectral.h"
#include "nc/error.h"
#include "nc/log.h"

static int param(const NCModel *f, const char *key, int lo, int hi, int *out)
{
    int64_t v;
    int ret = nc_model_param_int(f, key, &v);
    if (ret < 0)
        return NC_EMODEL;
    if (v < lo || v > hi) {
        nc_log(NULL, NC_LOG_ERROR, "rvqspeech: model parameter %s = %lld is outside %d..%d", key,
               (long long)v, lo, hi);
        return NC_EMODEL;
    }
    *out = (int)v;
    return 0;
}

/* The decoder's copy of the weights in the file's precision, same layout as c->w,
 * and the per-tap views the kernels take (f32 files: views of c->w). */
static int keep_stored(NCRvqConv *c, const NCModelTensor *w)
{
    const NCRvqConvSpec *s = &c->spec;
    const size_t n = (size_t)s->cout * (size_t)s->cin * (size_t)s->k, tap = (size_t)s->cin * s->cout;
    NNWeightType type = w->dtype == NC_MODEL_F16 ? NN_W_F16 : w->dtype == NC_MODEL_I8 ? NN_W_I8 : NN_W_F32;
    size_t size = type == NN_W_F16 ? 2 : 1;
    if (type != NN_W_F32) {
        c->stored = malloc(n * size);
        c->scale = type == NN_W_I8 ? malloc(sizeof(float) * (size_t)s->cout) : NULL;
        if (!c->stored || (type == NN_W_I8 && !c->scale))
            return NC_ENOMEM;
        if (type == NN_W_I8)
            memcpy(c->scale, w->scales, sizeof(float) * (size_t)s->cout); /* one per row = cout */
        for (int o = 0; o < s->cout; o++)
            for (int i = 0; i < s->cin; i++)
                for (int j = 0; j < s->k; j++) {
                    size_t to = ((size_t)j * s->cin + i) * s->cout + o, from = ((size_t)o * s->cin + i) * s->k + j;
                    memcpy((char *)c->stored + to * size, (const char *)w->data + from * size, size);
                }
    }
    for (int j = 0; j < s->k; j++) {
        c->taps[j] = (NNWeights){type, s->cin, s->cout,
                                 type == NN_W_F32 ? (const void *)(c->w + j * tap)
                                                  : (const void *)((const char *)c->stored + j * tap * size),
                                 c->scale};
        c->back[j] = (s->k - 1 - j) * s->dilation;
    }
    return 0;
}

static int load_conv(NCRvqConv *c, const NCModel *f, const NCRvqConvSpec *s, int decoder)
{
    char name[64];
    const NCModelTensor *w, *b;
    int64_t wd[3] = {s->cout, s->cin, s->k}, bd[1] = {s->cout};
    snprintf(name, sizeof(name), "%.31s.weight", s->name);
    int ret = nc_model_tensor_expect(f, name, 3, wd, &w);
    snprintf(name, sizeof(name), "%.31s.bias", s->name);
    if (ret >= 0)
        ret = nc_model_tensor_expect(f, name, 1, bd, &b);
    if (ret < 0)
        return ret;
    c->spec = *s;
    size_t n = (size_t)s->cout * (size_t)s->cin * (size_t)s->k;
    float *tmp = malloc(n * sizeof(float));
    c->w = malloc(n * sizeof(float));
    c->b = malloc((size_t)s->cout * sizeof(float));
    if (!tmp || !c->w || !c->b) {
        free(tmp);
        return NC_ENOMEM;
    }
    ret = nc_model_tensor_to_f32(w, tmp, w->numel);
    if (ret >= 0)
        ret = nc_model_tensor_to_f32(b, c->b, b->numel);
    /* [cout][cin][k] -> [k][cin][cout] */
    for (int o = 0; o < s->cout && ret >= 0; o++)
        for (int i = 0; i < s->cin; i++)
            for (int j = 0; j < s->k; j++)
                c->w[((size_t)j * s->cin + i) * s->cout + o] = tmp[((size_t)o * s->cin + i) * s->k + j];
    free(tmp);
    if (ret >= 0 && decoder)
        ret = keep_stored(c, w);
    return ret;
}

static int load_priors(NCRvqModel *m, const NCModel *f)
{
    const NCRvqShape *sh = &m->shape;
    const NCModelTensor *c, *r;
    int64_t cd[2] = {sh->stages, sh->codes}, rd[1] = {sh->stages};
    int ret = nc_model_tensor_expect(f, "prior.counts", 2, cd, &c);
    if (ret >= 0)
        ret = nc_model_tensor_expect(f, "prior.repeat", 1, rd, &r);
    if (ret < 0)
        return ret;
    if (c->dtype != NC_MODEL_I32 || r->dtype != NC_MODEL_I32) {
        nc_log(NULL, NC_LOG_ERROR, "rvqspeech: model priors must be int32");
        return NC_EMODEL;
    }
    m->prior_counts = malloc(sizeof(uint64_t) * (size_t)c->numel);
    if (!m->prior_counts)
        return NC_ENOMEM;
    const int32_t *cv = c->data, *rv = r->data;
    for (int64_t i = 0; i < c->numel; i++) {
        if (cv[i] < 0)
            return NC_EMODEL;
        m->prior_counts[i] = (uint64_t)cv[i];
    }
    for (int s = 0; s < sh->stages; s++) {
        if (rv[s] < 1 || rv[s] > 65535)
            return NC_EMODEL;
        m->prior_repeat[s] = (uint32_t)rv[s];
    }
    return 0;
}

int rvq_model_open(NCRvqModel *m, NCModel *file)
{
    memset(m, 0, sizeof(*m));
    m->file = file;
    NCRvqShape *sh = &m->shape;
    int sr = 0, hop = 0;
    int ret = strcmp(nc_model_arch(file), NC_RVQ_ARCH) ? NC_EMODEL : 0;
    if (ret < 0)
        nc_log(NULL, NC_LOG_ERROR, "rvqspeech: model %s has architecture %s, not %s",
               nc_model_id(file), nc_model_arch(file), NC_RVQ_ARCH);
    if (ret >= 0) ret = param(file, "channels", 8, 1024, &sh->channels);
    /* Models before dec_channels have one width for both sides. */
    sh->dec_channels = sh->channels;
    if (ret >= 0 && nc_model_param(file, "dec_channels"))
        ret = param(file, "dec_channels", 8, 1024, &sh->dec_channels);
    if (ret >= 0) ret = param(file, "latent", 1, 256, &sh->latent);
    if (ret >= 0) ret = param(file, "stages", 1, NC_RVQ_MAX_STAGES, &sh->stages);
    if (ret >= 0) ret = param(file, "codes", NC_RVQ_CODES, NC_RVQ_CODES, &sh->codes);
    if (ret >= 0) ret = param(file, "sample_rate", 16000, 16000, &sr);
    if (ret >= 0) ret = param(file, "hop", NC_RVQ_HOP, NC_RVQ_HOP, &hop);
    NCRvqConvSpec specs[NC_RVQ_CONVS];
    if (ret >= 0)
        rvq_conv_specs(sh, specs);
    for (int i = 0; i < NC_RVQ_CONVS && ret >= 0; i++) ret = load_conv(&m->conv[i], file, &specs[i], i >= NC_RVQ_CONVS_PER_SIDE);
    const NCModelTensor *cb = NULL;
    int64_t cbd[3] = {sh->stages, sh->codes, sh->latent};
    if (ret >= 0) ret = nc_model_tensor_expect(file, "rvq.codebooks", 3, cbd, &cb);
    if (ret >= 0) ret = vq_init(&m->rvq, sh->stages, sh->codes, sh->latent);
    if (ret >= 0) ret = nc_model_tensor_to_f32(cb, m->rvq.cb, cb->numel);
    for (int s = 0; s < sh->stages && ret >= 0; s++) vq_refresh(&m->rvq, s);
    if (ret >= 0) ret = load_priors(m, file);
    if (ret < 0)
        rvq_model_free(m);
    return ret;
}

int rvq_model_decoder_i8a16(NCRvqModel *m)
{
    for (int i = NC_RVQ_CONVS_PER_SIDE; i < NC_RVQ_CONVS; i++) {
        NCRvqConv *c = &m->conv[i];
        const NCRvqConvSpec *s = &c->spec;
        const size_t tap = (size_t)s->cin * s->cout, plen = nn_i8a16_packed_len(s->cin, s->cout);
        int8_t *q = malloc(tap), *packed = malloc(plen * (size_t)s->k);
        float *scale = malloc(sizeof(float) * (size_t)s->cout * (size_t)s->k);
        int ret = q && packed && scale ? 0 : NC_ENOMEM;
        for (int j = 0; j < s->k && ret >= 0; j++) {
            nn_quantize_i8(c->w + (size_t)j * tap, s->cin, s->cout, q, scale + (size_t)j * s->cout);
            if (nn_i8a16_pack(q, s->cin, s->cout, packed + (size_t)j * plen) < 0) {
                nc_log(NULL, NC_LOG_ERROR, "rvqspeech: conv %s has %d inputs, more than int8 decoding takes (%d)",
                       s->name, s->cin, NN_I8A16_MAX_CIN);
                ret = NC_EMODEL;
            }
        }
        free(q);
        if (ret < 0) {
            free(packed);
            free(scale);
            return ret;
        }
        free(c->stored);
        free(c->scale);
        c->stored = packed;
        c->scale = scale;
        for (int j = 0; j < s->k; j++)
            c->taps[j] = (NNWeights){NN_W_I8A16, s->cin, s->cout, packed + (size_t)j * plen, scale + (size_t)j * s->cout};
    }
    return 0;
}

void rvq_model_free(NCRvqModel *m)
{
    for (int i = 0; i < NC_RVQ_CONVS; i++) {
        free(m->conv[i].w);
        free(m->conv[i].b);
        free(m->conv[i].stored);
        free(m->conv[i].scale);
    }
    vq_free(&m->rvq);
    free(m->prior_counts);
    nc_model_free(&m->file);
    memset(m, 0, sizeof(*m));
}
