/* template: the smallest real codec, the example of docs/adding-a-codec.md.
 * Lossless bytes, one packet per frame: the frame's length, then every byte coded
 * with an adaptive order-0 model (entropy/adaptive_cdf.h) that starts uniform in
 * each packet, so every packet is a key packet. Bitstream: spec.md. */
#ifndef NC_CODECS_TEMPLATE_H
#define NC_CODECS_TEMPLATE_H

#include <stddef.h>
#include <stdint.h>

/* The stream header (extradata): magic, version, the model's adaptation rate. */
#define TEMPLATE_MAGIC        "TPL"
#define TEMPLATE_VERSION      1
#define TEMPLATE_HEADER_SIZE  5
#define TEMPLATE_MIN_RATE     4
#define TEMPLATE_MAX_RATE     13
#define TEMPLATE_DEFAULT_RATE 8
/* Largest frame: the length is coded in 32 bits; the decoder's max_frame_bytes
 * option bounds what it allocates. */
#define TEMPLATE_MAX_FRAME ((size_t)1 << 30)

#endif
