/* The rvqspeech encoder: 16 kHz mono float in, packets of quantizer indices out.
 *
 * Input is buffered; every 320 samples make one frame (stream.h), every
 * packet_frames frames one packet (bitstream.h). Flushing pads with zeros until
 * the decoder's output covers every input sample, and the last packet says how
 * many of its samples to keep, so decode(encode(x)) has exactly x's length.
 *
 * Threads: the network runs frame after frame (its convolutions keep history),
 * then the quantizer search, the costly part at high rates, runs over the
 * packet's frames split among ctx->threads threads (libnc/thread_pool.h: made
 * once at open, reused for every packet). Each frame's search is the same
 * arithmetic whichever thread does it, so the bytes do not depend on the thread
 * count. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codecs/rvqspeech/bitstream.h"
#include "codecs/rvqspeech/rvqspeech.h"
#include "codecs/rvqspeech/spectral.h"
#include "codecs/rvqspeech/stream.h"
#include "libnc/codec_internal.h"
#include "libnc/sample_buffer.h"
#include "libnc/thread_pool.h"
#include "nc/error.h"
#include "nc/log.h"

typedef struct RvqEncoder {
    int bitrate, stages_opt, gains_opt, phase_opt, streaming, packet_frames, nominal; /* options */
    char *model_id, *model_path, *dump_path;                   /* options */
    FILE *dump;          /* dump_tokens: one line of indices per frame */
    NCRvqModel model;
    NCRvqStream st;
    NCRvqStream dst;     /* band gains: the decoder's network, to measure them */
    NCRvqCoder coder;
    NCRvqHeader header; /* the stream header: also the packet layout */
    int stages, pf;
    int gains, phase;    /* band gains, phase turns */
    NCISamples in;       /* buffered input samples */
    int *idx;            /* [pf][stages] of the packet being filled */
    float *lat;          /* [pf][latent]: its frames' latents, quantized at emit */
    float *feat;         /* band gains: [pf][NC_RVQ_BINS], its frames' input features */
    NCComplex *low;      /* phase turns: [pf][NC_RVQ_PHASE_BINS], its frames' input spectra */
    int8_t *gq;          /* band gains: [pf][NC_RVQ_SIDE], measured at emit */
    float *ola;          /* band gains: [pf + 1][NC_RVQ_HOP], the packet's output (closed loop) */
    NCIPool *pool;       /* the search threads, made at open */
    float *scratch;      /* one search workspace per thread */
    int njobs;           /* shares of the packet being quantized */
    int nframes;         /* frames in it */
    int64_t samples_in;  /* input samples so far */
    int64_t frames_done; /* frames encoded so far */
    int64_t emitted;     /* output samples declared by packets so far */
    int draining;
} RvqEncoder;

/* Floats of one search workspace (vq_encode's scratch). */
#define SCRATCH(p) ((size_t)(p)->model.shape.codes + 2 * (size_t)(p)->model.shape.latent)

#define OFF(x) offsetof(RvqEncoder, x)
static const NCOption encoder_options[] = {
    {"bitrate", "nominal bit rate: 500 bit/s per quantizer stage", NC_OPT_INT, OFF(bitrate),
     {.i = 3000}, 500, 6000, NULL, "bit/s"},
    {"stages", "quantizer stages (overrides bitrate when > 0)", NC_OPT_INT, OFF(stages_opt),
     {.i = 0}, 0, NC_RVQ_MAX_STAGES, NULL, NULL},
    {"gains", "band gains (a spectral envelope correction, about 2.7 kbit/s, in place of 6 of "
     "bitrate's stages): 0 off, 1 on, -1 by bitrate (on from 5000 bit/s)",
     NC_OPT_INT, OFF(gains_opt), {.i = -1}, -1, 1, NULL, NULL},
    {"phase", "phase turns below 700 Hz (about 1 kbit/s, with band gains, in place of 2 of "
     "bitrate's stages): 0 off, 1 on, -1 by bitrate (on at 6000 bit/s)",
     NC_OPT_INT, OFF(phase_opt), {.i = -1}, -1, 1, NULL, NULL},
    {"streaming", "one 20 ms frame per packet (40 ms algorithmic latency)", NC_OPT_BOOL,
     OFF(streaming), {.i = 0}, 0, 1, NULL, NULL},
    {"packet_frames", "20 ms frames per packet when not streaming", NC_OPT_INT,
     OFF(packet_frames), {.i = 200}, 1, NC_RVQ_MAX_PACKET_FRAMES, NULL, "frames"},
    {"nominal", "constant bit rate: 10 bits per index, no entropy coding", NC_OPT_BOOL,
     OFF(nominal), {.i = 0}, 0, 1, NULL, NULL},
    {"model", "id of the model to code with: auto (" NC_RVQ_TURNS_MODEL " for 6000 bit/s's "
     "4 stages with band gains and phase turns, else " NC_RVQ_DEFAULT_MODEL ")", NC_OPT_STRING,
     OFF(model_id), {.s = NC_RVQ_AUTO_MODEL}, 0, 63, NULL, NULL},
    {"dump_tokens", "also write every frame's indices as a text line to this file (frame, "
     "then one index per stage)", NC_OPT_STRING, OFF(dump_path), {.s = ""}, 0, 4096, NULL, NULL},
    NC_OPTION_MODEL_PATH(RvqEncoder, model_path),
    NC_OPTION_END,
};

