#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libnc/nn/optim.h"
#include "nc/error.h"
#include "nc/log.h"

void nn_optim_init(NNOptim *o, enum NNOptimKind kind)
{
    memset(o, 0, sizeof(*o));
    o->kind = kind;
    o->beta1 = 0.9f;
    o->beta2 = 0.999f;
    o->eps = 1e-8f;
    for (int i = 0; i < NN_MAX_GROUPS; i++) {
        o->groups[i].lr_scale = 1.0f;
        o->groups[i].weight_decay = kind == NN_ADAMW ? 0.01f : 0.0f;
    }
}

float nn_clip_grad_norm(NNParams *ps, float max_norm)
{
    double sq = 0;
    for (int i = 0; i < ps->count; i++)
        for (int64_t j = 0; j < ps->items[i]->t.numel; j++)
            sq += (double)ps->items[i]->t.grad[j] * ps->items[i]->t.grad[j];
    float norm = (float)sqrt(sq);
    if (max_norm > 0 && norm > max_norm) {
        float s = max_norm / (norm + 1e-6f);
        for (int i = 0; i < ps->count; i++)
            for (int64_t j = 0; j < ps->items[i]->t.numel; j++)
                ps->items[i]->t.grad[j] *= s;
    }
    return norm;
}

static int ensure_state(NNParam *p, int need_v)
{
    size_t n = (size_t)p->t.numel;
    if (!p->m && !(p->m = calloc(n, sizeof(float))))
        return NC_ENOMEM;
    if (need_v && !p->v && !(p->v = calloc(n, sizeof(float))))
        return NC_ENOMEM;
    return 0;
}

int nn_optim_step(NNOptim *o, NNParams *ps, float lr)
{
    if (o->clip_norm > 0)
        nn_clip_grad_norm(ps, o->clip_norm);
    o->step++;
    double bc1 = 1.0 - pow(o->beta1, (double)o->step);
    double bc2 = 1.0 - pow(o->beta2, (double)o->step);
    for (int i = 0; i < ps->count; i++) {
        NNParam *p = ps->items[i];
        const NNGroupConfig *gc = &o->groups[p->group >= 0 && p->group < NN_MAX_GROUPS ? p->group : 0];
        float plr = lr * gc->lr_scale, wd = gc->weight_decay;
        float *x = p->t.data, *gr = p->t.grad;
        int64_t n = p->t.numel;
        if (o->kind == NN_SGD) {
            if (o->momentum != 0 && ensure_state(p, 0) < 0)
                return NC_ENOMEM;
            for (int64_t j = 0; j < n; j++) {
                float d = gr[j] + wd * x[j];
                if (o->momentum != 0) /* PyTorch: buf = momentum buf + d (first step buf = d) */
                    d = p->m[j] = o->step == 1 ? d : o->momentum * p->m[j] + d;
                x[j] -= plr * d;
            }
        } else {
            if (ensure_state(p, 1) < 0)
                return NC_ENOMEM;
            float step_size = (float)(plr / bc1), sbc2 = (float)sqrt(bc2);
            for (int64_t j = 0; j < n; j++) {
                float d = gr[j];
                if (o->kind == NN_ADAMW)
                    x[j] -= plr * wd * x[j];
                else
                    d += wd * x[j];
                p->m[j] = o->beta1 * p->m[j] + (1 - o->beta1) * d;
                p->v[j] = o->beta2 * p->v[j] + (1 - o->beta2) * d * d;
                x[j] -= step_size * p->m[j] / (sqrtf(p->v[j]) / sbc2 + o->eps);
            }
        }
    }
    nn_params_zero_grad(ps);
    return 0;
}

float nn_schedule_lr(const NNSchedule *s, int64_t step)
{
    if (s->warmup > 0 && step < s->warmup)
        return s->lr * (float)(step + 1) / (float)s->warmup;
    switch (s->kind) {
    case NN_LR_COSINE: {
        int64_t span = s->total - s->warmup;
        double t = span > 0 ? (double)(step - s->warmup) / (double)span : 1.0;
        if (t > 1)
            t = 1;
        return s->min_lr + (s->lr - s->min_lr) * (float)(0.5 * (1.0 + cos(M_PI * t)));
    }
    case NN_LR_STEP:
        return s->step_size > 0 ? s->lr * powf(s->gamma, (float)((step - s->warmup) / s->step_size))
                                : s->lr;
    default:
        return s->lr;
    }
}

