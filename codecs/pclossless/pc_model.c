/* Reading and writing pclossless models (.ncm, layout in pc_model.h). */
#include <stdlib.h>
#include <string.h>

#include "codecs/pclossless/pc_model.h"
#include "codecs/pclossless/pc_model_pack.h"
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
    if (pw < 1 || ph < 1 || pw > PC_MAX_VARS || ph > PC_MAX_VARS || pw * ph > PC_MAX_VARS ||
        k < 1 || k > PC_MAX_STATES) {
        nc_log(NULL, NC_LOG_ERROR, "pclossless: model shape %lldx%lld, %lld states out of range",
               (long long)pw, (long long)ph, (long long)k);
        return NC_EMODEL;
    }
    if (nc_model_tensor(model, "leaf") || nc_model_tensor(model, "edge")) {
        nc_log(NULL, NC_LOG_ERROR,
               "pclossless: model %s stores unpacked edge/leaf tensors (the form before the "
               "packed tables); convert it with pc_model_convert (codecs/pclossless/README.md)",
               nc_model_id(model));
        return NC_EMODEL;
    }
    int64_t d = pw * ph;
    const NCModelTensor *parent, *prior, *counts, *stream;
    int64_t dims_parent[1] = {d}, dims_prior[1] = {k};
    if (nc_model_tensor_expect(model, "parent", 1, dims_parent, &parent) < 0 ||
        nc_model_tensor_expect(model, "prior", 1, dims_prior, &prior) < 0)
        return NC_EMODEL;
    counts = nc_model_tensor(model, PC_MODEL_COUNTS);
    stream = nc_model_tensor(model, PC_MODEL_STREAM);
    if (!counts || counts->dtype != NC_MODEL_I8 || counts->ndim != 2 || counts->dims[0] != 1 ||
        !stream || stream->dtype != NC_MODEL_I8 || stream->ndim != 2 || stream->dims[0] != 1 ||
        parent->dtype != NC_MODEL_I32 || prior->dtype != NC_MODEL_I16) {
        nc_log(NULL, NC_LOG_ERROR,
               "pclossless: model %s lacks the tensors parent I32, prior I16, " PC_MODEL_COUNTS
               " and " PC_MODEL_STREAM " I8 [1, n]",
               nc_model_id(model));
        return NC_EMODEL;
    }
    /* Checked before allocating: what is allocated is bounded by the file's size. */
    size_t counts_size = (size_t)counts->dims[1], stream_size = (size_t)stream->dims[1];
    if (counts_size + stream_size < pc_pack_min_size((int)d, (int)k)) {
        nc_log(NULL, NC_LOG_ERROR, "pclossless: model %s: packed tables of %zu bytes, below %zu",
               nc_model_id(model), counts_size + stream_size, pc_pack_min_size((int)d, (int)k));
        return NC_EMODEL;
    }
    int16_t *edge = malloc(sizeof(int16_t) * (size_t)(d * k * k));
    uint8_t *codes = malloc((size_t)(d * k) * PC_NUM_VALUES);
    int ret = NC_ENOMEM;
    if (edge && codes)
        ret = pc_pack_decode((int)d, (int)k, counts->data, counts_size, stream->data, stream_size,
                             edge, codes);
    if (ret == 0)
        ret = pc_coding_model_build(cm, (int)pw, (int)ph, (int)k, parent->data, prior->data, edge,
                                    codes);
    free(edge);
    free(codes);
    return ret;
}

int pc_model_write_ints(int patch_w, int patch_h, int k, const int32_t *parent,
                        const int16_t *prior, const int16_t *edge, const uint8_t *codes,
                        const char *id, const char *path, const char *const *params)
{
    int d = patch_w * patch_h;
    uint8_t *counts = NULL, *stream = NULL;
    size_t counts_size = 0, stream_size = 0;
    NCModelWriter *w = nc_model_writer_alloc(id, PC_MODEL_ARCH);
    int ret = w ? pc_pack_encode(d, k, edge, codes, &counts, &counts_size, &stream, &stream_size)
                : NC_ENOMEM;
    if (ret < 0) goto done;
    float scale = 1.0f;
    int64_t dims_parent[1] = {d}, dims_prior[1] = {k}, dims_counts[2] = {1, (int64_t)counts_size},
            dims_stream[2] = {1, (int64_t)stream_size};
    if ((ret = nc_model_writer_set_param_int(w, "patch_width", patch_w)) < 0 ||
        (ret = nc_model_writer_set_param_int(w, "patch_height", patch_h)) < 0 ||
        (ret = nc_model_writer_set_param_int(w, "states", k)) < 0)
        goto done;
    for (int i = 0; params && params[i] && params[i + 1]; i += 2)
        if ((ret = nc_model_writer_set_param(w, params[i], params[i + 1])) < 0) goto done;
    if ((ret = nc_model_writer_add_tensor(w, "parent", NC_MODEL_I32, 1, dims_parent, parent,
                                          NULL)) < 0 ||
        (ret = nc_model_writer_add_tensor(w, "prior", NC_MODEL_I16, 1, dims_prior, prior, NULL)) <
            0 ||
        (ret = nc_model_writer_add_tensor(w, PC_MODEL_COUNTS, NC_MODEL_I8, 2, dims_counts, counts,
                                          &scale)) < 0 ||
        (ret = nc_model_writer_add_tensor(w, PC_MODEL_STREAM, NC_MODEL_I8, 2, dims_stream, stream,
                                          &scale)) < 0)
        goto done;
    ret = nc_model_writer_write_file(w, path, NULL);
done:
    nc_model_writer_free(&w);
    free(counts);
    free(stream);
    return ret;
}

int pc_model_write(const PCHclt *m, int patch_w, int patch_h, const char *id, const char *path,
                   const char *const *params, PCCodingModel *cm)
{
    int d = m->tree.nvars, k = m->nstates;
    if (patch_w * patch_h != d) return NC_EINVAL;
    size_t ne = (size_t)d * k * k, nl = (size_t)d * k * PC_NUM_VALUES;
    int32_t *parent = malloc(sizeof(int32_t) * (size_t)d);
    int16_t *prior = malloc(sizeof(int16_t) * (size_t)k);
    int16_t *edge = malloc(sizeof(int16_t) * ne);
    uint8_t *codes = malloc(nl);
    int ret = NC_ENOMEM;
    if (!parent || !prior || !edge || !codes) goto done;
    for (int v = 0; v < d; v++)
        parent[v] = m->tree.parent[v];
    pc_hclt_quantize(m, prior, edge, codes);
    ret = pc_model_write_ints(patch_w, patch_h, k, parent, prior, edge, codes, id, path, params);
    if (ret == 0 && cm)
        ret = pc_coding_model_build(cm, patch_w, patch_h, k, parent, prior, edge, codes);
done:
    free(parent);
    free(prior);
    free(edge);
    free(codes);
    return ret;
}
