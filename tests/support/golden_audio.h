/* The conformance checkers of audio codecs whose golden streams are coded from the
 * tests' synthetic speech-like signal (conformance/rvqspeech, conformance/semantic):
 * each stream's symbols by SHA-256 (bit-exact), its decoded samples within a
 * tolerance of a 16-bit reference, a damaged stream's rejected packets, and the
 * encoder reproducing the golden packets.
 *
 *   check_CODEC DIR           checks every stream in DIR against DIR/<name>.expect
 *   check_CODEC DIR --write   regenerates them (after a model or format change) */
#ifndef NC_TESTS_SUPPORT_GOLDEN_AUDIO_H
#define NC_TESTS_SUPPORT_GOLDEN_AUDIO_H

#include "libnc/model/sha256.h"
#include "nc/nc.h"

typedef struct GoldenAudio {
    const char *name, *options;
    int damage;  /* flip a payload byte of packet 1, cut packet 2 short */
    int current; /* today's format: rewritten by --write, re-encoded by the check */
} GoldenAudio;

typedef struct GoldenAudioCodec {
    const char *codec;
    int samples;         /* of the test signal (rvq_test_signal, seed 7) at 16 kHz */
    const char *symbols; /* what the symbols are called in .expect files ("indices") */
    double max_error, min_snr_db; /* the spec's tolerance on samples */
    /* The codec's bitstream layer for a stream: opened from its header, hashes one
     * packet's symbols into sha (< 0: it rejects the packet), closed. */
    void *(*open)(const NCStreamInfo *info);
    int (*hash_packet)(void *layer, const NCPacket *pkt, NCSha256 *sha);
    void (*close)(void *layer);
    /* 1 if two stream headers say the same (their forms may differ). */
    int (*same_header)(const NCStreamInfo *a, const NCStreamInfo *b);
} GoldenAudioCodec;

/* The checker's main: the process exit status. */
int golden_audio_main(const GoldenAudioCodec *c, const GoldenAudio *goldens, int count, int argc,
                      char **argv);

#endif