/* The model model=auto codes with, for the plan in p (model.h). */
static const char *auto_model(const RvqEncoder *p)
{
    return p->gains && p->phase && p->stages == NC_RVQ_TURNS_STAGES ? NC_RVQ_TURNS_MODEL
                                                                   : NC_RVQ_DEFAULT_MODEL;
}

static int rvq_encoder_init(NCCodecContext *ctx)
{
    RvqEncoder *p = ctx->priv_data;
    if (p->nominal && (p->gains_opt > 0 || p->phase_opt > 0)) {
        nc_log(ctx, NC_LOG_ERROR, "band gains and phase turns are entropy coded: not with nominal=1");
        return NC_EINVAL;
    }
    if (p->phase_opt > 0 && !p->gains_opt) {
        nc_log(ctx, NC_LOG_ERROR, "phase turns need band gains: not with gains=0");
        return NC_EINVAL;
    }
    /* a constant rate (nominal) has no gains: they are entropy coded */
    rvq_rate_plan(p->bitrate, p->nominal ? 0 : p->gains_opt, p->phase_opt, &p->stages, &p->gains, &p->phase);
    if (p->stages_opt > 0)
        p->stages = p->stages_opt;
    const char *id = strcmp(p->model_id, NC_RVQ_AUTO_MODEL) ? p->model_id : auto_model(p);
    if (id != p->model_id)
        nc_log(ctx, NC_LOG_VERBOSE, "model=auto: %s", id);
    int ret = rvq_open_model(&p->model, ctx, id, p->model_path, NULL);
    if (ret < 0)
        return ret;
    if (p->stages > p->model.shape.stages) {
        nc_log(ctx, NC_LOG_ERROR, "model %s has %d stages, %d asked", id, p->model.shape.stages,
               p->stages);
        return NC_EINVAL;
    }
    p->pf = p->streaming ? 1 : p->packet_frames;
    p->idx = malloc(sizeof(int) * (size_t)p->pf * (size_t)p->stages);
    p->lat = malloc(sizeof(float) * (size_t)p->pf * (size_t)p->model.shape.latent);
    if (!p->idx || !p->lat)
        return NC_ENOMEM;
    if (p->gains) {
        p->feat = malloc(sizeof(float) * (size_t)p->pf * NC_RVQ_BINS);
        p->gq = calloc((size_t)p->pf, NC_RVQ_SIDE);
        p->ola = malloc(sizeof(float) * (size_t)(p->pf + 1) * NC_RVQ_HOP);
        if (p->phase)
            p->low = malloc(sizeof(NCComplex) * (size_t)p->pf * NC_RVQ_PHASE_BINS);
        if (!p->feat || !p->gq || !p->ola || (p->phase && !p->low) || (ret = rvq_stream_init(&p->dst, &p->model, 1)) < 0)
            return ret < 0 ? ret : NC_ENOMEM;
        /* the scalar loops in a fixed order (stream.h): the gains, like the indices,
         * must not depend on the CPU's vector units (the golden streams re-encode on
         * other CPUs) */
        p->dst.kernels = NULL;
    }
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int threads = ctx->threads > 0 ? ctx->threads : cpus > 0 ? (int)cpus : 1;
    if ((ret = nci_pool_alloc(&p->pool, threads < 16 ? threads : 16)) < 0)
        return ret;
    p->scratch = malloc(sizeof(float) * SCRATCH(p) * (size_t)nci_pool_threads(p->pool));
    if (!p->scratch)
        return NC_ENOMEM;
    if (p->dump_path && *p->dump_path && !(p->dump = fopen(p->dump_path, "w"))) {
        nc_log(ctx, NC_LOG_ERROR, "cannot write %s", p->dump_path);
        return NC_EIO;
    }
    if ((ret = rvq_stream_init(&p->st, &p->model, 0)) < 0 ||
        (ret = rvq_coder_init(&p->coder, &p->model, p->stages, p->gains, p->phase)) < 0)
        return ret;
    NCRvqHeader *h = &p->header;
    *h = (NCRvqHeader){.version = p->phase ? NC_RVQ_VERSION_PHASE : p->gains ? NC_RVQ_VERSION_GAINS : 2,
                       .flags = (p->nominal ? NC_RVQ_FLAG_NOMINAL : 0) | (p->gains ? NC_RVQ_FLAG_GAINS : 0) |
                                (p->phase ? NC_RVQ_FLAG_PHASE : 0),
                       .stages = p->stages, .packet_frames = p->pf};
    uint8_t buf[NC_RVQ_HEADER_MAX];
    return nc_codec_set_extradata(ctx, buf, rvq_header_write(h, p->model.file, buf));
}

