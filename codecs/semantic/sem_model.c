/* Loading a semantic model (semantic.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/semantic/semantic.h"
#include "nc/error.h"
#include "nc/log.h"

void sem_conv_name(int i, char *buf, int size)
{
    if (i == 0)
        snprintf(buf, (size_t)size, "in");
    else
        snprintf(buf, (size_t)size, "res%d.conv%d", (i - 1) / 2, 1 + (i - 1) % 2);
}

void sem_conv_shape(int i, int channels, int *cin, int *cout, int *k, int *dilation)
{
    *cin = i == 0 ? SEM_DIM : channels;
    *cout = channels;
    *k = i == 0 || i % 2 ? 3 : 1;
    *dilation = i == 0 || i % 2 == 0 ? 1 : 1 << ((i - 1) / 2);
}

/* A float copy of tensor name with exactly these dims. */
static int load_f32(const NCModel *f, const char *name, int ndim, const int64_t *dims,
                    float **out)
{
    const NCModelTensor *t;
    int ret = nc_model_tensor_expect(f, name, ndim, dims, &t);
    if (ret < 0)
        return ret;
    if (!(*out = malloc(sizeof(float) * (size_t)t->numel)))
        return NC_ENOMEM;
    return nc_model_tensor_to_f32(t, *out, t->numel);
}

static int load_conv(SemConv *c, const NCModel *f, int i, int channels)
{
    char base[32], name[48];
    sem_conv_name(i, base, sizeof(base));
    sem_conv_shape(i, channels, &c->cin, &c->cout, &c->k, &c->dilation);
    float *w = NULL;
    snprintf(name, sizeof(name), "%s.weight", base);
    int ret = load_f32(f, name, 3, (int64_t[]){c->cout, c->cin, c->k}, &w);
    snprintf(name, sizeof(name), "%s.bias", base);
    if (ret >= 0)
        ret = load_f32(f, name, 1, (int64_t[]){c->cout}, &c->b);
    if (ret >= 0 && !(c->w = malloc(sizeof(float) * (size_t)(c->k * c->cin * c->cout))))
        ret = NC_ENOMEM;
    for (int j = 0; j < c->k && ret >= 0; j++) {
        /* [cout][cin][k] -> [k][cin][cout]; tap j sees the input (k-1-j) dilation back */
        float *tap = c->w + (size_t)j * c->cin * c->cout;
        for (int o = 0; o < c->cout; o++)
            for (int ci = 0; ci < c->cin; ci++)
                tap[(size_t)ci * c->cout + o] = w[((size_t)o * c->cin + ci) * c->k + j];
        c->taps[j] = (NNWeights){NN_W_F32, c->cin, c->cout, tap, NULL};
        c->back[j] = (c->k - 1 - j) * c->dilation;
    }
    free(w);
    return ret;
}

/* A static CDF stored as int32 [rows][n + 1] at 16 bits, checked. */
static int load_cdfs(const NCModel *f, const char *name, int rows, int n, uint32_t *out)
{
    const NCModelTensor *t;
    int64_t dims[2] = {rows, n + 1};
    int ret = nc_model_tensor_expect(f, name, 2, dims, &t);
    if (ret >= 0 && t->dtype != NC_MODEL_I32)
        ret = NC_EMODEL;
    const int32_t *v = ret >= 0 ? t->data : NULL;
    for (int r = 0; r < rows && ret >= 0; r++) {
        for (int i = 0; i <= n; i++) out[r * (n + 1) + i] = (uint32_t)v[r * (n + 1) + i];
        if (out[r * (n + 1)] != 0 || out[r * (n + 1) + n] != 1u << 16)
            ret = NC_EMODEL;
        for (int i = 0; i < n && ret >= 0; i++)
            if (out[r * (n + 1) + i + 1] <= out[r * (n + 1) + i])
                ret = NC_EMODEL;
    }
    if (ret < 0)
        nc_log(NULL, NC_LOG_ERROR, "semantic: model tensor %s is not a valid CDF table", name);
    return ret;
}

static int param(const NCModel *f, const char *key, int lo, int hi, int *out)
{
    int64_t v;
    if (nc_model_param_int(f, key, &v) < 0 || v < lo || v > hi) {
        nc_log(NULL, NC_LOG_ERROR, "semantic: model %s: %s missing or outside %d..%d",
               nc_model_id(f), key, lo, hi);
        return NC_EMODEL;
    }
    *out = (int)v;
    return 0;
}

