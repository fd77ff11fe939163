/* Model export (export.h). */
#include <stdlib.h>

#include "codecs/rvqspeech/export.h"
#include "codecs/rvqspeech/model.h"
#include "codecs/rvqspeech/spectral.h"
#include "nc/error.h"

static int priors(NCModelWriter *w, const NCRvqExport *e)
{
    const NCRvqShape *sh = &e->shape;
    int32_t *counts = malloc(sizeof(int32_t) * (size_t)sh->stages * (size_t)sh->codes);
    int32_t rep[NC_RVQ_MAX_STAGES];
    if (!counts)
        return NC_ENOMEM;
    for (int s = 0; s < sh->stages; s++) {
        for (int k = 0; k < sh->codes; k++) {
            uint64_t c = e->use ? e->use[(int64_t)s * sh->codes + k] : 1;
            counts[(int64_t)s * sh->codes + k] = (int32_t)(c > 1000000000u ? 1000000000u : c);
        }
        uint64_t same = e->repeat ? e->repeat[2 * s] : 0, diff = e->repeat ? e->repeat[2 * s + 1] : 0;
        uint64_t p = ((same + 1) * 65536) / (same + diff + 2); /* Laplace: never 0 or 1 */
        rep[s] = (int32_t)(p < 1 ? 1 : p > 65535 ? 65535 : p);
    }
    int64_t d2[2] = {sh->stages, sh->codes}, d1[1] = {sh->stages};
    int ret = nc_model_writer_add_tensor(w, "prior.counts", NC_MODEL_I32, 2, d2, counts, NULL);
    if (ret >= 0)
        ret = nc_model_writer_add_tensor(w, "prior.repeat", NC_MODEL_I32, 1, d1, rep, NULL);
    free(counts);
    return ret;
}

int rvq_export(const NCRvqExport *e)
{
    const NCRvqShape *sh = &e->shape;
    NCModelWriter *w = nc_model_writer_alloc(e->id, NC_RVQ_ARCH);
    if (!w)
        return NC_ENOMEM;
    int ret = nc_model_writer_set_param_int(w, "channels", sh->channels);
    if (ret >= 0 && sh->dec_channels != sh->channels) /* same-width models stay as before */
        ret = nc_model_writer_set_param_int(w, "dec_channels", sh->dec_channels);
    if (ret >= 0) ret = nc_model_writer_set_param_int(w, "latent", sh->latent);
    if (ret >= 0) ret = nc_model_writer_set_param_int(w, "stages", sh->stages);
    if (ret >= 0) ret = nc_model_writer_set_param_int(w, "codes", sh->codes);
    if (ret >= 0) ret = nc_model_writer_set_param_int(w, "sample_rate", 16000);
    if (ret >= 0) ret = nc_model_writer_set_param_int(w, "hop", NC_RVQ_HOP);
    for (int i = 0; e->info && e->info[i] && e->info[i + 1] && ret >= 0; i += 2)
        ret = nc_model_writer_set_param(w, e->info[i], e->info[i + 1]);
    if (ret >= 0) ret = nn_params_save(e->net, w, e->dtype);
    int64_t d3[3] = {sh->stages, sh->codes, sh->latent};
    if (ret >= 0)
        ret = nc_model_writer_add_f32(w, "rvq.codebooks", 3, d3, e->codebooks, e->dtype);
    if (ret >= 0) ret = priors(w, e);
    if (ret >= 0) ret = nc_model_writer_write_file(w, e->path, NULL);
    nc_model_writer_free(&w);
    return ret;
}
