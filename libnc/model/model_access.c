/* Read-only accessors of a loaded model. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "libnc/model/model_format.h"
#include "libnc/model/model_internal.h"
#include "libnc/model/sha256.h"
#include "nc/error.h"
#include "nc/log.h"

const char *nc_model_id(const NCModel *model)
{
    return model ? model->id : NULL;
}

const char *nc_model_arch(const NCModel *model)
{
    return model ? model->arch : NULL;
}

const uint8_t *nc_model_sha256(const NCModel *model)
{
    return model ? model->sha256 : NULL;
}

int nc_model_check(const NCModel *model, const char *id,
                   const uint8_t sha256[NC_MODEL_SHA256_SIZE])
{
    if (!model || !id || !sha256)
        return NC_EINVAL;
    if (strcmp(model->id, id)) {
        nc_log(NULL, NC_LOG_ERROR, "model: the stream needs model %s, loaded %s\n", id,
               model->id);
        return NC_EMODEL;
    }
    if (memcmp(model->sha256, sha256, NC_MODEL_SHA256_SIZE)) {
        char want[2 * NC_SHA256_SIZE + 1], have[2 * NC_SHA256_SIZE + 1];
        nci_sha256_hex(sha256, want);
        nci_sha256_hex(model->sha256, have);
        nc_log(NULL, NC_LOG_ERROR,
               "model: %s has SHA-256 %s but the stream was made with %s (another "
               "version of the model)\n",
               id, have, want);
        return NC_EMODEL;
    }
    return 0;
}

const char *nc_model_param(const NCModel *model, const char *key)
{
    if (!model || !key)
        return NULL;
    for (int i = 0; i < model->n_params; i++)
        if (!strcmp(model->keys[i], key))
            return model->values[i];
    return NULL;
}

static const char *param_or_log(const NCModel *model, const char *key)
{
    const char *v = nc_model_param(model, key);
    if (!v && model)
        nc_log(NULL, NC_LOG_ERROR, "model %s: no hyper-parameter %s\n", model->id,
               key ? key : "(null)");
    return v;
}

int nc_model_param_int(const NCModel *model, const char *key, int64_t *out)
{
    const char *v = param_or_log(model, key);
    if (!v || !out)
        return v ? NC_EINVAL : NC_EMODEL;
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (end == v || *end || errno)
        return NC_EINVAL;
    *out = x;
    return 0;
}

int nc_model_param_float(const NCModel *model, const char *key, double *out)
{
    const char *v = param_or_log(model, key);
    if (!v || !out)
        return v ? NC_EINVAL : NC_EMODEL;
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (end == v || *end || errno)
        return NC_EINVAL;
    *out = x;
    return 0;
}

int nc_model_param_count(const NCModel *model)
{
    return model ? model->n_params : 0;
}

int nc_model_param_at(const NCModel *model, int i, const char **key, const char **value)
{
    if (!model)
        return NC_EINVAL;
    if (i < 0 || i >= model->n_params)
        return NC_ERANGE;
    if (key)
        *key = model->keys[i];
    if (value)
        *value = model->values[i];
    return 0;
}

int nc_model_tensor_count(const NCModel *model)
{
    return model ? model->n_tensors : 0;
}

const NCModelTensor *nc_model_tensor_at(const NCModel *model, int i)
{
    if (!model || i < 0 || i >= model->n_tensors)
        return NULL;
    return &model->tensors[i];
}

static int cmp_key_tensor(const void *key, const void *elem)
{
    return strcmp(key, (*(const NCModelTensor *const *)elem)->name);
}

const NCModelTensor *nc_model_tensor(const NCModel *model, const char *name)
{
    if (!model || !name || !model->n_tensors)
        return NULL;
    const NCModelTensor **hit = bsearch(name, model->by_name, (size_t)model->n_tensors,
                                        sizeof(*model->by_name), cmp_key_tensor);
    return hit ? *hit : NULL;
}

int nc_model_tensor_expect(const NCModel *model, const char *name, int ndim,
                           const int64_t *dims, const NCModelTensor **out)
{
    if (!model || !name || (ndim && !dims) || !out)
        return NC_EINVAL;
    const NCModelTensor *t = nc_model_tensor(model, name);
    if (!t) {
        nc_log(NULL, NC_LOG_ERROR, "model %s: no tensor %s\n", model->id, name);
        return NC_EMODEL;
    }
    int same = t->ndim == ndim;
    for (int d = 0; same && d < ndim; d++)
        same = t->dims[d] == dims[d];
    if (!same) {
        nc_log(NULL, NC_LOG_ERROR, "model %s: tensor %s has another shape than the "
               "architecture %s needs\n", model->id, name, model->arch);
        return NC_EMODEL;
    }
    *out = t;
    return 0;
}

int nc_model_tensor_to_f32(const NCModelTensor *t, float *dst, int64_t n)
{
    if (!t || !dst || n != t->numel)
        return NC_EINVAL;
    int64_t rows = t->ndim ? t->dims[0] : 1, per_row = t->numel / rows;
    switch (t->dtype) {
    case NC_MODEL_F32:
        memcpy(dst, t->data, (size_t)n * 4);
        break;
    case NC_MODEL_F16: {
        const uint16_t *h = t->data;
        for (int64_t i = 0; i < n; i++)
            dst[i] = ncm_f16_to_f32(h[i]);
        break;
    }
    case NC_MODEL_I8: {
        const int8_t *q = t->data;
        for (int64_t i = 0; i < n; i++)
            dst[i] = t->scales[i / per_row] * (float)q[i];
        break;
    }
    case NC_MODEL_I16: {
        const int16_t *q = t->data;
        for (int64_t i = 0; i < n; i++)
            dst[i] = (float)q[i];
        break;
    }
    case NC_MODEL_I32: {
        const int32_t *q = t->data;
        for (int64_t i = 0; i < n; i++)
            dst[i] = (float)q[i];
        break;
    }
    default:
        return NC_EBUG;
    }
    return 0;
}
