/* Reference-counted data buffers, shared by frames and packets. The count is
 * atomic, so references may be held and dropped from several threads. */
#ifndef NC_BUFFER_H
#define NC_BUFFER_H

#include <stddef.h>
#include <stdint.h>
#include "nc/export.h"

/* Extra zeroed bytes after every buffer libnc allocates, so that readers may
 * overread a little (as entropy decoders do) without touching foreign memory. */
#define NC_INPUT_PADDING 64

typedef struct NCBuffer NCBuffer;

#ifdef __cplusplus
extern "C" {
#endif

/* A new buffer of size bytes plus NC_INPUT_PADDING zeroed bytes, content zeroed,
 * 64-byte aligned, with one reference. NULL on failure. */
NC_API NCBuffer *nc_buffer_alloc(size_t size);
/* A new reference to buf (NULL if buf is NULL). */
NC_API NCBuffer *nc_buffer_ref(NCBuffer *buf);
/* Drops the reference in *buf and sets *buf to NULL; frees on the last one. */
NC_API void nc_buffer_unref(NCBuffer **buf);
NC_API uint8_t *nc_buffer_data(const NCBuffer *buf);
NC_API size_t nc_buffer_size(const NCBuffer *buf);
/* 1 if the caller holds the only reference, so the data may be changed in place. */
NC_API int nc_buffer_is_writable(const NCBuffer *buf);

#ifdef __cplusplus
}
#endif
#endif
