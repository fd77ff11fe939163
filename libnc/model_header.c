/* The one-model stream header (model_header.h). */
#include <stdio.h>
#include <string.h>

#include "libnc/check.h"
#include "libnc/model/model_format.h"
#include "libnc/model_header.h"
#include "nc/error.h"
#include "nc/log.h"

size_t nci_model_header_write(uint8_t *buf, const char *id_prefix, int version,
                              const uint8_t *fields, size_t nfields, const NCModel *model)
{
    const char *id = nc_model_id(model);
    size_t prefix = strlen(id_prefix), n = strlen(id);
    int elide = n > prefix && !strncmp(id, id_prefix, prefix);
    if (elide) id += prefix, n -= prefix;
    buf[0] = (uint8_t)(NCI_MODEL_HEADER_COMPACT | (elide ? NCI_MODEL_HEADER_PREFIXED : 0) | version);
    if (nfields) memcpy(buf + 1, fields, nfields);
    memcpy(buf + 1 + nfields, id, n);
    memcpy(buf + 1 + nfields + n, nc_model_sha256(model), NCI_MODEL_PIN_SIZE);
    return 1 + nfields + n + NCI_MODEL_PIN_SIZE;
}

static int bad_header(const void *log_ctx, const char *why)
{
    nc_log(log_ctx, NC_LOG_ERROR, "the stream header %s", why);
    return NC_EINVALIDDATA;
}

/* Versions 1 .. version are read (a codec's newer versions keep reading the older
 * ones); the stream's goes to pin->version. */
static int check_version(const void *log_ctx, int have, int version, NCIModelPin *pin)
{
    pin->version = have;
    if (have >= 1 && have <= version) return 0;
    nc_log(log_ctx, NC_LOG_ERROR, "stream version %d, this decoder reads 1 to %d", have, version);
    return NC_ENOTSUP;
}

/* The compact form: lead byte, fields, id (or its part after the prefix), hash. */
static int parse_compact(const void *log_ctx, const uint8_t *buf, size_t size,
                         const char *id_prefix, int version, size_t nfields, NCIModelPin *pin)
{
    NC_FORWARD_IF_ERROR(check_version(log_ctx, buf[0] & 0x3F, version, pin));
    size_t prefix = buf[0] & NCI_MODEL_HEADER_PREFIXED ? strlen(id_prefix) : 0;
    if (size < 1 + nfields + 1 + NCI_MODEL_PIN_SIZE ||
        size - (1 + nfields + NCI_MODEL_PIN_SIZE) > NC_MODEL_MAX_ID - prefix)
        return bad_header(log_ctx, "has a bad size");
    size_t n = size - (1 + nfields + NCI_MODEL_PIN_SIZE);
    const uint8_t *id = buf + 1 + nfields;
    memcpy(pin->id, id_prefix, prefix);
    memcpy(pin->id + prefix, id, n);
    pin->id[prefix + n] = 0;
    if (!ncm_valid_id(pin->id, prefix + n, NC_MODEL_MAX_ID))
        return bad_header(log_ctx, "names no valid model");
    memcpy(pin->sha256, id + n, NCI_MODEL_PIN_SIZE);
    pin->sha256_len = NCI_MODEL_PIN_SIZE;
    return 0;
}

/* The classic form: magic, version, fields, id length, id, hash. */
static int parse_classic(const void *log_ctx, const uint8_t *buf, size_t size,
                         const char magic[3], int version, size_t nfields, NCIModelPin *pin)
{
    if (size < 4 + nfields + 1 || memcmp(buf, magic, 3))
        return bad_header(log_ctx, "is missing or damaged");
    NC_FORWARD_IF_ERROR(check_version(log_ctx, buf[3], version, pin));
    const uint8_t *p = buf + 4 + nfields;
    size_t n = p[0];
    if (n < 1 || n > NC_MODEL_MAX_ID || size != 4 + nfields + 1 + n + NC_MODEL_SHA256_SIZE)
        return bad_header(log_ctx, "has a bad size");
    if (!ncm_valid_id((const char *)p + 1, n, NC_MODEL_MAX_ID))
        return bad_header(log_ctx, "names no valid model");
    memcpy(pin->id, p + 1, n);
    pin->id[n] = 0;
    memcpy(pin->sha256, p + 1 + n, NC_MODEL_SHA256_SIZE);
    pin->sha256_len = NC_MODEL_SHA256_SIZE;
    return 0;
}

int nci_model_header_parse(const void *log_ctx, const uint8_t *buf, size_t size,
                           const char magic[3], const char *id_prefix, int version,
                           uint8_t *fields, size_t nfields, NCIModelPin *pin)
{
    memset(pin, 0, sizeof(*pin));
    if (!buf || !size) return bad_header(log_ctx, "is missing or damaged");
    int ret = buf[0] & NCI_MODEL_HEADER_COMPACT
                  ? parse_compact(log_ctx, buf, size, id_prefix, version, nfields, pin)
                  : parse_classic(log_ctx, buf, size, magic, version, nfields, pin);
    if (ret < 0) return ret;
    if (nfields) memcpy(fields, buf + (buf[0] & NCI_MODEL_HEADER_COMPACT ? 1 : 4), nfields);
    return 0;
}

int nci_model_pin_check(const void *log_ctx, const NCModel *model, const NCIModelPin *pin)
{
    if (pin->sha256_len == NC_MODEL_SHA256_SIZE) return nc_model_check(model, pin->id, pin->sha256);
    const char *id = nc_model_id(model);
    if (strcmp(id, pin->id)) {
        nc_log(log_ctx, NC_LOG_ERROR, "model: the stream needs model %s, loaded %s", pin->id, id);
        return NC_EMODEL;
    }
    const uint8_t *have = nc_model_sha256(model);
    if (memcmp(have, pin->sha256, pin->sha256_len)) {
        char want_hex[2 * NCI_MODEL_PIN_SIZE + 1], have_hex[2 * NCI_MODEL_PIN_SIZE + 1];
        for (size_t i = 0; i < NCI_MODEL_PIN_SIZE; i++) {
            snprintf(want_hex + 2 * i, 3, "%02x", pin->sha256[i]);
            snprintf(have_hex + 2 * i, 3, "%02x", have[i]);
        }
        nc_log(log_ctx, NC_LOG_ERROR,
               "model: %s has SHA-256 %s... but the stream was made with %s... (another "
               "version of the model)",
               id, have_hex, want_hex);
        return NC_EMODEL;
    }
    return 0;
}
