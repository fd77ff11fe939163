/* The lmtext predictor: P(next bit = 1) for a byte stream coded most significant
 * bit first, from a bitwise context-mixing model (in the line of lpaq/paq):
 *
 *   online inputs   hashed tables of adaptive bit counters for the contexts of the
 *                   last 2, 3, 4, 6 bytes (max mode: also 5 and 8), the current
 *                   word, the word pair, the column and the last byte (max mode:
 *                   also three words, a sparse context, the word with the word two
 *                   back or the non-letter before it), direct order 0 and 1, a
 *                   match model (the byte that followed the longest earlier
 *                   occurrence of the last bytes)
 *   learned priors  frozen tables trained by nc-train on English text: order 2, 3, 4
 *                   and word contexts as stretched probabilities (int8); initial
 *                   order-1 counters, mixer weights and the order-0 APM
 *   mixer           logistic mixing in two layers: twelve weight sets chosen by
 *                   different contexts (partial byte, match, last bytes, byte
 *                   classes, column), then three final mixers, averaged; weights
 *                   learned online
 *   APM             four adaptive probability maps (order 0, order 1, hashed
 *                   order 2, match state) refine it
 *
 * Everything is integer arithmetic in a fixed order, so an encoder and a decoder on
 * any compiler compute the same probabilities. The state resets to the model's
 * learned starting point with lm_reset() (every packet, every Equal-Info Window).
 * Layout and exact arithmetic: conformance/spec/lmtext.md. */
#ifndef NC_CODECS_LMTEXT_LM_MODEL_H
#define NC_CODECS_LMTEXT_LM_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "nc/model.h"

enum LMMode { LM_MODE_FAST = 0, LM_MODE_MAX = 1 };

/* Sizes of the tables a model file carries (and the trainer writes). */
#define LM_PRIOR_BITS 20        /* slots of each frozen prior table */
#define LM_N_PRIORS 4           /* order 2, 3, 4, word */
#define LM_O1_SLOTS (1 << 16)   /* initial order-1 counters: previous byte x partial byte */
#define LM_APM1_CTX 256
#define LM_APM2_CTX (1 << 16)
#define LM_APM_CELLS 33
#define LM_APM3_BITS 16
#define LM_APM3_CTX (1 << LM_APM3_BITS)
#define LM_APM4_CTX (28 * 256) /* match input (0..13) x expected bit x c0 */
#define LM_N_ONLINE_FAST 7
#define LM_N_ONLINE_MAX 13
#define LM_MAX_INPUTS 36 /* bias, orders 0-1, 2 per online table, match, priors */
#define LM_N_MIXERS 12
/* First-layer weight sets, chosen by: the partial byte c0; the match state and bit
 * position; the last byte; how many online counters were seen before and the bit
 * position; the classes of the last three bytes and the bit position; the byte
 * before the last; the last two bytes (hashed to 12 bits); the column bucket, the
 * class of the last byte and the bit position; the class of the last byte and c0;
 * the word length and the bit position; the last three bytes (hashed); the current
 * word (hashed). */
#define LM_SET_C0 0
#define LM_SET_MATCH 256
#define LM_SET_C1 (LM_SET_MATCH + 64)
#define LM_SET_HITS (LM_SET_C1 + 256)
#define LM_SET_CLASSES (LM_SET_HITS + 64)
#define LM_SET_C2 (LM_SET_CLASSES + 4096)
#define LM_SET_O2 (LM_SET_C2 + 256)
#define LM_SET_COLUMN (LM_SET_O2 + 4096)
#define LM_SET_C0CL (LM_SET_COLUMN + 1024)
#define LM_SET_WLEN (LM_SET_C0CL + 2048)
#define LM_SET_O3 (LM_SET_WLEN + 128)
#define LM_SET_WORD (LM_SET_O3 + 4096)
#define LM_MIX_SETS (LM_SET_WORD + 4096)
#define LM_FINAL_INPUTS 13 /* bias, the first layer's outputs */
#define LM_N_FINAL 3
#define LM_FSET_C0 0
#define LM_FSET_COLUMN 256
#define LM_FSET_C1 (256 + 1024)
#define LM_FINAL_SETS (256 + 1024 + 2048)
/* Weights of one mode: the first layer, then the final mixer. A model file stores
 * them as int16 in units of LM_MIX_STORE_SCALE / 65536. */
#define LM_MIX_STORE_SCALE 128
#define LM_MIX_WEIGHTS (LM_MIX_SETS * LM_MAX_INPUTS + LM_FINAL_SETS * LM_FINAL_INPUTS)

/* One adaptive bit counter: P(1) in 1/65536, a hash check, and how often it was
 * seen (sets the adaptation rate 1 / (n + 1.5)). */
typedef struct LMSlot {
    uint16_t p;
    uint8_t check;
    uint8_t n;
    uint8_t hist; /* the last bits seen here: 1 << k | bits, k <= 6 (0: none yet) */
    uint8_t spare;
} LMSlot;

