/* Converting a pclossless model of the unpacked form (tensors edge I16 [D, k, k] and
 * leaf I8 [D, k, 256], written before the packed form) to the packed form the codec
 * reads (pc_model.h), with the same id, parameters and integers. */
#include <stdlib.h>
#include <string.h>

#include "codecs/pclossless/pc_model.h"
#include "nc/error.h"
#include "nc/log.h"

static const char *const own_keys[] = {"patch_width", "patch_height", "states"};

int pc_coding_model_equal(const PCCodingModel *a, const PCCodingModel *b)
{
    int d = a->tree.nvars, k = a->nstates;
    if (b->tree.nvars != d || b->nstates != k || a->patch_w != b->patch_w ||
        a->patch_h != b->patch_h || a->tree.root != b->tree.root)
        return 0;
    for (int v = 0; v < d; v++)
        if (a->tree.parent[v] != b->tree.parent[v] || a->tree.order[v] != b->tree.order[v])
            return 0;
    return !memcmp(a->prior, b->prior, sizeof(uint32_t) * (size_t)k) &&
           !memcmp(a->edge, b->edge, sizeof(uint32_t) * (size_t)d * k * k) &&
           !memcmp(a->cdf, b->cdf, sizeof(uint32_t) * (size_t)d * (PC_NUM_VALUES + 1) * k);
}

int pc_model_convert(const char *old_path, const char *new_path)
{
    NCModel *old = NULL, *packed = NULL;
    int ret = nc_model_load_file(&old, old_path);
    if (ret < 0) return ret;
    int64_t pw, ph, k;
    const NCModelTensor *parent, *prior, *edge, *leaf;
    uint8_t *codes = NULL;
    const char **params = NULL;
    PCCodingModel a = {0}, b = {0};
    ret = NC_EMODEL;
    if (strcmp(nc_model_arch(old), PC_MODEL_ARCH) ||
        nc_model_param_int(old, "patch_width", &pw) < 0 ||
        nc_model_param_int(old, "patch_height", &ph) < 0 ||
        nc_model_param_int(old, "states", &k) < 0 || pw < 1 || ph < 1 || pw > PC_MAX_VARS ||
        ph > PC_MAX_VARS || pw * ph > PC_MAX_VARS || k < 1 || k > PC_MAX_STATES) {
        nc_log(NULL, NC_LOG_ERROR, "pclossless: %s is not a pclossless model", old_path);
        goto done;
    }
    int64_t d = pw * ph;
    int64_t dims_parent[1] = {d}, dims_prior[1] = {k}, dims_edge[3] = {d, k, k},
            dims_leaf[3] = {d, k, PC_NUM_VALUES};
    if (nc_model_tensor_expect(old, "parent", 1, dims_parent, &parent) < 0 ||
        nc_model_tensor_expect(old, "prior", 1, dims_prior, &prior) < 0 ||
        nc_model_tensor_expect(old, "edge", 3, dims_edge, &edge) < 0 ||
        nc_model_tensor_expect(old, "leaf", 3, dims_leaf, &leaf) < 0 ||
        parent->dtype != NC_MODEL_I32 || prior->dtype != NC_MODEL_I16 ||
        edge->dtype != NC_MODEL_I16 || leaf->dtype != NC_MODEL_I8) {
        nc_log(NULL, NC_LOG_ERROR, "pclossless: %s is not an unpacked pclossless model", old_path);
        goto done;
    }
    size_t nl = (size_t)d * (size_t)k * PC_NUM_VALUES;
    int np = nc_model_param_count(old);
    codes = malloc(nl);
    params = calloc((size_t)2 * np + 2, sizeof(char *));
    ret = NC_ENOMEM;
    if (!codes || !params) goto done;
    const int8_t *src = leaf->data;
    for (size_t i = 0; i < nl; i++)
        codes[i] = (uint8_t)(src[i] + 128);
    int n = 0;
    for (int i = 0; i < np; i++) {
        const char *key, *value;
        nc_model_param_at(old, i, &key, &value);
        int own = 0;
        for (size_t j = 0; j < sizeof(own_keys) / sizeof(own_keys[0]); j++)
            own |= !strcmp(key, own_keys[j]);
        if (!own) {
            params[n++] = key;
            params[n++] = value;
        }
    }
    if ((ret = pc_coding_model_build(&a, (int)pw, (int)ph, (int)k, parent->data, prior->data,
                                     edge->data, codes)) < 0 ||
        (ret = pc_model_write_ints((int)pw, (int)ph, (int)k, parent->data, prior->data, edge->data,
                                   codes, nc_model_id(old), new_path, params)) < 0 ||
        (ret = nc_model_load_file(&packed, new_path)) < 0 ||
        (ret = pc_coding_model_from_ncm(&b, packed)) < 0)
        goto done;
    if (!pc_coding_model_equal(&a, &b)) {
        nc_log(NULL, NC_LOG_ERROR, "pclossless: %s does not read back as %s", new_path, old_path);
        ret = NC_EBUG;
    }
done:
    pc_coding_model_free(&a);
    pc_coding_model_free(&b);
    nc_model_free(&old);
    nc_model_free(&packed);
    free(codes);
    free(params);
    return ret;
}
