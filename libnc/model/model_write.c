/* The .ncm writer: a builder that collects hyper-parameters and tensors in
 * insertion order and lays them out as conformance/spec/model.md says. The
 * output depends only on what was added, so the same model gives the same hash. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libnc/atomic_file.h"
#include "libnc/model/model_format.h"
#include "libnc/model/sha256.h"
#include "libnc/text.h"
#include "nc/error.h"
#include "nc/log.h"

typedef struct WriterTensor {
    char *name;
    int dtype, ndim;
    uint32_t dims[NC_MODEL_MAX_DIMS];
    uint8_t *payload; /* exactly as in the file */
    uint64_t size;
} WriterTensor;

struct NCModelWriter {
    char id[NC_MODEL_MAX_ID + 1], arch[NC_MODEL_MAX_ID + 1];
    int n_params, n_tensors, cap_params, cap_tensors;
    char **keys, **values;
    WriterTensor *tensors;
};

NCModelWriter *nc_model_writer_alloc(const char *id, const char *arch)
{
    if (!id || !arch || !ncm_valid_id(id, strlen(id), NC_MODEL_MAX_ID) ||
        !ncm_valid_id(arch, strlen(arch), NC_MODEL_MAX_ID)) {
        nc_log(NULL, NC_LOG_ERROR, "model writer: invalid id or architecture name");
        return NULL;
    }
    NCModelWriter *w = calloc(1, sizeof(*w));
    if (!w)
        return NULL;
    strcpy(w->id, id);
    strcpy(w->arch, arch);
    return w;
}

void nc_model_writer_free(NCModelWriter **writer)
{
    if (!writer || !*writer)
        return;
    NCModelWriter *w = *writer;
    for (int i = 0; i < w->n_params; i++) {
        free(w->keys[i]);
        free(w->values[i]);
    }
    for (int i = 0; i < w->n_tensors; i++) {
        free(w->tensors[i].name);
        free(w->tensors[i].payload);
    }
    free(w->keys);
    free(w->values);
    free(w->tensors);
    free(w);
    *writer = NULL;
}

static int grow(void **array, int *cap, int need, size_t elem)
{
    if (need <= *cap)
        return 0;
    int ncap = *cap ? 2 * *cap : 16;
    void *p = realloc(*array, (size_t)ncap * elem);
    if (!p)
        return NC_ENOMEM;
    *array = p;
    *cap = ncap;
    return 0;
}

int nc_model_writer_set_param(NCModelWriter *w, const char *key, const char *value)
{
    if (!w || !key || !value || !ncm_valid_id(key, strlen(key), NCM_MAX_NAME) ||
        strlen(value) > NCM_MAX_VALUE || !nc_text_is_printable(value, strlen(value)) ||
        w->n_params >= NCM_MAX_PARAMS)
        return NC_EINVAL;
    for (int i = 0; i < w->n_params; i++)
        if (!strcmp(w->keys[i], key))
            return NC_EINVAL;
    int cap = w->cap_params;
    if (grow((void **)&w->keys, &cap, w->n_params + 1, sizeof(char *)) ||
        grow((void **)&w->values, &w->cap_params, w->n_params + 1, sizeof(char *)))
        return NC_ENOMEM;
    char *k = strdup(key), *v = strdup(value);
    if (!k || !v) {
        free(k);
        free(v);
        return NC_ENOMEM;
    }
    w->keys[w->n_params] = k;
    w->values[w->n_params++] = v;
    return 0;
}

int nc_model_writer_set_param_int(NCModelWriter *w, const char *key, int64_t value)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%" PRId64, value);
    return nc_model_writer_set_param(w, key, buf);
}

int nc_model_writer_set_param_float(NCModelWriter *w, const char *key, double value)
{
    char buf[40];
    snprintf(buf, sizeof(buf), "%.17g", value);
    return nc_model_writer_set_param(w, key, buf);
}