/* Adds tensor data of p's shape named prefix + p->name. */
static int add_state(NCModelWriter *w, const char *prefix, const NNParam *p, const float *data)
{
    char name[NN_PARAM_NAME + 16];
    int64_t dims[NN_MAX_DIMS];
    for (int d = 0; d < p->t.ndim; d++)
        dims[d] = p->t.shape[d];
    snprintf(name, sizeof(name), "%s%s", prefix, p->name);
    return nc_model_writer_add_f32(w, name, p->t.ndim, dims, data, NC_MODEL_F32);
}

int nn_checkpoint_save(const char *path, const char *arch, const NNParams *ps,
                       const NNOptim *o, const uint64_t *user, int n_user)
{
    NCModelWriter *w = nc_model_writer_alloc("checkpoint", arch);
    if (!w)
        return NC_EINVAL;
    int ret = nn_params_save(ps, w, NC_MODEL_F32);
    if (ret >= 0)
        ret = nc_model_writer_set_param_int(w, "step", o->step);
    for (int i = 0; i < n_user && ret >= 0; i++) {
        char key[32], val[32];
        snprintf(key, sizeof(key), "user%d", i);
        snprintf(val, sizeof(val), "%llu", (unsigned long long)user[i]);
        ret = nc_model_writer_set_param(w, key, val);
    }
    for (int i = 0; i < ps->count && ret >= 0; i++) {
        const NNParam *p = ps->items[i];
        if (p->m)
            ret = add_state(w, "opt.m.", p, p->m);
        if (p->v && ret >= 0)
            ret = add_state(w, "opt.v.", p, p->v);
    }
    if (ret >= 0)
        ret = nc_model_writer_write_file(w, path, NULL);
    nc_model_writer_free(&w);
    return ret;
}

static int load_state(const NCModel *m, const char *prefix, NNParam *p, float **dst)
{
    char name[NN_PARAM_NAME + 16];
    snprintf(name, sizeof(name), "%s%s", prefix, p->name);
    const NCModelTensor *t = nc_model_tensor(m, name);
    if (!t)
        return 0;
    if (t->numel != p->t.numel)
        return NC_EMODEL;
    if (!*dst && !(*dst = calloc((size_t)p->t.numel, sizeof(float))))
        return NC_ENOMEM;
    return nc_model_tensor_to_f32(t, *dst, t->numel);
}

int nn_checkpoint_load(const char *path, const char *arch, NNParams *ps, NNOptim *o,
                       uint64_t *user, int n_user)
{
    NCModel *m;
    int ret = nc_model_load_file(&m, path);
    if (ret < 0)
        return ret;
    if (strcmp(nc_model_arch(m), arch)) {
        nc_log(NULL, NC_LOG_ERROR, "checkpoint %s is for %s, not %s", path, nc_model_arch(m),
               arch);
        ret = NC_EMODEL;
    }
    int64_t step = 0;
    if (ret >= 0)
        ret = nn_params_load(ps, m);
    if (ret >= 0)
        ret = nc_model_param_int(m, "step", &step);
    for (int i = 0; i < n_user && ret >= 0; i++) {
        char key[32];
        snprintf(key, sizeof(key), "user%d", i);
        const char *v = nc_model_param(m, key);
        if (!v)
            ret = NC_EMODEL;
        else
            user[i] = strtoull(v, NULL, 10);
    }
    for (int i = 0; i < ps->count && ret >= 0; i++) {
        ret = load_state(m, "opt.m.", ps->items[i], &ps->items[i]->m);
        if (ret >= 0)
            ret = load_state(m, "opt.v.", ps->items[i], &ps->items[i]->v);
    }
    if (ret >= 0)
        o->step = step;
    nc_model_free(&m);
    return ret;
}