static void rvq_encoder_close(NCCodecContext *ctx)
{
    RvqEncoder *p = ctx->priv_data;
    nci_pool_free(&p->pool);
    free(p->scratch);
    rvq_stream_free(&p->st);
    rvq_stream_free(&p->dst);
    rvq_coder_free(&p->coder);
    rvq_model_free(&p->model);
    nci_samples_free(&p->in);
    free(p->idx);
    free(p->lat);
    free(p->feat);
    free(p->gq);
    free(p->ola);
    free(p->low);
    if (p->dump)
        fclose(p->dump);
}

static void rvq_encoder_flush(NCCodecContext *ctx)
{
    RvqEncoder *p = ctx->priv_data;
    rvq_stream_reset(&p->st);
    if (p->gains)
        rvq_stream_reset(&p->dst);
    p->in.len = 0;
    p->nframes = 0;
    p->samples_in = p->frames_done = p->emitted = 0;
    p->draining = 0;
}

/* Encodes every whole frame buffered, up to a full packet. */
static void encode_frames(RvqEncoder *p)
{
    size_t used = 0;
    while (p->nframes < p->pf && p->in.len - used >= NC_RVQ_HOP) {
        rvq_stream_latent(&p->st, p->in.data + used,
                             p->lat + (size_t)p->nframes * p->model.shape.latent);
        if (p->feat)
            memcpy(p->feat + (size_t)p->nframes * NC_RVQ_BINS, p->st.feat, sizeof(p->st.feat));
        if (p->low) /* the input frame's low bins (rvq_analyze's spectrum) */
            memcpy(p->low + (size_t)p->nframes * NC_RVQ_PHASE_BINS, p->st.sp.spec + NC_RVQ_PHASE_FIRST_BIN,
                   sizeof(NCComplex) * NC_RVQ_PHASE_BINS);
        p->nframes++;
        p->frames_done++;
        used += NC_RVQ_HOP;
    }
    nci_samples_consume(&p->in, used);
}

/* Searches the frames of share `job` (of p->njobs) with worker's workspace. */
static void search(void *arg, int job, int worker)
{
    RvqEncoder *p = arg;
    const int D = p->model.shape.latent;
    float *scratch = p->scratch + SCRATCH(p) * (size_t)worker;
    for (int f = p->nframes * job / p->njobs; f < p->nframes * (job + 1) / p->njobs; f++)
        vq_encode(&p->model.rvq, p->lat + (size_t)f * D, p->stages, p->idx + f * p->stages,
                   NULL, NULL, scratch);
}

/* Quantizes the packet's latents into p->idx, frames split among the threads. */
static void quantize_packet(RvqEncoder *p)
{
    int threads = nci_pool_threads(p->pool);
    p->njobs = threads < p->nframes ? threads : p->nframes;
    nci_pool_run(p->pool, p->njobs, search, p);
}

