/* Mono sample buffers of block encoders (sample_buffer.h). */
#include <stdlib.h>
#include <string.h>

#include "libnc/codec_internal.h"
#include "libnc/sample_buffer.h"

int nci_samples_append(NCISamples *b, const float *x, size_t n)
{
    if (!n)
        return 0; /* also keeps NULL away from memcpy while nothing is allocated */
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n) cap *= 2;
        float *grown = realloc(b->data, cap * sizeof(float));
        if (!grown)
            return NC_ENOMEM;
        b->data = grown;
        b->cap = cap;
    }
    if (x)
        memcpy(b->data + b->len, x, n * sizeof(float));
    else
        memset(b->data + b->len, 0, n * sizeof(float));
    b->len += n;
    return 0;
}

int nci_samples_pad_to(NCISamples *b, size_t len)
{
    return len > b->len ? nci_samples_append(b, NULL, len - b->len) : 0;
}

void nci_samples_consume(NCISamples *b, size_t n)
{
    if (!n)
        return;
    memmove(b->data, b->data + n, (b->len - n) * sizeof(float));
    b->len -= n;
}

void nci_samples_free(NCISamples *b)
{
    free(b->data);
    memset(b, 0, sizeof(*b));
}

int nci_codec_pull_samples(NCCodecContext *ctx, NCISamples *b, int64_t *count)
{
    NCFrame frame = {0};
    int ret = nci_codec_get_frame(ctx, &frame);
    if (ret < 0)
        return ret;
    ret = nci_samples_append(b, (const float *)frame.data[0], (size_t)frame.nb_samples);
    if (ret >= 0)
        *count += frame.nb_samples;
    nc_frame_unref(&frame);
    return ret;
}
