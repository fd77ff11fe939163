/* The stream header (extradata) of codecs that code with one model, shared so that
 * every codec pins its model the same way (DESIGN.md, Models: the stream header
 * names the model and its hash; a decoder with another model refuses):
 *
 *   magic      3 bytes, the codec's own
 *   version    1 byte
 *   fields     `nfields` bytes of the codec's own configuration (may be 0)
 *   id_len     1 byte, 1..NC_MODEL_MAX_ID
 *   id         id_len bytes of [A-Za-z0-9._-]
 *   sha256     32 bytes, the model's content hash (nc_model_sha256())
 *
 * The header is exactly that long: nothing may follow. Internal to libnc. */
#ifndef NC_LIBNC_MODEL_HEADER_H
#define NC_LIBNC_MODEL_HEADER_H

#include <stddef.h>
#include <stdint.h>

#include "nc/model.h"

#define NCI_MODEL_HEADER_MAX_SIZE(nfields) \
    (3 + 1 + (nfields) + 1 + NC_MODEL_MAX_ID + NC_MODEL_SHA256_SIZE)

/* Writes the header of model into buf (NCI_MODEL_HEADER_MAX_SIZE(nfields) bytes);
 * returns its size. */
size_t nci_model_header_write(uint8_t *buf, const char magic[3], int version,
                              const uint8_t *fields, size_t nfields, const NCModel *model);

/* Parses a header of this magic and version with nfields bytes of fields (copied to
 * fields when nfields > 0): the model's id and hash. NC_EINVALIDDATA for a missing,
 * damaged or wrongly sized header, NC_ENOTSUP for another version; the reason is
 * logged on log_ctx. The caller checks the fields' values. */
int nci_model_header_parse(const void *log_ctx, const uint8_t *buf, size_t size,
                           const char magic[3], int version, uint8_t *fields, size_t nfields,
                           char id[NC_MODEL_MAX_ID + 1], uint8_t sha256[NC_MODEL_SHA256_SIZE]);

#endif
