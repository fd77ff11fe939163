/* Sending a quantized CDF inside a stream, for codecs whose static models are built
 * by the encoder (a histogram per block, per tensor, per image).
 *
 * Both sides know nsyms and prec. The frequencies f[0 .. nsyms-1) are coded as
 * Exp-Golomb bypass codes whose order follows the previous frequency
 * (k = min(16, floor(log2(f_prev + 1)))), so runs of zeros cost one bit each and
 * large neighbours cost little; the last frequency is what is left of 2^prec.
 * Spec: conformance/spec/entropy.md, "CDF tables". */
#ifndef NC_ENTROPY_CDF_TABLE_H
#define NC_ENTROPY_CDF_TABLE_H

#include <stdint.h>

#include "entropy/range_decoder.h"
#include "entropy/range_encoder.h"

/* Codes a valid CDF (see rc_cdf_check(); an invalid one sets NC_EINVAL on enc). */
void rc_encode_cdf_table(RCEncoder *enc, const uint32_t *cdf, unsigned nsyms, unsigned prec);
/* Decodes a CDF coded with the same nsyms and prec into cdf[0 .. nsyms]. Returns 0, or
 * NC_EINVALIDDATA if the frequencies do not add up (then cdf holds a valid uniform
 * CDF, and the decoder's error is set), or NC_EINVAL for bad sizes. */
int rc_decode_cdf_table(RCDecoder *dec, uint32_t *cdf, unsigned nsyms, unsigned prec);

#endif
