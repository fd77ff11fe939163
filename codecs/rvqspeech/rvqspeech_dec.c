/* The rvqspeech decoder: packets of quantizer indices in, 16 kHz mono float out.
 *
 * Packets are hostile input: the header is checked before anything is decoded,
 * the range decoder never reads past the packet and always yields an index below
 * 1024, and a packet whose length does not match its symbols is rejected with
 * NC_EINVALIDDATA, leaving the network's state as it was. */
#include <stdlib.h>
#include <string.h>

#include "codecs/rvqspeech/bitstream.h"
#include "codecs/rvqspeech/rvqspeech.h"
#include "codecs/rvqspeech/spectral.h"
#include "codecs/rvqspeech/stream.h"
#include "libnc/codec_internal.h"
#include "nc/error.h"
#include "nc/log.h"

typedef struct RvqDecoder {
    char *model_path; /* options */
    int int8;
    NCRvqHeader h;
    NCRvqModel model;
    NCRvqStream st;
    NCRvqCoder coder;
    int *idx;          /* [packet_frames][stages] */
    int8_t *gains;     /* [packet_frames][NC_RVQ_SIDE] with band gains, else NULL */
    float *out;        /* packet_frames * hop samples */
    int64_t frames_done;
} RvqDecoder;

static const NCOption decoder_options[] = {
    NC_OPTION_MODEL_PATH(RvqDecoder, model_path),
    {"int8", "1: the network with int8 weights and int16 activations (faster; samples within the "
             "weights' rounding of the default, so not the conformance output)",
     NC_OPT_INT, offsetof(RvqDecoder, int8), {.i = 0}, 0, 1, NULL, NULL},
    NC_OPTION_END,
};

static int rvq_decoder_init(NCCodecContext *ctx)
{
    RvqDecoder *p = ctx->priv_data;
    int ret = rvq_header_parse(&p->h, ctx->extradata, ctx->extradata_size);
    if (ret < 0)
        return ret;
    ctx->sample_rate = 16000; /* the framework refused anything else */
    ctx->channels = 1;
    ret = rvq_open_model(&p->model, ctx, p->h.model.id, p->model_path, &p->h.model);
    if (ret < 0)
        return ret;
    if (p->h.stages > p->model.shape.stages) {
        nc_log(ctx, NC_LOG_ERROR, "stream has %d stages, model %d", p->h.stages,
               p->model.shape.stages);
        return NC_EINVALIDDATA;
    }
    if (p->int8 && (ret = rvq_model_decoder_i8a16(&p->model)) < 0)
        return ret;
    p->idx = malloc(sizeof(int) * (size_t)p->h.packet_frames * (size_t)p->h.stages);
    p->out = malloc(sizeof(float) * (size_t)p->h.packet_frames * NC_RVQ_HOP);
    if (p->h.gains)
        p->gains = calloc((size_t)p->h.packet_frames, NC_RVQ_SIDE); /* turns 0 without them */
    if (!p->idx || !p->out || (p->h.gains && !p->gains))
        return NC_ENOMEM;
    if ((ret = rvq_stream_init(&p->st, &p->model, 1)) < 0)
        return ret;
    return rvq_coder_init(&p->coder, &p->model, p->h.stages, p->h.gains, p->h.phase);
}

static void rvq_decoder_close(NCCodecContext *ctx)
{
    RvqDecoder *p = ctx->priv_data;
    rvq_stream_free(&p->st);
    rvq_coder_free(&p->coder);
    rvq_model_free(&p->model);
    free(p->idx);
    free(p->gains);
    free(p->out);
}

static void rvq_decoder_flush(NCCodecContext *ctx)
{
    RvqDecoder *p = ctx->priv_data;
    rvq_stream_reset(&p->st);
    p->frames_done = 0;
}

/* Decodes one packet into frame; NC_EAGAIN when it outputs nothing (the stream's
 * first packets can complete no sample yet). */
static int rvq_decode_packet(NCCodecContext *ctx, const NCPacket *pkt, NCFrame *frame)
{
    RvqDecoder *p = ctx->priv_data;
    int n, nsamples;
    int ret = rvq_packet_read(&p->coder, &p->h, pkt->data, pkt->size, p->idx, p->gains, &n, &nsamples);
    if (ret < 0) {
        nc_log(ctx, NC_LOG_ERROR, "damaged packet at pts %lld",
               (long long)pkt->pts);
        return ret;
    }
    /* all frames of the packet as one sequence (the same samples as one by one) */
    rvq_stream_decode_frames(&p->st, p->idx, p->gains, p->h.stages, n, p->out);
    int have = n * NC_RVQ_HOP;
    if (n > 0 && p->frames_done == 0) { /* the stream's first frame completes only samples before time 0 */
        have -= NC_RVQ_HOP;
        memmove(p->out, p->out + NC_RVQ_HOP, sizeof(float) * (size_t)have);
    }
    p->frames_done += n;
    return nci_decoder_output_mono(frame, pkt, p->out, have, nsamples, 16000);
}

const NCCodecDef rvqspeech_decoder = {
    .p = {RVQSPEECH_CODEC, .options = decoder_options, .capabilities = NC_CODEC_CAP_STREAMING},
    .priv_size = sizeof(RvqDecoder),
    .init = rvq_decoder_init,
    .close = rvq_decoder_close,
    .decode = rvq_decode_packet,
    .flush = rvq_decoder_flush,
};
