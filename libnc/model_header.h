/* The stream header (extradata) of codecs that code with one model, shared so that
 * every codec pins its model the same way (DESIGN.md, Models: the stream header
 * names the model and its hash; a decoder with another model refuses). Two forms
 * (conformance/spec/model.md, "Stream headers"); encoders write the compact one,
 * decoders read both.
 *
 * Classic:
 *   magic      3 bytes, the codec's own
 *   version    1 byte
 *   fields     `nfields` bytes of the codec's own configuration (may be 0)
 *   id_len     1 byte, 1..NC_MODEL_MAX_ID
 *   id         id_len bytes of [A-Za-z0-9._-]
 *   sha256     32 bytes, the model's content hash (nc_model_sha256())
 *
 * Compact:
 *   lead       1 byte: 0x80 | version (1..63), plus 0x40 when the id is stored
 *              without the codec's id prefix (e.g. "pclossless-")
 *   fields     `nfields` bytes, as in the classic form
 *   id         the rest but the last 6 bytes: the model id, or with 0x40 what
 *              follows the prefix (1.. bytes of [A-Za-z0-9._-])
 *   sha256     6 bytes (NCI_MODEL_PIN_SIZE): the first bytes of the model's SHA-256;
 *              48 bits tell versions of one model id apart (the Linux kernel's
 *              12-hex-digit commit ids), and every byte counts in a small file
 *
 * Either header is exactly that long: nothing may follow. Internal to libnc. */
#ifndef NC_LIBNC_MODEL_HEADER_H
#define NC_LIBNC_MODEL_HEADER_H

#include <stddef.h>
#include <stdint.h>

#include "nc/model.h"

#define NCI_MODEL_PIN_SIZE 6 /* hash bytes of the compact form: 48 bits */
#define NCI_MODEL_HEADER_COMPACT 0x80
#define NCI_MODEL_HEADER_PREFIXED 0x40
#define NCI_MODEL_HEADER_MAX_SIZE(nfields) \
    (3 + 1 + (nfields) + 1 + NC_MODEL_MAX_ID + NC_MODEL_SHA256_SIZE)

/* The model a stream names: its id and the first sha256_len bytes of its hash. */
typedef struct NCIModelPin {
    char id[NC_MODEL_MAX_ID + 1];
    uint8_t sha256[NC_MODEL_SHA256_SIZE];
    size_t sha256_len; /* NC_MODEL_SHA256_SIZE (classic form) or NCI_MODEL_PIN_SIZE */
    int version;       /* of the stream header that named it (nci_model_header_parse()) */
} NCIModelPin;

/* Writes the compact header of model into buf (NCI_MODEL_HEADER_MAX_SIZE(nfields)
 * bytes); returns its size. id_prefix ("pclossless-") is left out of an id that
 * starts with it. */
size_t nci_model_header_write(uint8_t *buf, const char *id_prefix, int version,
                              const uint8_t *fields, size_t nfields, const NCModel *model);

/* Parses a header of either form with this magic (classic), id prefix (compact),
 * a version from 1 to version (the stream's in pin->version) and nfields bytes of
 * fields (copied to fields when nfields > 0). NC_EINVALIDDATA for a missing,
 * damaged or wrongly sized header, NC_ENOTSUP for a later version; the reason is
 * logged on log_ctx. The caller checks the fields' values. */
int nci_model_header_parse(const void *log_ctx, const uint8_t *buf, size_t size,
                           const char magic[3], const char *id_prefix, int version,
                           uint8_t *fields, size_t nfields, NCIModelPin *pin);

/* 0 when model is the one pin names (id, and hash as far as pinned); otherwise
 * logs why and returns NC_EMODEL. */
int nci_model_pin_check(const void *log_ctx, const NCModel *model, const NCIModelPin *pin);

#endif
