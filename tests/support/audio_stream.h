/* Audio codecs through the public API for tests: encode a signal in chunks into
 * packets held in memory, decode them (from any packet on), compare streams. */
#ifndef NC_TESTS_SUPPORT_AUDIO_STREAM_H
#define NC_TESTS_SUPPORT_AUDIO_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "nc/nc.h"

typedef struct NCTestStream {
    uint8_t *extradata;
    size_t extradata_size;
    NCPacket *pkts[4096];
    int count;
    size_t bytes; /* packet payloads */
} NCTestStream;

void nct_stream_free(NCTestStream *s);
/* 1 if both have the same header and packets, byte for byte. */
int nct_stream_same(const NCTestStream *a, const NCTestStream *b);
/* Encodes x[n] (mono, rate Hz) with codec and options ("key=val:key=val", may be
 * "") in frames of chunk samples, with `threads` threads. 0 or an error. */
int nct_audio_encode(const char *codec, const char *options, const float *x, int n, int rate,
                     int chunk, int threads, NCTestStream *s);
/* Decodes s's packets from packet `first` on into *out (malloc'd; free it), with
 * decoder options; returns the sample count or an error. Packets the decoder
 * rejects with NC_EINVALIDDATA or NC_ETRUNCATED are counted in *errors (may be
 * NULL) and skipped. *first_pts (may be NULL) gets the first frame's pts. */
int nct_audio_decode(const char *codec, const char *options, const NCTestStream *s, int first,
                     float **out, int *errors, int64_t *first_pts);
/* Writes x[n] (clipped to +-1) as a mono 16-bit WAV file at rate Hz: the training
 * folders of the trainers' tests. 0 or -1. */
int nct_write_wav(const char *path, const float *x, int n, int rate);

#endif