/* The band gains of the packet's frames: the decoder's network on their indices
 * (its history carried across packets as the decoder's is), each frame's predicted
 * bands against the input's; then, with them applied, its phase turns; then the
 * gains again, closed loop, on the overlap-added output (gains.h). */
static void measure_gains(RvqEncoder *p)
{
    static const int8_t none[NC_RVQ_SIDE]; /* the frame before a packet's first */
    const float *spec = rvq_stream_spectra(&p->dst, p->idx, p->stages, p->nframes);
    const double bias = p->phase ? NC_RVQ_GAIN_BIAS_TURNS : NC_RVQ_GAIN_BIAS;
    for (int f = 0; f < p->nframes; f++) {
        int8_t *q = p->gq + f * NC_RVQ_SIDE;
        rvq_corrections_measure(&p->dst.sp, p->feat + (size_t)f * NC_RVQ_BINS,
                                p->phase ? p->low + (size_t)f * NC_RVQ_PHASE_BINS : NULL,
                                spec + (size_t)f * 2 * NC_RVQ_BINS, f ? q - NC_RVQ_SIDE : none, bias, q);
    }
    rvq_gains_refine(&p->dst.sp, spec, p->feat, p->nframes, bias, p->ola, p->gq);
}

static int emit(NCCodecContext *ctx, NCPacket *pkt)
{
    RvqEncoder *p = ctx->priv_data;
    quantize_packet(p);
    if (p->gains)
        measure_gains(p);
    for (int f = 0; p->dump && f < p->nframes; f++) {
        fprintf(p->dump, "%lld", (long long)(p->frames_done - p->nframes + f));
        for (int s = 0; s < p->stages; s++) fprintf(p->dump, " %d", p->idx[f * p->stages + s]);
        if (fprintf(p->dump, "\n") < 0 || fflush(p->dump))
            return NC_EIO;
    }
    /* every frame completes one hop of output except the stream's first */
    int64_t out = (int64_t)p->nframes * NC_RVQ_HOP;
    if (p->frames_done == p->nframes)
        out -= NC_RVQ_HOP;
    if (p->emitted + out > p->samples_in)
        out = p->samples_in - p->emitted;
    if (out < 0)
        out = 0;
    uint8_t *data;
    size_t size;
    int ret = rvq_packet_write(&p->coder, &p->header, p->idx, p->gq, p->nframes, (int)out, &data, &size);
    if (ret >= 0)
        ret = nci_packet_key(pkt, data, size, p->emitted, out);
    free(data);
    if (ret < 0)
        return ret;
    p->emitted += out;
    p->nframes = 0;
    return 0;
}

static int rvq_receive_packet(NCCodecContext *ctx, NCPacket *pkt)
{
    RvqEncoder *p = ctx->priv_data;
    for (;;) {
        encode_frames(p);
        if (p->nframes == p->pf)
            return emit(ctx, pkt);
        if (p->draining)
            return p->nframes ? emit(ctx, pkt) : NC_EOF;
        int ret = nci_codec_pull_samples(ctx, &p->in, &p->samples_in);
        if (ret == NC_EOF) {
            /* frames until the output reaches the last input sample, plus the one
             * that completes it */
            int64_t need = p->samples_in ? (p->samples_in + NC_RVQ_HOP - 1) / NC_RVQ_HOP + 1 : 0;
            if (need > p->frames_done &&
                (ret = nci_samples_pad_to(&p->in, (size_t)(need - p->frames_done) * NC_RVQ_HOP)) < 0)
                return ret;
            p->draining = 1;
            continue;
        }
        if (ret < 0)
            return ret;
    }
}

const NCCodecDef rvqspeech_encoder = {
    .p = {RVQSPEECH_CODEC, .options = encoder_options,
          .capabilities = NC_CODEC_CAP_DELAY | NC_CODEC_CAP_STREAMING | NC_CODEC_CAP_THREADS},
    .is_encoder = 1,
    .priv_size = sizeof(RvqEncoder),
    .init = rvq_encoder_init,
    .close = rvq_encoder_close,
    .receive_packet = rvq_receive_packet,
    .flush = rvq_encoder_flush,
};
