/* nc-train pclossless -o input=bytes: training samples for a bytes model, blocks
 * of D consecutive bytes cut from the files of --data (concatenated, sorted by
 * name), every `stride` bytes, shuffled so that mini-batches mix the files. */
#include <stdlib.h>
#include <string.h>

#include "codecs/pclossless/hclt.h"
#include "codecs/pclossless/pclossless_train.h"
#include "libnc/nn/train_job.h"
#include "libnc/rng.h"
#include "nc/error.h"
#include "nc/log.h"

#define MAX_TRAIN_BYTES ((size_t)1 << 30)


int pc_byte_blocks(const uint8_t *bytes, size_t size, int block, int stride, int max_samples,
                   uint64_t seed, uint8_t **samples, int *n)
{
    *samples = NULL;
    *n = 0;
    if (block < 1 || stride < 1 || max_samples < 1 || size < (size_t)block) return NC_EINVAL;
    size_t count = (size - (size_t)block) / (size_t)stride + 1;
    size_t *start = malloc(sizeof(size_t) * count);
    if (!start) return NC_ENOMEM;
    for (size_t i = 0; i < count; i++) start[i] = i * (size_t)stride;
    for (size_t i = count - 1; i > 0; i--) { /* Fisher-Yates */
        size_t j = (size_t)(nci_splitmix64(&seed) % (i + 1));
        size_t t = start[i];
        start[i] = start[j];
        start[j] = t;
    }
    if (count > (size_t)max_samples) count = (size_t)max_samples;
    *samples = malloc(count * (size_t)block);
    if (!*samples) {
        free(start);
        return NC_ENOMEM;
    }
    for (size_t i = 0; i < count; i++)
        memcpy(*samples + i * (size_t)block, bytes + start[i], (size_t)block);
    free(start);
    *n = (int)count;
    return 0;
}

int pc_read_byte_blocks(const NCTrainJob *job, uint8_t **samples, int *n, int *block)
{
    int64_t d, stride, max_samples;
    int ret = train_option_int(job, "block", 64, 1, PC_MAX_VARS, &d);
    if (ret >= 0) ret = train_option_int(job, "stride", d, 1, PC_MAX_VARS, &stride);
    if (ret >= 0) ret = train_option_int(job, "max_samples", 1 << 20, 1, 1 << 24, &max_samples);
    if (ret < 0) return ret;
    uint8_t *bytes;
    size_t size;
    if ((ret = train_read_dir(job->data_dir, MAX_TRAIN_BYTES, &bytes, &size)) < 0) return ret;
    ret = pc_byte_blocks(bytes, size, (int)d, (int)stride, (int)max_samples, job->seed, samples, n);
    free(bytes);
    if (ret == NC_EINVAL)
        nc_log(NULL, NC_LOG_ERROR, "pclossless: %s holds fewer than %d bytes", job->data_dir, (int)d);
    *block = (int)d;
    return ret;
}
