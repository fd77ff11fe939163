/* Reading and writing pclossless models (.ncm, layout in pc_model.h). */
#include <stdlib.h>
#include <string.h>

#include "codecs/pclossless/pc_model.h"
#include "nc/error.h"
#include "nc/log.h"

int pc_coding_model_from_ncm(PCCodingModel *cm, const NCModel *model)
{
    int64_t pw, ph, k;
    if (strcmp(nc_model_arch(model), PC_MODEL_ARCH)) {
        nc_log(NULL, NC_LOG_ERROR, "pclossless: model %s has architecture %s, not %s",
               nc_model_id(model), nc_model_arch(model), PC_MODEL_ARCH);
        return NC_EMODEL;
    }
    if (nc_model_param_int(model, "patch_width", &pw) < 0 ||
        nc_model_param_int(model, "patch_height", &ph) < 0 ||
        nc_model_param_int(model, "states", &k) < 0)
        return NC_EMODEL;
    if (pw < 1 || ph < 1 || pw * ph > PC_MAX_VARS || k < 1 || k > PC_MAX_STATES) {
        nc_log(NULL, NC_LOG_ERROR, "pclossless: model shape %lldx%lld, %lld states out of range",
               (long long)pw, (long long)ph, (long long)k);
        return NC_EMODEL;
    }
    int64_t d = pw * ph;
    const NCModelTensor *parent, *prior, *edge, *leaf;
    int64_t dims_parent[1] = {d}, dims_prior[1] = {k}, dims_edge[3] = {d, k, k},
            dims_leaf[3] = {d, k, PC_NUM_VALUES};
    if (nc_model_tensor_expect(model, "parent", 1, dims_parent, &parent) < 0 ||
        nc_model_tensor_expect(model, "prior", 1, dims_prior, &prior) < 0 ||
        nc_model_tensor_expect(model, "edge", 3, dims_edge, &edge) < 0 ||
        nc_model_tensor_expect(model, "leaf", 3, dims_leaf, &leaf) < 0)
        return NC_EMODEL;
    if (parent->dtype != NC_MODEL_I32 || prior->dtype != NC_MODEL_I16 ||
        edge->dtype != NC_MODEL_I16 || leaf->dtype != NC_MODEL_I8) {
        nc_log(NULL, NC_LOG_ERROR, "pclossless: model %s has tensors of the wrong type",
               nc_model_id(model));
        return NC_EMODEL;
    }
    size_t nl = (size_t)d * (size_t)k * PC_NUM_VALUES;
    uint8_t *codes = malloc(nl);
    if (!codes) return NC_ENOMEM;
    const int8_t *src = leaf->data;
    for (size_t i = 0; i < nl; i++) codes[i] = (uint8_t)(src[i] + 128);
    int ret = pc_coding_model_build(cm, (int)pw, (int)ph, (int)k, parent->data, prior->data,
                                    edge->data, codes);
    free(codes);
    return ret;
}

int pc_model_write(const PCHclt *m, int patch_w, int patch_h, const char *id,
                   const char *path, const char *const *params, PCCodingModel *cm)
{
    int d = m->tree.nvars, k = m->nstates;
    if (patch_w * patch_h != d) return NC_EINVAL;
    size_t ne = (size_t)d * k * k, nl = (size_t)d * k * PC_NUM_VALUES;
    int32_t *parent = malloc(sizeof(int32_t) * (size_t)d);
    int16_t *prior = malloc(sizeof(int16_t) * (size_t)k);
    int16_t *edge = malloc(sizeof(int16_t) * ne);
    uint8_t *codes = malloc(nl);
    int8_t *leaf = malloc(nl);
    float *scales = malloc(sizeof(float) * (size_t)d);
    NCModelWriter *w = nc_model_writer_alloc(id, PC_MODEL_ARCH);
    int ret = NC_ENOMEM;
    if (!parent || !prior || !edge || !codes || !leaf || !scales || !w) goto done;
    for (int v = 0; v < d; v++) {
        parent[v] = m->tree.parent[v];
        scales[v] = 1.0f;
    }
    pc_hclt_quantize(m, prior, edge, codes);
    for (size_t i = 0; i < nl; i++) leaf[i] = (int8_t)((int)codes[i] - 128);
    int64_t dims_parent[1] = {d}, dims_prior[1] = {k}, dims_edge[3] = {d, k, k},
            dims_leaf[3] = {d, k, PC_NUM_VALUES};
    if ((ret = nc_model_writer_set_param_int(w, "patch_width", patch_w)) < 0 ||
        (ret = nc_model_writer_set_param_int(w, "patch_height", patch_h)) < 0 ||
        (ret = nc_model_writer_set_param_int(w, "states", k)) < 0)
        goto done;
    for (int i = 0; params && params[i] && params[i + 1]; i += 2)
        if ((ret = nc_model_writer_set_param(w, params[i], params[i + 1])) < 0) goto done;
    if ((ret = nc_model_writer_add_tensor(w, "parent", NC_MODEL_I32, 1, dims_parent, parent,
                                          NULL)) < 0 ||
        (ret = nc_model_writer_add_tensor(w, "prior", NC_MODEL_I16, 1, dims_prior, prior,
                                          NULL)) < 0 ||
        (ret = nc_model_writer_add_tensor(w, "edge", NC_MODEL_I16, 3, dims_edge, edge, NULL)) <
            0 ||
        (ret = nc_model_writer_add_tensor(w, "leaf", NC_MODEL_I8, 3, dims_leaf, leaf, scales)) <
            0)
        goto done;
    if ((ret = nc_model_writer_write_file(w, path, NULL)) < 0) goto done;
    if (cm) ret = pc_coding_model_build(cm, patch_w, patch_h, k, parent, prior, edge, codes);
done:
    nc_model_writer_free(&w);
    free(parent);
    free(prior);
    free(edge);
    free(codes);
    free(leaf);
    free(scales);
    return ret;
}
