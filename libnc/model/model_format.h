/* Constants and byte helpers of the .ncm format (conformance/spec/model.md),
 * shared by the reader and the writer. */
#ifndef NC_MODEL_FORMAT_H
#define NC_MODEL_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "nc/model.h"

#define NCM_MAGIC "\x89NCM\r\n\x1a\n"
#define NCM_VERSION 1
#define NCM_HEADER_SIZE 64
#define NCM_ALIGN 64
#define NCM_MAX_FILE_SIZE ((uint64_t)1 << 31)
#define NCM_MAX_PARAMS 4096
#define NCM_MAX_TENSORS 65536
#define NCM_MAX_NAME 255
#define NCM_MAX_VALUE 4095
#define NCM_MAX_NUMEL ((int64_t)1 << 31)

/* Rounds up to the next multiple of NCM_ALIGN. */
static inline uint64_t ncm_align(uint64_t x)
{
    return (x + NCM_ALIGN - 1) & ~(uint64_t)(NCM_ALIGN - 1);
}

static inline uint32_t ncm_rd16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static inline uint32_t ncm_rd32(const uint8_t *p)
{
    return ncm_rd16(p) | ncm_rd16(p + 2) << 16;
}

static inline uint64_t ncm_rd64(const uint8_t *p)
{
    return ncm_rd32(p) | (uint64_t)ncm_rd32(p + 4) << 32;
}

static inline void ncm_wr16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void ncm_wr32(uint8_t *p, uint32_t v)
{
    ncm_wr16(p, v & 0xffff);
    ncm_wr16(p + 2, v >> 16);
}

static inline void ncm_wr64(uint8_t *p, uint64_t v)
{
    ncm_wr32(p, (uint32_t)v);
    ncm_wr32(p + 4, (uint32_t)(v >> 32));
}

/* Bytes of one element (int8 values for NC_MODEL_I8); 0 for an unknown dtype. */
int ncm_dtype_size(int dtype);
/* Payload bytes of a tensor of numel elements and rows rows, per the spec. */
uint64_t ncm_payload_size(int dtype, int64_t numel, int64_t rows);
/* Turns a payload's elements (f32, f16, int16, int32, int8 scales) from the file's
 * little-endian order into the host's, or back: a byte swap on a big-endian host,
 * nothing on a little-endian one. The reader applies it after checking the hash,
 * the writer before computing it. */
void ncm_payload_byte_order(uint8_t *payload, int dtype, int64_t numel, int64_t rows);
/* 1 if s[0..len) is a valid id / key: 1..max bytes of [A-Za-z0-9._-]. */
int ncm_valid_id(const char *s, size_t len, size_t max);
/* 1 if s[0..len) is a valid tensor name: printable ASCII without spaces. */
int ncm_valid_name(const char *s, size_t len);

/* IEEE binary16 <-> binary32, integer-only so they give the same bits anywhere. */
uint16_t ncm_f32_to_f16(float f);
float ncm_f16_to_f32(uint16_t h);

#endif
