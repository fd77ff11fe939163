/* nc-train lmtext: the learned starting point of the lmtext predictor, from the
 * files of --data (concatenated, sorted by name):
 *   1. counts: the first (1 - adapt) of the text is counted into the frozen prior
 *      tables (order 2, 3, 4 and word contexts: stretched P(1) per bit context);
 *   2. adaptation: the rest (held out from the counts, so the priors are as wrong
 *      there as on new text) is coded in chunks of `chunk` bytes, each from a reset
 *      predictor as a packet would be, carrying over what should start a packet:
 *      mixer weights (both modes), the order-0 APM and the order-1 counters.
 * It is a fixed pass over the data (no steps, no randomness): a run takes seconds
 * to a minute, so it writes the model at the end instead of checkpoints. */
#include <stdlib.h>
#include <string.h>

#include "codecs/lmtext/lm_model.h"
#include "codecs/lmtext/lmtext.h"
#include "codecs/lmtext/lmtext_train.h"
#include "libnc/nn/train_job.h"
#include "nc/error.h"
#include "nc/log.h"

#define LM_TRAIN_MAX_BYTES ((size_t)1 << 28)

/* Runs the predictor over data[0 .. n) as a coder would (no coding), or, when
 * counting, only its contexts, counting each bit into the prior slots. */
static void run_text(LMPredictor *lm, const uint8_t *data, size_t n,
                     uint32_t (*counts)[2], int counting)
{
    for (size_t i = 0; i < n; i++)
        for (int j = 7; j >= 0; j--) {
            int bit = data[i] >> j & 1;
            if (counting) {
                uint32_t idx[LM_N_PRIORS];
                lm_prior_slots(lm, idx);
                for (int k = 0; k < LM_N_PRIORS; k++) {
                    uint32_t *c = counts[((size_t)k << LM_PRIOR_BITS) + idx[k]];
                    if (c[bit] < 0x7fffffff) c[bit]++;
                }
            }
            if (counting) {
                lm_skip_bit(lm, bit);
            } else {
                lm_predict(lm);
                lm_update(lm, bit);
            }
        }
}

static void counts_to_priors(LMParams *params, uint32_t (*counts)[2])
{
    for (int k = 0; k < LM_N_PRIORS; k++)
        for (size_t i = 0; i < (size_t)1 << LM_PRIOR_BITS; i++) {
            const uint32_t *c = counts[((size_t)k << LM_PRIOR_BITS) + i];
            uint64_t n0 = c[0], n1 = c[1];
            /* (n1 + 1/2) / (n + 1): a context seen once says little */
            int p = (int)(((2 * n1 + 1) * 4096) / (2 * (n0 + n1) + 2));
            int st = lm_stretch(p) / 16;
            params->prior[k][i] = (int8_t)(st > 127 ? 127 : st < -127 ? -127 : st);
        }
}

static int write_model(const NCTrainJob *job, const LMParams *params, const char *id,
                       size_t counted, size_t adapted)
{
    NCModelWriter *w = nc_model_writer_alloc(id, LM_MODEL_ARCH);
    if (!w) return NC_ENOMEM;
    static const char *const names[LM_N_PRIORS] = {"prior.o2", "prior.o3", "prior.o4",
                                                   "prior.word"};
    const float one = 1.0f;
    int ret = 0;
    for (int k = 0; k < LM_N_PRIORS && ret >= 0; k++) {
        int64_t dims[2] = {1, (int64_t)1 << LM_PRIOR_BITS};
        ret = nc_model_writer_add_tensor(w, names[k], NC_MODEL_I8, 2, dims, params->prior[k], &one);
    }
    int32_t *o1 = malloc(sizeof(int32_t) * LM_O1_SLOTS);
    if (!o1) ret = NC_ENOMEM;
    if (ret >= 0) {
        for (int i = 0; i < LM_O1_SLOTS; i++) {
            LMSlot s = params->o1[i];
            int n = s.n > 30 ? 30 : s.n; /* keep them quick to adapt */
            o1[i] = (int32_t)((uint32_t)s.p << 16 | (uint32_t)n);
        }
        int64_t dims[2] = {1, LM_O1_SLOTS};
        ret = nc_model_writer_add_tensor(w, "o1", NC_MODEL_I32, 2, dims, o1, NULL);
    }
    free(o1);
    int16_t *mix = malloc(sizeof(int16_t) * 2 * LM_MIX_WEIGHTS);
    if (!mix && ret >= 0) ret = NC_ENOMEM;
    if (ret >= 0) {
        for (size_t i = 0; i < 2 * (size_t)LM_MIX_WEIGHTS; i++) {
            int32_t v = params->mix[i] / LM_MIX_STORE_SCALE; /* |mix| <= 2^22 */
            mix[i] = (int16_t)(v > 32767 ? 32767 : v < -32767 ? -32767 : v);
        }
        int64_t dims[2] = {2, LM_MIX_WEIGHTS};
        ret = nc_model_writer_add_tensor(w, "mixer", NC_MODEL_I16, 2, dims, mix, NULL);
    }
    free(mix);
    if (ret >= 0) {
        int64_t dims[2] = {1, LM_APM1_CTX * LM_APM_CELLS};
        ret = nc_model_writer_add_tensor(w, "apm1", NC_MODEL_I16, 2, dims, params->apm1, NULL);
    }
    if (ret >= 0) ret = nc_model_writer_set_param_int(w, "counted_bytes", (int64_t)counted);
    if (ret >= 0) ret = nc_model_writer_set_param_int(w, "adapted_bytes", (int64_t)adapted);
    if (ret >= 0) ret = nc_model_writer_write_file(w, job->out_path, NULL);
    nc_model_writer_free(&w);
    return ret;
}