/* Checks name and shape and appends an empty record with its payload allocated. */
static WriterTensor *add_record(NCModelWriter *w, const char *name, int dtype, int ndim,
                                const int64_t *dims, int64_t *numel)
{
    if (!w || !name || !ncm_valid_name(name, strlen(name)) || !ncm_dtype_size(dtype) ||
        ndim < 0 || ndim > NC_MODEL_MAX_DIMS || (ndim && !dims) ||
        w->n_tensors >= NCM_MAX_TENSORS)
        return NULL;
    for (int i = 0; i < w->n_tensors; i++)
        if (!strcmp(w->tensors[i].name, name))
            return NULL;
    *numel = 1;
    for (int d = 0; d < ndim; d++) {
        if (dims[d] < 1 || dims[d] > NCM_MAX_NUMEL)
            return NULL;
        *numel *= dims[d];
        if (*numel > NCM_MAX_NUMEL)
            return NULL;
    }
    if (grow((void **)&w->tensors, &w->cap_tensors, w->n_tensors + 1, sizeof(WriterTensor)))
        return NULL;
    WriterTensor *t = &w->tensors[w->n_tensors];
    memset(t, 0, sizeof(*t));
    t->dtype = dtype;
    t->ndim = ndim;
    for (int d = 0; d < ndim; d++)
        t->dims[d] = (uint32_t)dims[d];
    t->size = ncm_payload_size(dtype, *numel, ndim ? dims[0] : 1);
    t->payload = calloc(1, t->size ? t->size : 1);
    t->name = strdup(name);
    if (!t->payload || !t->name) {
        free(t->payload);
        free(t->name);
        return NULL;
    }
    w->n_tensors++;
    return t;
}

int nc_model_writer_add_tensor(NCModelWriter *w, const char *name, enum NCModelDType dtype,
                               int ndim, const int64_t *dims, const void *data,
                               const float *scales)
{
    int64_t numel;
    if (!data || (dtype == NC_MODEL_I8 && !scales))
        return NC_EINVAL;
    WriterTensor *t = add_record(w, name, dtype, ndim, dims, &numel);
    if (!t)
        return NC_EINVAL;
    uint8_t *p = t->payload;
    if (dtype == NC_MODEL_I8) {
        int64_t rows = ndim ? dims[0] : 1;
        memcpy(p, scales, (size_t)rows * 4);
        p += ncm_align((uint64_t)rows * 4);
    }
    memcpy(p, data, (size_t)numel * (size_t)ncm_dtype_size(dtype));
    ncm_payload_byte_order(t->payload, dtype, numel, ndim ? dims[0] : 1);
    return 0;
}

static int8_t quantize_i8(float x, float inv_scale)
{
    float v = x * inv_scale;
    int q = v >= 0 ? (int)(v + 0.5f) : -(int)(-v + 0.5f); /* ties away from zero */
    return (int8_t)(q > 127 ? 127 : q < -127 ? -127 : q);
}

int nc_model_writer_add_f32(NCModelWriter *w, const char *name, int ndim,
                            const int64_t *dims, const float *data, enum NCModelDType dtype)
{
    int64_t numel;
    if (!data || (dtype != NC_MODEL_F32 && dtype != NC_MODEL_F16 && dtype != NC_MODEL_I8))
        return NC_EINVAL;
    WriterTensor *t = add_record(w, name, dtype, ndim, dims, &numel);
    if (!t)
        return NC_EINVAL;
    if (dtype == NC_MODEL_F32) {
        memcpy(t->payload, data, (size_t)numel * 4);
    } else if (dtype == NC_MODEL_F16) {
        uint16_t *h = (uint16_t *)t->payload;
        for (int64_t i = 0; i < numel; i++)
            h[i] = ncm_f32_to_f16(data[i]);
    } else {
        int64_t rows = ndim ? dims[0] : 1, per_row = numel / rows;
        float *scales = (float *)t->payload;
        int8_t *q = (int8_t *)(t->payload + ncm_align((uint64_t)rows * 4));
        for (int64_t r = 0; r < rows; r++) {
            const float *x = data + r * per_row;
            float maxabs = 0;
            for (int64_t i = 0; i < per_row; i++)
                maxabs = x[i] > maxabs ? x[i] : -x[i] > maxabs ? -x[i] : maxabs;
            scales[r] = maxabs > 0 ? maxabs / 127.0f : 1.0f;
            float inv = 1.0f / scales[r];
            for (int64_t i = 0; i < per_row; i++)
                q[r * per_row + i] = quantize_i8(x[i], inv);
        }
    }
    ncm_payload_byte_order(t->payload, dtype, numel, ndim ? dims[0] : 1);
    return 0;
}

