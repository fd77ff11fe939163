/* The .ncm reader: checks every field against conformance/spec/model.md before
 * trusting it, so a hostile file gives NC_EMODEL and never a crash or a large
 * allocation it does not back with real bytes. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "libnc/model/model_format.h"
#include "libnc/model/model_internal.h"
#include "libnc/model/sha256.h"
#include "libnc/text.h"
#include "nc/error.h"
#include "nc/log.h"

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 1, 2)))
#endif
static int model_bad(const char *fmt, ...)
{
    char msg[512];
    va_list args;
    va_start(args, fmt);
    vsnprintf(msg, sizeof(msg), fmt, args);
    va_end(args);
    nc_log(NULL, NC_LOG_ERROR, "model: %s", msg);
    return NC_EMODEL;
}

typedef struct Cursor {
    const uint8_t *p, *end;
} Cursor;

static int take(Cursor *c, size_t n, const uint8_t **out)
{
    if ((size_t)(c->end - c->p) < n)
        return 0;
    *out = c->p;
    c->p += n;
    return 1;
}

/* Reads a string into the pool as a NUL-terminated copy. */
static int take_string(Cursor *c, char **pool, const char **out, size_t *len)
{
    const uint8_t *p;
    if (!take(c, 2, &p))
        return 0;
    *len = ncm_rd16(p);
    if (!take(c, *len, &p) || memchr(p, 0, *len))
        return 0;
    memcpy(*pool, p, *len);
    (*pool)[*len] = 0;
    *out = *pool;
    *pool += *len + 1;
    return 1;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_tensor_name(const void *a, const void *b)
{
    return strcmp((*(const NCModelTensor *const *)a)->name,
                  (*(const NCModelTensor *const *)b)->name);
}

static int cmp_tensor_offset(const void *a, const void *b)
{
    const NCModelTensor *x = *(const NCModelTensor *const *)a;
    const NCModelTensor *y = *(const NCModelTensor *const *)b;
    const uint8_t *px = x->scales ? (const uint8_t *)x->scales : x->data;
    const uint8_t *py = y->scales ? (const uint8_t *)y->scales : y->data;
    return px < py ? -1 : px > py;
}

/* 1 if the sorted list of n strings has two equal neighbours. */
static int has_duplicate(const char **sorted, int n)
{
    for (int i = 1; i < n; i++)
        if (!strcmp(sorted[i - 1], sorted[i]))
            return 1;
    return 0;
}

static int parse_tensor(Cursor *c, char **pool, NCModel *m, NCModelTensor *t,
                        uint64_t data_offset, uint64_t data_size, uint64_t *end)
{
    const uint8_t *p;
    size_t len;
    if (!take_string(c, pool, &t->name, &len))
        return model_bad("tensor %d: truncated name", (int)(t - m->tensors));
    if (!ncm_valid_name(t->name, len))
        return model_bad("tensor %d: invalid name", (int)(t - m->tensors));
    if (!take(c, 4, &p))
        return model_bad("tensor %s: truncated record", t->name);
    int dtype = p[0];
    t->ndim = p[1];
    if (!ncm_dtype_size(dtype))
        return model_bad("tensor %s: unknown dtype %d", t->name, dtype);
    t->dtype = (enum NCModelDType)dtype;
    if (t->ndim > NC_MODEL_MAX_DIMS || ncm_rd16(p + 2))
        return model_bad("tensor %s: bad ndim %d or reserved field", t->name, t->ndim);
    if (!take(c, 4 * (size_t)t->ndim + 16, &p))
        return model_bad("tensor %s: truncated record", t->name);
    t->numel = 1;
    for (int d = 0; d < t->ndim; d++) {
        t->dims[d] = ncm_rd32(p + 4 * d);
        if (t->dims[d] < 1 || t->dims[d] > NCM_MAX_NUMEL)
            return model_bad("tensor %s: dimension %d is %lld", t->name, d, (long long)t->dims[d]);
        t->numel *= t->dims[d];
        if (t->numel > NCM_MAX_NUMEL)
            return model_bad("tensor %s: too many elements", t->name);
    }
    p += 4 * t->ndim;
    uint64_t off = ncm_rd64(p), size = ncm_rd64(p + 8);
    int64_t rows = t->ndim ? t->dims[0] : 1;
    if (off % NCM_ALIGN || off > data_size || size > data_size - off)
        return model_bad("tensor %s: payload at %llu+%llu is misaligned or outside the data",
                   t->name, (unsigned long long)off, (unsigned long long)size);
    if (size != ncm_payload_size(dtype, t->numel, rows))
        return model_bad("tensor %s: payload size %llu does not match its shape", t->name,
                   (unsigned long long)size);
    uint8_t *payload = m->image + data_offset + off;
    /* tensors are used in place: in the host's byte order from here on */
    ncm_payload_byte_order(payload, dtype, t->numel, rows);
    if (dtype == NC_MODEL_I8) {
        t->scales = (const float *)payload;
        t->data = payload + ncm_align((uint64_t)rows * 4);
    } else {
        t->scales = NULL;
        t->data = payload;
    }
    *end = data_offset + off + size;
    return 0;
}

/* Payloads must not overlap: sort by start and compare with the previous end. */
static int check_overlaps(NCModel *m, const uint64_t *ends)
{
    int n = m->n_tensors;
    if (n < 2)
        return 0;
    const NCModelTensor **order = malloc(sizeof(*order) * (size_t)n);
    if (!order)
        return NC_ENOMEM;
    for (int i = 0; i < n; i++)
        order[i] = &m->tensors[i];
    qsort(order, (size_t)n, sizeof(*order), cmp_tensor_offset);
    int ret = 0;
    for (int i = 1; i < n && !ret; i++) {
        const NCModelTensor *prev = order[i - 1], *t = order[i];
        const uint8_t *start = t->scales ? (const uint8_t *)t->scales : t->data;
        if ((uint64_t)(start - m->image) < ends[prev - m->tensors])
            ret = model_bad("tensors %s and %s overlap", prev->name, t->name);
    }
    free(order);
    return ret;
}

static int parse(NCModel *m)
{
    const uint8_t *h = m->image;
    size_t size = m->size;
    if (size < NCM_HEADER_SIZE + NC_MODEL_SHA256_SIZE || memcmp(h, NCM_MAGIC, 8))
        return model_bad("not an .ncm file (bad magic or too short)");
    if (ncm_rd16(h + 8) != NCM_VERSION)
        return model_bad("unsupported version %u", ncm_rd16(h + 8));
    if (ncm_rd16(h + 10) != NCM_HEADER_SIZE || ncm_rd32(h + 12) || ncm_rd32(h + 36) ||
        ncm_rd64(h + 56))
        return model_bad("unknown header size, flags or reserved fields");
    uint64_t file_size = ncm_rd64(h + 16), meta_size = ncm_rd32(h + 24);
    uint32_t n_params = ncm_rd32(h + 28), n_tensors = ncm_rd32(h + 32);
    uint64_t data_offset = ncm_rd64(h + 40), data_size = ncm_rd64(h + 48);
    if (file_size != size)
        return model_bad("header says %llu bytes, file has %zu (truncated?)",
                   (unsigned long long)file_size, size);
    if (data_offset % NCM_ALIGN || data_offset < NCM_HEADER_SIZE + meta_size ||
        data_offset > size || data_size != size - data_offset - NC_MODEL_SHA256_SIZE ||
        data_offset + NC_MODEL_SHA256_SIZE > size)
        return model_bad("inconsistent section sizes");
    if (n_params > NCM_MAX_PARAMS || n_tensors > NCM_MAX_TENSORS)
        return model_bad("%u parameters / %u tensors exceed the limits", n_params, n_tensors);
    /* Each record takes bytes of the metadata, so the counts are bounded by it
     * before anything is allocated for them. */
    if ((uint64_t)n_params * 4 + (uint64_t)n_tensors * 24 + 4 > meta_size)
        return model_bad("counts do not fit in the metadata");

    uint8_t digest[NC_MODEL_SHA256_SIZE];
    nci_sha256(h, size - NC_MODEL_SHA256_SIZE, digest);
    if (memcmp(digest, h + size - NC_MODEL_SHA256_SIZE, NC_MODEL_SHA256_SIZE))
        return model_bad("SHA-256 mismatch: the file is corrupt");
    memcpy(m->sha256, digest, sizeof(digest));

    m->pool = malloc(meta_size + 2 + 2 * (size_t)n_params + n_tensors);
    m->keys = malloc(sizeof(*m->keys) * (n_params + 1));
    m->values = malloc(sizeof(*m->values) * (n_params + 1));
    m->tensors = calloc(n_tensors + 1, sizeof(*m->tensors));
    m->by_name = malloc(sizeof(*m->by_name) * (n_tensors + 1));
    uint64_t *ends = malloc(sizeof(*ends) * (n_tensors + 1));
    if (!m->pool || !m->keys || !m->values || !m->tensors || !m->by_name || !ends) {
        free(ends);
        return NC_ENOMEM;
    }
    char *pool = m->pool;
    Cursor c = {h + NCM_HEADER_SIZE, h + NCM_HEADER_SIZE + meta_size};
    size_t len;
    int ret = 0;
    if (!take_string(&c, &pool, &m->id, &len) || !ncm_valid_id(m->id, len, NC_MODEL_MAX_ID))
        ret = model_bad("missing or invalid model id");
    else if (!take_string(&c, &pool, &m->arch, &len) ||
             !ncm_valid_id(m->arch, len, NC_MODEL_MAX_ID))
        ret = model_bad("missing or invalid architecture name");
    for (uint32_t i = 0; i < n_params && !ret; i++, m->n_params++) {
        if (!take_string(&c, &pool, &m->keys[i], &len) ||
            !ncm_valid_id(m->keys[i], len, NCM_MAX_NAME))
            ret = model_bad("hyper-parameter %u: missing or invalid key", i);
        else if (!take_string(&c, &pool, &m->values[i], &len) || len > NCM_MAX_VALUE ||
                 !nc_text_is_printable(m->values[i], len))
            ret = model_bad("hyper-parameter %s: missing value, or not UTF-8 text without "
                            "control characters", m->keys[i]);
    }
    for (uint32_t i = 0; i < n_tensors && !ret; i++, m->n_tensors++)
        ret = parse_tensor(&c, &pool, m, &m->tensors[i], data_offset, data_size, &ends[i]);
    if (!ret) {
        const char **sorted = malloc(sizeof(*sorted) * (n_params + 1));
        if (!sorted) {
            ret = NC_ENOMEM;
        } else {
            memcpy(sorted, m->keys, sizeof(*sorted) * n_params);
            qsort(sorted, n_params, sizeof(*sorted), cmp_name);
            if (has_duplicate(sorted, (int)n_params))
                ret = model_bad("duplicate hyper-parameter key");
            free(sorted);
        }
    }
    if (!ret) {
        for (uint32_t i = 0; i < n_tensors; i++)
            m->by_name[i] = &m->tensors[i];
        qsort(m->by_name, n_tensors, sizeof(*m->by_name), cmp_tensor_name);
        for (uint32_t i = 1; i < n_tensors && !ret; i++)
            if (!strcmp(m->by_name[i - 1]->name, m->by_name[i]->name))
                ret = model_bad("duplicate tensor name %s", m->by_name[i]->name);
    }
    if (!ret)
        ret = check_overlaps(m, ends);
    free(ends);
    return ret;
}

/* Takes ownership of image (64-byte aligned, size bytes). */
static int load_image(NCModel **out, uint8_t *image, size_t size)
{
    NCModel *m = calloc(1, sizeof(*m));
    if (!m) {
        free(image);
        return NC_ENOMEM;
    }
    m->image = image;
    m->size = size;
    int ret = parse(m);
    if (ret < 0) {
        nc_model_free(&m);
        return ret;
    }
    *out = m;
    return 0;
}

static uint8_t *alloc_image(size_t size)
{
    void *p = NULL;
    if (posix_memalign(&p, NCM_ALIGN, size ? size : 1))
        return NULL;
    return p;
}

int nc_model_load_memory(NCModel **out, const void *data, size_t size)
{
    if (!out || (!data && size))
        return NC_EINVAL;
    *out = NULL;
    if (size > NCM_MAX_FILE_SIZE)
        return model_bad("%zu bytes is above the 2 GiB limit", size);
    uint8_t *image = alloc_image(size);
    if (!image)
        return NC_ENOMEM;
    if (size)
        memcpy(image, data, size);
    return load_image(out, image, size);
}

int nc_model_load_file(NCModel **out, const char *path)
{
    if (!out || !path)
        return NC_EINVAL;
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        nc_log(NULL, NC_LOG_ERROR, "model: cannot open %s: %s", path, strerror(errno));
        return NC_EIO;
    }
    struct stat st;
    if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
        fclose(f);
        nc_log(NULL, NC_LOG_ERROR, "model: %s is not a regular file", path);
        return NC_EIO;
    }
    if ((uint64_t)st.st_size > NCM_MAX_FILE_SIZE) {
        fclose(f);
        return model_bad("%s is above the 2 GiB limit", path);
    }
    size_t size = (size_t)st.st_size;
    uint8_t *image = alloc_image(size);
    if (!image) {
        fclose(f);
        return NC_ENOMEM;
    }
    size_t got = fread(image, 1, size, f);
    fclose(f);
    if (got != size) {
        free(image);
        nc_log(NULL, NC_LOG_ERROR, "model: cannot read %s", path);
        return NC_EIO;
    }
    int ret = load_image(out, image, size);
    if (ret == NC_EMODEL)
        nc_log(NULL, NC_LOG_ERROR, "model: %s rejected", path);
    return ret;
}

void nc_model_free(NCModel **model)
{
    if (!model || !*model)
        return;
    NCModel *m = *model;
    free(m->image);
    free(m->pool);
    free(m->keys);
    free(m->values);
    free(m->tensors);
    free(m->by_name);
    free(m);
    *model = NULL;
}
