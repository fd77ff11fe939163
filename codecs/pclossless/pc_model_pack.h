/* The packed form of a pclossless model's edge weights and leaf codes: static context
 * models whose symbol counts are stored in the file (a range-coder stream, tensor
 * "pack.counts") and the symbols as one interleaved rANS stream (tensor "pack.rans"),
 * both with entropy/. The exact format is conformance/spec/pclossless.md, section 2.1.
 * It stores exactly the same integers as the plain tables in less than half their
 * size, and decodes with integers only, one table lookup per symbol. */
#ifndef NC_PCLOSSLESS_PC_MODEL_PACK_H
#define NC_PCLOSSLESS_PC_MODEL_PACK_H

#include <stddef.h>
#include <stdint.h>

/* Precision of every model of the stream (above RC_STATIC_LUT_MAX_PREC: the decoder
 * searches the CDFs instead of building 5,600 slot tables). */
#define PC_PACK_PREC 20
/* Leaf rows of this many variables are coded in lockstep (section 2.1). */
#define PC_PACK_GROUP 4

/* Smallest size of both parts together for d variables with k states: one byte per
 * 8 coded values (edges and leaf codes); the writer pads the counts with zero bytes up
 * to it. This bounds what a decoder allocates and decodes by the size of the file. */
size_t pc_pack_min_size(int d, int k);

/* Codes edge[d][k][k] (each in 1..32767) and leaf codes[d][k][256] into two new
 * malloc'd buffers: the model counts and the rANS stream. NC_EINVAL for out-of-range
 * input, NC_ENOMEM. */
int pc_pack_encode(int d, int k, const int16_t *edge, const uint8_t *codes, uint8_t **counts,
                   size_t *counts_size, uint8_t **stream, size_t *stream_size);

/* Decodes both parts into edge[d][k][k] and codes[d][k][256] (the caller's arrays).
 * 0, NC_ENOMEM, or NC_EMODEL (logged) for parts that are too short, damaged or decode
 * to an edge weight outside 1..32767; needs 1 <= d <= 4096, 1 <= k <= 64. */
int pc_pack_decode(int d, int k, const uint8_t *counts, size_t counts_size, const uint8_t *stream,
                   size_t stream_size, int16_t *edge, uint8_t *codes);

#endif