/* What training learns (the .ncm content), shared read-only by every coder. */
typedef struct LMParams {
    int8_t *prior[LM_N_PRIORS];  /* 2^LM_PRIOR_BITS stretched P(1) / 16 each */
    LMSlot *o1;                   /* LM_O1_SLOTS starting counters */
    int32_t *mix;                 /* 2 modes x LM_MIX_WEIGHTS starting weights (Q16) */
    uint16_t *apm1, *apm2;        /* LM_APM*_CTX x LM_APM_CELLS */
    void *storage;
} LMParams;

typedef struct LMPredictor {
    int mode;
    const LMParams *params;
    int n_inputs;
    int online_bits;          /* log2 slots of each online hashed table */
    int n_online;             /* hashed online contexts */
    int prior_of[LM_MAX_INPUTS]; /* the frozen prior of each online context, or -1 */
    LMSlot *online;           /* n_online tables of 2^online_bits */
    LMSlot o0[256];
    LMSlot *o1;
    int32_t *mix;
    uint16_t *apm1, *apm2, *apm3, *apm4;
    /* Match model over the bytes coded since the last reset. */
    uint32_t *match_table;    /* 2^LM_MATCH_BITS positions (+1; 0 = none) */
    LMSlot match_sm[64 * 2];
    /* Indirect inputs: P(1) after each bit history, one map per hashed context. */
    LMSlot hist_sm[LM_MAX_INPUTS * 128];
    int hist_idx[LM_MAX_INPUTS];
    const uint8_t *hist;      /* the bytes so far: hist[0 .. pos) */
    size_t pos;
    size_t match_ptr;
    int match_len;
    int match_miss;           /* the expected byte already disagreed in this byte */
    /* Context of the current byte. */
    uint32_t c0;              /* 1 followed by the bits of the byte so far */
    int bitpos;
    uint32_t c4, c8;          /* the last 8 bytes */
    uint32_t word_sep;        /* the last non-letter byte */
    size_t line_start;        /* pos just after the last newline */
    int word_len;             /* letters in the current word */
    uint32_t word, word_prev, word_prev2; /* hashes of the current and the previous words */
    uint32_t ctx_hash[LM_MAX_INPUTS];
    uint32_t prior_hash[LM_N_PRIORS];
    /* The prediction being made: inputs, the slots they came from, the mixers'
     * outputs and the APM cells, kept for the update. */
    int32_t st[LM_MAX_INPUTS];
    LMSlot *slot[LM_MAX_INPUTS];
    uint8_t limit[LM_MAX_INPUTS];  /* the slot's count limit; 0: no slot */
    uint8_t keeps_hist[LM_MAX_INPUTS];
    int n_slots;
    int32_t *w[LM_N_MIXERS], *wf[LM_N_FINAL];
    int32_t d_mix[LM_FINAL_INPUTS];
    int32_t pr_mix_k[LM_N_MIXERS], pr_fin[LM_N_FINAL], pr_mix, pr_final;
    int apm1_idx, apm2_idx, apm3_idx, apm4_idx;
    int mbit;
    /* Online table slots touched since the last reset (a short journal makes
     * Equal-Info Window resets cheap; past its end the tables are cleared whole). */
    uint64_t *journal;
    size_t journal_len;
    int journaled;            /* lm_begin()'s choice */
    int journal_overflow;
} LMPredictor;

/* Reads a model's tensors into params (validated sizes). NC_EMODEL (logged). */
int lm_params_from_model(LMParams *params, const NCModel *model);
/* Allocates params with neutral content (no priors, default weights): what the
 * trainer starts from. */
int lm_params_alloc_default(LMParams *params);
void lm_params_free(LMParams *params);

int lm_predictor_init(LMPredictor *lm, const LMParams *params, int mode);
void lm_predictor_free(LMPredictor *lm);
/* Prepares for a packet of n bytes (the online tables are sized for it). journaled:
 * record changes so that lm_reset() can undo them (Equal-Info Windows, where resets
 * come every few bytes) instead of rewriting every table. */
int lm_begin(LMPredictor *lm, size_t n, int journaled);
/* Back to the learned starting state; hist is where the bytes coded from now on
 * are (the predictor reads hist[0 .. pos) for its match model). */
void lm_reset(LMPredictor *lm, const uint8_t *hist);
/* P(next bit = 1) in 1/4096, 1..4095. */
int lm_predict(LMPredictor *lm);
/* Learns from the bit just coded (after lm_predict); after the 8th bit of a byte,
 * the byte must already be at hist[pos]. */
void lm_update(LMPredictor *lm, int bit);

/* Moves the contexts on by one bit without predicting or learning (what the
 * trainer needs to count into the prior tables). */
void lm_skip_bit(LMPredictor *lm, int bit);
/* The frozen prior slots the current bit reads (the trainer counts into them). */
void lm_prior_slots(const LMPredictor *lm, uint32_t idx[LM_N_PRIORS]);

/* stretch(p) = ln(p / (1 - p)) in 1/256, for p in 1/4096; squash is its inverse. */
int lm_stretch(int p);
int lm_squash(int d);

#endif
