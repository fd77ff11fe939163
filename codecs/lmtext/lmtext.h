/* lmtext: lossless text (any bytes) coded bit by bit with the context-mixing
 * predictor of lm_model.h and the shared range coder. A stream is a header (model
 * id and hash, mode, window size) and packets of at most LM_PACKET_BYTES bytes,
 * each decodable on its own (the predictor restarts from the model's starting
 * point). Packet kinds:
 *   raw      the bytes as they are (chosen when modelling would not be smaller)
 *   model    one range-coded stream of the packet's bits
 *   windows  Equal-Info Windows: a run of windows of exactly window_bits each, the
 *            coder and the predictor reset at every window
 * The exact layout: conformance/spec/lmtext.md. */
#ifndef NC_CODECS_LMTEXT_LMTEXT_H
#define NC_CODECS_LMTEXT_LMTEXT_H

#include <stddef.h>
#include <stdint.h>

#include "codecs/lmtext/lm_model.h"
#include "entropy/range_decoder.h"
#include "entropy/range_encoder.h"
#include "libnc/model_header.h"
#include "nc/codec.h"
#include "nc/model.h"

#define LM_DEFAULT_MODEL "lmtext-en"
#define LM_MODEL_ARCH "lmtext-cm2"
#define LM_HEADER_MAGIC "LMT"
#define LM_HEADER_VERSION 2
#define LM_HEADER_ID_PREFIX "lmtext-" /* left out of model ids in the stream header */
#define LM_HEADER_MAX_SIZE NCI_MODEL_HEADER_MAX_SIZE(3)
/* Bytes of input per packet (the last one of a frame may be shorter). */
#define LM_PACKET_BYTES ((size_t)1 << 20)
/* Equal-Info Windows: window_bits is 0 (off) or a multiple of 8 in this range. */
#define LM_WINDOW_MIN_BITS 16
#define LM_WINDOW_MAX_BITS 65536

enum LMPacketKind { LM_PACKET_RAW = 0, LM_PACKET_MODEL = 1, LM_PACKET_WINDOWS = 2 };

/* What the encoder and the decoder share: the model and the predictor. */
typedef struct LMContext {
    NCModel *model;
    LMParams params;
    LMPredictor lm;
    int mode;        /* LM_MODE_FAST or LM_MODE_MAX */
    int window_bits; /* 0: off */
} LMContext;

/* Loads model id (from path when set) and checks it against pin when not NULL. */
int lm_context_open(LMContext *c, NCCodecContext *log_ctx, const char *id, const char *path,
                    const NCIModelPin *pin, int mode, int window_bits);
void lm_context_close(LMContext *c);

size_t lm_header_write(const LMContext *c, uint8_t buf[LM_HEADER_MAX_SIZE]);
/* Validates a header; NC_EINVALIDDATA / NC_ENOTSUP (logged). */
int lm_header_parse(const void *log_ctx, const uint8_t *buf, size_t size, NCIModelPin *pin,
                    int *mode, int *window_bits);

/* Codes data[0 .. n), n <= LM_PACKET_BYTES, as one packet payload appended to
 * *out (reset first): the smaller of the modelled form and raw. */
int lm_encode_packet(LMContext *c, const uint8_t *data, size_t n, RCEncoder *out);
/* Decodes one packet payload into out (at least LM_PACKET_BYTES bytes); *n gets
 * its length. Hostile input: NC_EINVALIDDATA, NC_ETRUNCATED, NC_ERANGE (a length
 * above max_bytes), never a read outside buf. */
int lm_decode_packet(LMContext *c, const uint8_t *buf, size_t size, size_t max_bytes,
                     uint8_t *out, size_t *n);

/* Equal-Info Windows one at a time (what a reader of windows needs): after
 * lm_windows_begin(), lm_decode_window() decodes any window of a windows packet
 * (its window_bits / 8 bytes at buf) on its own into out[0 .. at most left); *got:
 * the bytes it held. A packet's windows start after its kind and length. */
int lm_windows_begin(LMContext *c);
int lm_decode_window(LMContext *c, const uint8_t *buf, uint8_t *out, size_t left, size_t *got);

#endif