static uint8_t *put_string(uint8_t *p, const char *s)
{
    size_t n = strlen(s);
    ncm_wr16(p, (uint32_t)n);
    memcpy(p + 2, s, n);
    return p + 2 + n;
}

int nc_model_writer_write_memory(NCModelWriter *w, uint8_t **data, size_t *size,
                                 uint8_t sha256[NC_MODEL_SHA256_SIZE])
{
    if (!w || !data || !size)
        return NC_EINVAL;
    uint64_t meta = 4 + strlen(w->id) + strlen(w->arch);
    for (int i = 0; i < w->n_params; i++)
        meta += 4 + strlen(w->keys[i]) + strlen(w->values[i]);
    uint64_t data_size = 0;
    for (int i = 0; i < w->n_tensors; i++) {
        meta += 2 + strlen(w->tensors[i].name) + 4 + 4 * (uint64_t)w->tensors[i].ndim + 16;
        data_size = ncm_align(data_size) + w->tensors[i].size;
    }
    uint64_t data_offset = ncm_align(NCM_HEADER_SIZE + meta);
    uint64_t total = data_offset + data_size + NC_MODEL_SHA256_SIZE;
    if (meta > UINT32_MAX || total > NCM_MAX_FILE_SIZE) {
        nc_log(NULL, NC_LOG_ERROR, "model writer: the model exceeds 2 GiB");
        return NC_ERANGE;
    }
    uint8_t *buf = calloc(1, (size_t)total);
    if (!buf)
        return NC_ENOMEM;
    memcpy(buf, NCM_MAGIC, 8);
    ncm_wr16(buf + 8, NCM_VERSION);
    ncm_wr16(buf + 10, NCM_HEADER_SIZE);
    ncm_wr64(buf + 16, total);
    ncm_wr32(buf + 24, (uint32_t)meta);
    ncm_wr32(buf + 28, (uint32_t)w->n_params);
    ncm_wr32(buf + 32, (uint32_t)w->n_tensors);
    ncm_wr64(buf + 40, data_offset);
    ncm_wr64(buf + 48, data_size);
    uint8_t *p = put_string(buf + NCM_HEADER_SIZE, w->id);
    p = put_string(p, w->arch);
    for (int i = 0; i < w->n_params; i++)
        p = put_string(put_string(p, w->keys[i]), w->values[i]);
    uint64_t off = 0;
    for (int i = 0; i < w->n_tensors; i++) {
        const WriterTensor *t = &w->tensors[i];
        off = ncm_align(off);
        p = put_string(p, t->name);
        p[0] = (uint8_t)t->dtype;
        p[1] = (uint8_t)t->ndim;
        p += 4;
        for (int d = 0; d < t->ndim; d++, p += 4)
            ncm_wr32(p, t->dims[d]);
        ncm_wr64(p, off);
        ncm_wr64(p + 8, t->size);
        p += 16;
        memcpy(buf + data_offset + off, t->payload, (size_t)t->size);
        off += t->size;
    }
    nci_sha256(buf, (size_t)(total - NC_MODEL_SHA256_SIZE), buf + total - NC_MODEL_SHA256_SIZE);
    if (sha256)
        memcpy(sha256, buf + total - NC_MODEL_SHA256_SIZE, NC_MODEL_SHA256_SIZE);
    *data = buf;
    *size = (size_t)total;
    return 0;
}

int nc_model_writer_write_file(NCModelWriter *w, const char *path,
                               uint8_t sha256[NC_MODEL_SHA256_SIZE])
{
    if (!w || !path)
        return NC_EINVAL;
    uint8_t *buf;
    size_t size;
    int ret = nc_model_writer_write_memory(w, &buf, &size, sha256);
    if (ret < 0)
        return ret;
    NCAtomicFile out;
    ret = nci_atomic_file_open(&out, path, 1);
    if (ret >= 0 && fwrite(buf, 1, size, out.file) != size) {
        nc_log(NULL, NC_LOG_ERROR, "model writer: cannot write %s", path);
        nci_atomic_file_abort(&out);
        ret = NC_EIO;
    }
    if (ret >= 0) ret = nci_atomic_file_commit(&out);
    free(buf);
    return ret;
}
