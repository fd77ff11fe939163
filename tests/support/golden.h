/* What the codecs' conformance checkers (conformance/CODEC/check_CODEC.c) share:
 * decoding a golden .nc file with the re-encoding check, and the `check` pass over
 * an expected.txt of `NAME sha256 HEX` / `NAME error CODE` lines. */
#ifndef NC_TESTS_SUPPORT_GOLDEN_H
#define NC_TESTS_SUPPORT_GOLDEN_H

#include "libnc/model/sha256.h"
#include "nc/nc.h"

/* Opens the encoder that must re-encode the stream's frames to its exact packets
 * (from the stream's parameters and header); NULL if it cannot. */
typedef NCCodecContext *(*GoldenReencoder)(const NCStreamInfo *info, const NCCodecContext *dec);

/* Decodes the golden file at path with the decoder its stream names; returns 0 and
 * the SHA-256 of the decoded frames (golden_hash_frame()), or the first error.
 * With a reencoder (codecs of one packet per frame), re-encodes every decoded
 * frame and counts the packets that differ from the file's in *mismatch. */
int golden_decode_file(const char *path, GoldenReencoder reencoder,
                       char hex[2 * NC_SHA256_SIZE + 1], int *mismatch);

/* Adds a decoded frame to s: its bytes, or the rows of each of its planes (the
 * conformance runner's raw output). */
void golden_hash_frame(NCSha256 *s, const NCFrame *f);

/* One frame through an open encoder: its packet. */
int golden_encode(NCCodecContext *enc, const NCFrame *f, NCPacket *pkt);

/* check DIR: every line of DIR/expected.txt through golden_decode_file(); a sha256
 * line passes on that hash with no re-encoding mismatch, an error line on that
 * error. Prints one line per stream; returns the process exit status (0: all passed). */
int golden_check_list(const char *dir, GoldenReencoder reencoder);

#endif
