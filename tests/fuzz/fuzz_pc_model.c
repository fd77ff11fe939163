/* libFuzzer target: pclossless model files (pc_coding_model_from_ncm) on hostile
 * input. Byte 0 selects what the rest is:
 *   bit 0 clear: the packed tables of a model the target builds around them:
 *                byte 1 = patch width - 1 (mod 8), byte 2 = patch height - 1 (mod 8),
 *                byte 3 = states - 1 (mod 16), bytes 4-5 = where the rest splits
 *                into the tensors pack.counts and pack.rans (little-endian, bytes);
 *   bit 0 set:   a whole .ncm image, its trailing SHA-256 recomputed so that
 *                mutations reach the tensors behind the hash.
 * Every input must load as a model or fail with NC_EMODEL; anything else aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/pclossless/pc_model.h"
#include "libnc/model/sha256.h"
#include "nc/error.h"
#include "nc/log.h"
#include "nc/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void try_model(const uint8_t *image, size_t size)
{
    NCModel *m = NULL;
    if (nc_model_load_memory(&m, image, size) < 0) return;
    PCCodingModel cm;
    int ret = pc_coding_model_from_ncm(&cm, m);
    if (ret == 0) {
        /* touch the tables: the last CDF value of every leaf is 2^16 */
        size_t n = (size_t)cm.tree.nvars * cm.nstates;
        if (cm.cdf[n * PC_NUM_VALUES + n - 1] != 1u << PC_LEAF_BITS) abort();
        pc_coding_model_free(&cm);
    } else if (ret != NC_EMODEL && ret != NC_ENOMEM) {
        abort();
    }
    nc_model_free(&m);
}

static void packed(const uint8_t *data, size_t size)
{
    if (size < 5) return;
    int pw = 1 + data[0] % 8, ph = 1 + data[1] % 8, k = 1 + data[2] % 16, d = pw * ph;
    size_t split = (size_t)data[3] | (size_t)data[4] << 8;
    data += 5;
    size -= 5;
    if (split > size) split = size;
    int32_t parent[64];
    int16_t prior[16];
    for (int v = 0; v < d; v++)
        parent[v] = v - 1; /* a chain */
    for (int z = 0; z < k; z++)
        prior[z] = (int16_t)(1000 + z);
    NCModelWriter *w = nc_model_writer_alloc("pclossless-fuzz", PC_MODEL_ARCH);
    int64_t dp[1] = {d}, dz[1] = {k}, dc[2] = {1, (int64_t)split},
            ds[2] = {1, (int64_t)(size - split)};
    float scale = 1.0f;
    uint8_t *image = NULL;
    size_t image_size = 0;
    if (w && split >= 1 && size - split >= 1 &&
        nc_model_writer_set_param_int(w, "patch_width", pw) == 0 &&
        nc_model_writer_set_param_int(w, "patch_height", ph) == 0 &&
        nc_model_writer_set_param_int(w, "states", k) == 0 &&
        nc_model_writer_add_tensor(w, "parent", NC_MODEL_I32, 1, dp, parent, NULL) == 0 &&
        nc_model_writer_add_tensor(w, "prior", NC_MODEL_I16, 1, dz, prior, NULL) == 0 &&
        nc_model_writer_add_tensor(w, PC_MODEL_COUNTS, NC_MODEL_I8, 2, dc, data, &scale) == 0 &&
        nc_model_writer_add_tensor(w, PC_MODEL_STREAM, NC_MODEL_I8, 2, ds, data + split, &scale) ==
            0 &&
        nc_model_writer_write_memory(w, &image, &image_size, NULL) == 0)
        try_model(image, image_size);
    free(image);
    nc_model_writer_free(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    nc_log_set_level(NC_LOG_QUIET);
    if (size < 1 || size > (1u << 20)) return 0;
    if (!(data[0] & 1)) {
        packed(data + 1, size - 1);
        return 0;
    }
    data++;
    size--;
    if (size < NC_SHA256_SIZE) return 0;
    uint8_t *copy = malloc(size);
    if (!copy) return 0;
    memcpy(copy, data, size);
    nci_sha256(copy, size - NC_SHA256_SIZE, copy + size - NC_SHA256_SIZE);
    try_model(copy, size);
    free(copy);
    return 0;
}