static int train(const NCTrainJob *job)
{
    static const char *const known[] = {"adapt", "chunk", NULL};
    int64_t adapt_pct, chunk;
    char id[64];
    int ret = train_check_options(job, known);
    if (ret >= 0) ret = train_option_int(job, "adapt", 15, 1, 99, &adapt_pct);
    if (ret >= 0) ret = train_option_int(job, "chunk", 16384, 256, 1 << 24, &chunk);
    if (ret >= 0) ret = train_model_id(job, id);
    if (ret < 0) return ret;
    uint8_t *data;
    size_t size;
    if ((ret = train_read_dir(job->data_dir, LM_TRAIN_MAX_BYTES, &data, &size)) < 0) return ret;
    size_t counted = size - size * (size_t)adapt_pct / 100;
    LMParams params;
    LMPredictor lm = {0};
    uint32_t(*counts)[2] = calloc((size_t)LM_N_PRIORS << LM_PRIOR_BITS, sizeof(*counts));
    if (!counts) ret = NC_ENOMEM;
    if (ret >= 0) ret = lm_params_alloc_default(&params);
    if (ret < 0) goto done;
    /* 1. counts */
    if ((ret = lm_predictor_init(&lm, &params, LM_MODE_FAST)) < 0) goto done_params;
    if ((ret = lm_begin(&lm, counted, 0)) < 0) goto done_params;
    lm_reset(&lm, data);
    run_text(&lm, data, counted, counts, 1);
    counts_to_priors(&params, counts);
    lm_predictor_free(&lm);
    if (job->progress) job->progress(job->opaque, 1, 3, 0.0);
    /* 2. adaptation, each mode */
    for (int mode = LM_MODE_FAST; mode <= LM_MODE_MAX && ret >= 0; mode++) {
        if ((ret = lm_predictor_init(&lm, &params, mode)) < 0) break;
        for (size_t at = counted; at < size && ret >= 0; at += (size_t)chunk) {
            size_t n = size - at < (size_t)chunk ? size - at : (size_t)chunk;
            if ((ret = lm_begin(&lm, n, 0)) < 0) break;
            lm_reset(&lm, data + at);
            run_text(&lm, data + at, n, NULL, 0);
            memcpy(params.mix + (size_t)mode * LM_MIX_WEIGHTS, lm.mix,
                   sizeof(int32_t) * LM_MIX_WEIGHTS);
            if (mode == LM_MODE_FAST) {
                memcpy(params.apm1, lm.apm1, sizeof(uint16_t) * LM_APM1_CTX * LM_APM_CELLS);
                memcpy(params.o1, lm.o1, sizeof(LMSlot) * LM_O1_SLOTS);
            }
            if (job->stop && *job->stop) ret = NC_EAGAIN;
        }
        lm_predictor_free(&lm);
        if (job->progress) job->progress(job->opaque, 2 + mode, 3, 0.0);
    }
    if (ret >= 0) ret = write_model(job, &params, id, counted, size - counted);
    if (ret >= 0)
        nc_log(NULL, NC_LOG_INFO, "lmtext: counted %zu bytes, adapted on %zu, wrote %s", counted,
               size - counted, job->out_path);
done_params:
    lm_predictor_free(&lm);
    lm_params_free(&params);
done:
    free(counts);
    free(data);
    return ret;
}

const NCTrainer lmtext_trainer = {
    "lmtext",
    "The lmtext predictor's learned starting point from the text in --data: frozen\n"
    "order-2/3/4/word priors counted on the first part, mixer weights, APM and\n"
    "order-1 counters adapted on the rest. Options: adapt=15 (percent held out of\n"
    "the counts for adaptation) chunk=16384 (bytes per simulated packet).",
    train,
};
