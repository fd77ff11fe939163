/* The one-model stream header (model_header.h). */
#include <string.h>

#include "libnc/model/model_format.h"
#include "libnc/model_header.h"
#include "nc/error.h"
#include "nc/log.h"

size_t nci_model_header_write(uint8_t *buf, const char magic[3], int version,
                              const uint8_t *fields, size_t nfields, const NCModel *model)
{
    const char *id = nc_model_id(model);
    size_t n = strlen(id);
    memcpy(buf, magic, 3);
    buf[3] = (uint8_t)version;
    if (nfields) memcpy(buf + 4, fields, nfields);
    uint8_t *p = buf + 4 + nfields;
    p[0] = (uint8_t)n;
    memcpy(p + 1, id, n);
    memcpy(p + 1 + n, nc_model_sha256(model), NC_MODEL_SHA256_SIZE);
    return 4 + nfields + 1 + n + NC_MODEL_SHA256_SIZE;
}

int nci_model_header_parse(const void *log_ctx, const uint8_t *buf, size_t size,
                           const char magic[3], int version, uint8_t *fields, size_t nfields,
                           char id[NC_MODEL_MAX_ID + 1], uint8_t sha256[NC_MODEL_SHA256_SIZE])
{
    if (!buf || size < 4 + nfields + 1 || memcmp(buf, magic, 3)) {
        nc_log(log_ctx, NC_LOG_ERROR, "the stream header is missing or damaged");
        return NC_EINVALIDDATA;
    }
    if (buf[3] != version) {
        nc_log(log_ctx, NC_LOG_ERROR, "stream version %d, this decoder reads %d", buf[3], version);
        return NC_ENOTSUP;
    }
    const uint8_t *p = buf + 4 + nfields;
    size_t n = p[0];
    if (n < 1 || n > NC_MODEL_MAX_ID || size != 4 + nfields + 1 + n + NC_MODEL_SHA256_SIZE) {
        nc_log(log_ctx, NC_LOG_ERROR, "the stream header has a bad size");
        return NC_EINVALIDDATA;
    }
    if (!ncm_valid_id((const char *)p + 1, n, NC_MODEL_MAX_ID)) {
        nc_log(log_ctx, NC_LOG_ERROR, "the stream header names no valid model");
        return NC_EINVALIDDATA;
    }
    if (nfields) memcpy(fields, buf + 4, nfields);
    memcpy(id, p + 1, n);
    id[n] = 0;
    memcpy(sha256, p + 1 + n, NC_MODEL_SHA256_SIZE);
    return 0;
}
