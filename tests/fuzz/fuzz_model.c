/* The .ncm loader on hostile input. Each input is tried twice: as is (which the
 * SHA-256 check mostly stops) and with its trailing hash recomputed, so that
 * mutations reach the header and metadata parser behind the hash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libnc/model/sha256.h"
#include "nc/log.h"
#include "nc/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void use(const NCModel *m)
{
    /* touch everything the loader hands out, so out-of-range pointers show up */
    volatile float sink = 0;
    for (int i = 0; i < nc_model_tensor_count(m); i++) {
        const NCModelTensor *t = nc_model_tensor_at(m, i);
        float x[64];
        if (t->numel <= 64 && nc_model_tensor_to_f32(t, x, t->numel) == 0)
            sink += x[t->numel - 1];
        if (nc_model_tensor(m, t->name) != t)
            abort();
    }
    const char *k, *v;
    for (int i = 0; nc_model_param_at(m, i, &k, &v) == 0; i++)
        sink += (float)strlen(k) + (float)strlen(v);
    (void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    nc_log_set_level(NC_LOG_QUIET);
    NCModel *m = NULL;
    if (nc_model_load_memory(&m, data, size) == 0)
        use(m);
    nc_model_free(&m);
    if (size < NC_SHA256_SIZE || size > (1u << 20))
        return 0;
    uint8_t *copy = malloc(size);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    nci_sha256(copy, size - NC_SHA256_SIZE, copy + size - NC_SHA256_SIZE);
    if (nc_model_load_memory(&m, copy, size) == 0)
        use(m);
    nc_model_free(&m);
    free(copy);
    return 0;
}
