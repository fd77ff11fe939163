/* The integer form of an HCLT: quantizing learned parameters (training side) and
 * rebuilding the coding tables from them (codec side, integers only, so that every
 * platform derives the same tables from the same model file). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/pclossless/hclt.h"
#include "entropy/cdf.h"
#include "nc/error.h"
#include "nc/log.h"

#define CODE_STEPS 16 /* leaf codes per octave of probability */

/* round(2^32 * 2^(-j/16)), j = 0..15: 2^(-code/16) without libm. */
static const uint64_t exp2_neg_sixteenths[CODE_STEPS] = {
    4294967296u, 4112874773u, 3938502376u, 3771522796u, 3611622603u, 3458501653u,
    3311872529u, 3171459999u, 3037000500u, 2908241642u, 2784941738u, 2666869345u,
    2553802834u, 2445529972u, 2341847524u, 2242560872u,
};

int pc_leaf_cdf_from_codes(const uint8_t codes[PC_NUM_VALUES], uint32_t cdf[PC_NUM_VALUES + 1])
{
    uint64_t w[PC_NUM_VALUES];
    for (int x = 0; x < PC_NUM_VALUES; x++)
        w[x] = exp2_neg_sixteenths[codes[x] % CODE_STEPS] >> (codes[x] / CODE_STEPS);
    return rc_cdf_from_weights(cdf, w, PC_NUM_VALUES, PC_LEAF_BITS, 0);
}

static int16_t weight_q15(float p)
{
    float q = p * (float)(1 << PC_WEIGHT_BITS) + 0.5f;
    if (!(q >= 1.0f)) return 1;
    if (q > 32767.0f) return 32767;
    return (int16_t)q;
}

void pc_hclt_quantize(const PCHclt *m, int16_t *prior, int16_t *edge, uint8_t *leaf_codes)
{
    int d = m->tree.nvars, k = m->nstates;
    for (int z = 0; z < k; z++) prior[z] = weight_q15(m->prior[z]);
    for (size_t i = 0; i < (size_t)d * k * k; i++) edge[i] = weight_q15(m->edge[i]);
    for (size_t row = 0; row < (size_t)d * k; row++) {
        const float *p = m->leaf + row * PC_NUM_VALUES;
        uint8_t *c = leaf_codes + row * PC_NUM_VALUES;
        float pmax = 0;
        for (int x = 0; x < PC_NUM_VALUES; x++) pmax = p[x] > pmax ? p[x] : pmax;
        for (int x = 0; x < PC_NUM_VALUES; x++) {
            double code = p[x] > 0 ? CODE_STEPS * log2((double)pmax / p[x]) + 0.5 : 255;
            c[x] = code >= 255 ? 255 : (uint8_t)code;
        }
    }
}

void pc_coding_model_free(PCCodingModel *cm)
{
    pc_tree_free(&cm->tree);
    free(cm->prior);
    free(cm->edge);
    free(cm->cdf);
    memset(cm, 0, sizeof(*cm));
}

int pc_coding_model_build(PCCodingModel *cm, int patch_w, int patch_h, int nstates,
                          const int32_t *parent, const int16_t *prior, const int16_t *edge,
                          const uint8_t *leaf_codes)
{
    memset(cm, 0, sizeof(*cm));
    if (patch_w < 1 || patch_h < 1 || patch_w * patch_h > PC_MAX_VARS || nstates < 1 ||
        nstates > PC_MAX_STATES) {
        nc_log(NULL, NC_LOG_ERROR, "pclossless: model shape %dx%d, %d states out of range",
               patch_w, patch_h, nstates);
        return NC_EMODEL;
    }
    int d = patch_w * patch_h, k = nstates;
    int par[PC_MAX_VARS];
    for (int v = 0; v < d; v++) par[v] = parent[v] < -1 || parent[v] >= d ? -2 : (int)parent[v];
    int ret = pc_tree_init(&cm->tree, d, par);
    if (ret == NC_EINVALIDDATA) {
        nc_log(NULL, NC_LOG_ERROR, "pclossless: the model's parent table is not a tree");
        return NC_EMODEL;
    }
    if (ret < 0) return ret;
    cm->nstates = k;
    cm->patch_w = patch_w;
    cm->patch_h = patch_h;
    cm->prior = malloc(sizeof(uint32_t) * (size_t)k);
    cm->edge = malloc(sizeof(uint32_t) * (size_t)d * k * k);
    cm->cdf = malloc(sizeof(uint32_t) * (size_t)d * (PC_NUM_VALUES + 1) * k);
    if (!cm->prior || !cm->edge || !cm->cdf) {
        pc_coding_model_free(cm);
        return NC_ENOMEM;
    }
    for (size_t i = 0; i < (size_t)k + (size_t)d * k * k; i++) {
        int16_t w = i < (size_t)k ? prior[i] : edge[i - (size_t)k];
        if (w < 1) {
            nc_log(NULL, NC_LOG_ERROR, "pclossless: model weight %d out of range", w);
            pc_coding_model_free(cm);
            return NC_EMODEL;
        }
        if (i < (size_t)k)
            cm->prior[i] = (uint32_t)w;
        else
            cm->edge[i - (size_t)k] = (uint32_t)w;
    }
    uint32_t row[PC_NUM_VALUES + 1];
    for (int v = 0; v < d; v++)
        for (int z = 0; z < k; z++) {
            ret = pc_leaf_cdf_from_codes(leaf_codes + ((size_t)v * k + z) * PC_NUM_VALUES, row);
            if (ret < 0) {
                pc_coding_model_free(cm);
                return NC_EBUG;
            }
            uint32_t *dst = cm->cdf + (size_t)v * (PC_NUM_VALUES + 1) * k + z;
            for (int x = 0; x <= PC_NUM_VALUES; x++) dst[(size_t)x * k] = row[x];
        }
    return 0;
}
