/* Test-only codecs that drive the API end to end before real codecs exist. They
 * are linked into the tests alone: not registered, not installed. */
#ifndef NC_TEST_CODEC_H
#define NC_TEST_CODEC_H

#include "libnc/codec_internal.h"

/* Bytes in, one packet per frame out, held back by the "delay" option (0..4
 * frames) so that EAGAIN and draining are exercised. */
extern const NCCodecDef test_bytes_encoder, test_bytes_decoder;
/* Mono or stereo float audio at 8 or 16 kHz, stored verbatim. */
extern const NCCodecDef test_audio_encoder;

#endif
