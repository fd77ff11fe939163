/* The rvqspeech bitstream (conformance/spec/rvqspeech.md): the stream header
 * carried in extradata, and packets of quantizer indices. */
#ifndef NC_RVQSPEECH_BITSTREAM_H
#define NC_RVQSPEECH_BITSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include "codecs/rvqspeech/gains.h"
#include "codecs/rvqspeech/model.h"
#include "entropy/adaptive_cdf.h"
#include "libnc/model_header.h"

/* Version 2 codes an entropy-coded packet's frame and sample counts inside its
 * range-coder stream, where a full packet costs 1/2900 of a bit instead of version
 * 1's 3-byte header (1.2 kbit/s at 20 ms packets). Version 3 adds band gains
 * (gains.h), named by flag bit 1; encoders write version 3 only for a stream with
 * gains, so a stream without them is the same as before. Version 4 adds phase
 * turns (phase.h), named by flag bit 2, only with gains; encoders write it only for
 * a stream with them. Versions 1 to 3 still decode. */
#define NC_RVQ_VERSION 4
#define NC_RVQ_VERSION_GAINS 3
#define NC_RVQ_VERSION_PHASE 4
#define NC_RVQ_FULL_PREC 12 /* P(a packet is not full) = 1 / 2^12 */
#define NC_RVQ_FLAG_NOMINAL 1 /* fixed 10 bits per index, no entropy coding */
#define NC_RVQ_FLAG_GAINS 2   /* band gains after each frame's indices (gains.h; version 3) */
#define NC_RVQ_FLAG_PHASE 4   /* phase turns after each frame's gains (phase.h; version 4) */
#define NC_RVQ_MAX_PACKET_FRAMES 200 /* 200 * 320 samples still fit the 16-bit count */
#define NC_RVQ_PACKET_HEADER 3
#define NC_RVQ_CDF_RATE 12    /* adaptation rate of the index CDFs: slow, the prior is good */
#define NC_RVQ_REPEAT_RATE 5  /* adaptation rate of the repeat flags */

typedef struct NCRvqHeader {
    int version;        /* 1..4 (rvq_header_write() writes what is set) */
    int flags;
    int gains;          /* 1: band gains (from flags) */
    int phase;          /* 1: phase turns (from flags) */
    int stages;         /* 1..12 */
    int packet_frames;  /* 1..NC_RVQ_MAX_PACKET_FRAMES */
    NCIModelPin model;  /* id and hash of the model (parsed headers) */
} NCRvqHeader;

#define NC_RVQ_HEADER_MAX (16 + 63 + 32)
#define NC_RVQ_HEADER_FIELDS 3 /* flags, stages, frames per packet */
#define NC_RVQ_HEADER_ID_PREFIX "rvqspeech-" /* left out of model ids in the compact form */
/* Writes the compact header (libnc/model_header.h) of h's fields and model into buf
 * (at least NC_RVQ_HEADER_MAX bytes); returns its size. */
size_t rvq_header_write(const NCRvqHeader *h, const NCModel *model, uint8_t *buf);
/* Parses extradata, the classic `RVQS` header or the compact one; NC_EINVALIDDATA
 * (logged) unless it is a valid header. */
int rvq_header_parse(NCRvqHeader *h, const uint8_t *buf, size_t size);

/* Entropy models of one packet, reset from the model's priors at every packet. */
typedef struct NCRvqCoder {
    int stages;
    RCAdaptiveCdf start[NC_RVQ_MAX_STAGES]; /* from the priors, never adapted */
    RCAdaptiveCdf cdf[NC_RVQ_MAX_STAGES];
    RCBinContext repeat_start[NC_RVQ_MAX_STAGES];
    RCBinContext repeat[NC_RVQ_MAX_STAGES];
    NCRvqGainCoder gain;  /* the band gains' models (gain.on 0: none) */
    NCRvqPhaseCoder phase; /* the phase turns' models (phase.on 0: none) */
} NCRvqCoder;

/* gains, phase: 1 for streams with band gains, phase turns. */
int rvq_coder_init(NCRvqCoder *c, const NCRvqModel *m, int stages, int gains, int phase);
void rvq_coder_free(NCRvqCoder *c);

/* Size in bytes of a fixed-rate packet of n frames. */
size_t rvq_nominal_size(int frames, int stages);

/* Codes n frames of indices idx [n][stages] and, with band gains, their corrections
 * gains [n][NC_RVQ_SIDE] (the turns only with phase turns) as one packet of the
 * layout h names (version, mode, frames per packet) into a new malloc'd buffer
 * *out. nsamples: the samples the decoder outputs for it. */
int rvq_packet_write(NCRvqCoder *c, const NCRvqHeader *h, const int *idx, const int8_t *gains, int n,
                     int nsamples, uint8_t **out, size_t *size);
/* Decodes a packet of h's layout into idx [n][stages] and gains [n][NC_RVQ_SIDE]
 * (room for h->packet_frames frames; gains unused without band gains, its turns left
 * as they are without phase turns), with *n and *nsamples. NC_EINVALIDDATA for
 * anything malformed. */
int rvq_packet_read(NCRvqCoder *c, const NCRvqHeader *h, const uint8_t *buf, size_t size,
                    int *idx, int8_t *gains, int *n, int *nsamples);

#endif