int sem_model_open(SemModel *m, NCModel *file)
{
    memset(m, 0, sizeof(*m));
    m->file = file;
    int ret = strcmp(nc_model_arch(file), SEM_ARCH) ? NC_EMODEL : 0;
    if (ret < 0)
        nc_log(NULL, NC_LOG_ERROR, "semantic: model %s has architecture %s, not %s",
               nc_model_id(file), nc_model_arch(file), SEM_ARCH);
    if (ret >= 0) ret = param(file, "channels", 8, 512, &m->channels);
    if (ret >= 0) ret = param(file, "sem_codes", 2, SEM_MAX_CODES, &m->sem_codes);
    if (ret >= 0) ret = param(file, "stages", 1, SEM_MAX_STAGES, &m->stages);
    if (ret >= 0) ret = param(file, "ac_codes", 2, SEM_MAX_CODES, &m->ac_codes);
    float *mean = NULL, *std = NULL, *shape = NULL;
    if (ret >= 0) ret = load_f32(file, "feat.mean", 1, (int64_t[]){SEM_DIM}, &mean);
    if (ret >= 0) ret = load_f32(file, "feat.std", 1, (int64_t[]){SEM_DIM}, &std);
    m->feat_mean = mean;
    m->feat_std = std;
    for (int i = 0; i < SEM_CONVS && ret >= 0; i++) ret = load_conv(&m->conv[i], file, i, m->channels);
    const NCModelTensor *t;
    if (ret >= 0) ret = nc_model_tensor_expect(file, "sem.codebook", 2, (int64_t[]){m->sem_codes, m->channels}, &t);
    if (ret >= 0) ret = vq_init(&m->sem, 1, m->sem_codes, m->channels);
    if (ret >= 0) ret = nc_model_tensor_to_f32(t, m->sem.cb, t->numel);
    if (ret >= 0) vq_refresh(&m->sem, 0);
    if (ret >= 0) ret = load_f32(file, "sem.shape", 2, (int64_t[]){m->sem_codes, SEM_DIM}, &shape);
    m->sem_shape = shape;
    if (ret >= 0) ret = nc_model_tensor_expect(file, "ac.codebook", 3, (int64_t[]){m->stages, m->ac_codes, SEM_DIM}, &t);
    if (ret >= 0) ret = vq_init(&m->ac, m->stages, m->ac_codes, SEM_DIM);
    if (ret >= 0) ret = nc_model_tensor_to_f32(t, m->ac.cb, t->numel);
    for (int s = 0; s < m->stages && ret >= 0; s++) vq_refresh(&m->ac, s);
    if (ret >= 0 && (!(m->cdf_sem = malloc(sizeof(uint32_t) * (size_t)(m->sem_codes + 1))) ||
                     !(m->cdf_ac = malloc(sizeof(uint32_t) * (size_t)(m->stages * (m->ac_codes + 1))))))
        ret = NC_ENOMEM;
    if (ret >= 0) ret = load_cdfs(file, "cdf.sem", 1, m->sem_codes, m->cdf_sem);
    if (ret >= 0) ret = load_cdfs(file, "cdf.repeat", 1, 2, m->cdf_repeat);
    if (ret >= 0) ret = load_cdfs(file, "cdf.ac", m->stages, m->ac_codes, m->cdf_ac);
    if (ret >= 0) ret = load_cdfs(file, "cdf.gain", 1, 2 * SEM_GAIN_DELTA + 1, m->cdf_gain);
    if (ret < 0)
        sem_model_free(m);
    return ret;
}

void sem_model_free(SemModel *m)
{
    free((void *)m->feat_mean);
    free((void *)m->feat_std);
    free((void *)m->sem_shape);
    for (int i = 0; i < SEM_CONVS; i++) {
        free(m->conv[i].w);
        free(m->conv[i].b);
    }
    vq_free(&m->sem);
    vq_free(&m->ac);
    free(m->cdf_sem);
    free(m->cdf_ac);
    nc_model_free(&m->file);
    memset(m, 0, sizeof(*m));
}
