/* pclossless_bytes: raw bytes (NC_MEDIA_BYTES) coded with the pclossless circuit.
 * A frame of n bytes is one GRAY8 plane of n x 1 samples for the plane coder of
 * pclossless.h (blocks of the model's patch width, the last one partial and
 * marginalized, raw fallback per block) after its length. Layout:
 * conformance/spec/pclossless.md, section 6. */
#ifndef NC_CODECS_PCLOSSLESS_BYTES_H
#define NC_CODECS_PCLOSSLESS_BYTES_H

#include <stddef.h>
#include <stdint.h>

#include "codecs/pclossless/pclossless.h"

#define PC_BYTES_DEFAULT_MODEL "pclossless-text"
/* The largest frame a bytes stream carries (a decoder never allocates more for
 * one frame; the apps send frames of 1 MiB). */
#define PC_BYTES_MAX_FRAME ((size_t)1 << 24)
/* Bits of the length field: m = n + 1 takes 1 .. PC_BYTES_LENGTH_MAX_BITS bits. */
#define PC_BYTES_LENGTH_BITS 5
#define PC_BYTES_LENGTH_MAX_BITS 25

/* Codes n <= PC_BYTES_MAX_FRAME bytes (the caller checks n); NC_EINTR as
 * pc_encode_plane(). */
int pc_encode_bytes(PCContext *pcx, RCEncoder *enc, const uint8_t *data, size_t n);
/* Decodes one frame's bytes into *data (malloc'd, NULL when n is 0; free() it).
 * The output grows with what the packet actually holds, so a short hostile packet
 * cannot make it allocate much: NC_ETRUNCATED as soon as the stream ran out,
 * NC_EINVALIDDATA for a bad length or coder state, NC_ERANGE for a valid length
 * above max_bytes (the caller's limit), NC_EINTR (pc_decode_plane()), NC_ENOMEM.
 * A length the packet is too short for (pc_plane_info_floor()) is NC_ETRUNCATED
 * at once; the bytes it can pay for are at most 8 P 2^24 / pixel_info for a packet
 * of P bytes. The caller still ends with rc_dec_finish(). */
/* The check pc_decode_bytes() makes before any work, alone: the packet's length
 * field is valid and the packet long enough for it (NC_ETRUNCATED, logged). */
int pc_check_bytes_packet(const PCContext *pcx, const uint8_t *data, size_t size);
int pc_decode_bytes(PCContext *pcx, RCDecoder *dec, size_t max_bytes, uint8_t **data,
                    size_t *n);

#endif
