#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "nc/buffer.h"

struct NCBuffer {
    atomic_int refcount;
    size_t size;
    uint8_t *data;
};

NCBuffer *nc_buffer_alloc(size_t size)
{
    if (size > SIZE_MAX - NC_INPUT_PADDING - 64) return NULL;
    NCBuffer *buf = malloc(sizeof(*buf));
    if (!buf) return NULL;
    /* Round up: aligned_alloc wants a multiple of the alignment. */
    size_t bytes = (size + NC_INPUT_PADDING + 63) & ~(size_t)63;
    buf->data = aligned_alloc(64, bytes);
    if (!buf->data) {
        free(buf);
        return NULL;
    }
    memset(buf->data, 0, bytes);
    buf->size = size;
    atomic_init(&buf->refcount, 1);
    return buf;
}

NCBuffer *nc_buffer_ref(NCBuffer *buf)
{
    if (buf) atomic_fetch_add_explicit(&buf->refcount, 1, memory_order_relaxed);
    return buf;
}

void nc_buffer_unref(NCBuffer **buf)
{
    if (!buf || !*buf) return;
    NCBuffer *b = *buf;
    *buf = NULL;
    if (atomic_fetch_sub_explicit(&b->refcount, 1, memory_order_acq_rel) == 1) {
        free(b->data);
        free(b);
    }
}

uint8_t *nc_buffer_data(const NCBuffer *buf)
{
    return buf ? buf->data : NULL;
}

size_t nc_buffer_size(const NCBuffer *buf)
{
    return buf ? buf->size : 0;
}

int nc_buffer_is_writable(const NCBuffer *buf)
{
    return buf && atomic_load_explicit(&buf->refcount, memory_order_acquire) == 1;
}
