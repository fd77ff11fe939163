/* What `nc-enc -L` and `nc-enc -c CODEC --help` print: the registered codecs,
 * and one codec's options with their type, range, default and help. */
#ifndef NC_APPS_CODEC_HELP_H
#define NC_APPS_CODEC_HELP_H

#include <stdio.h>

#include "nc/codec.h"

/* One line per encoder (is_encoder = 1) or decoder: name, media type,
 * capabilities, long name, under a header line. */
void codec_help_list(FILE *out, int is_encoder);
/* The models the search order finds (nc_model_list()): id, the encoders that code
 * with it and their media, size, the card's summary, then the file. Returns the
 * count, or a negative NC_E* code. */
int codec_help_models(FILE *out);
/* The codec's description, supported formats and options. */
void codec_help_options(FILE *out, const NCCodec *codec);
/* Sets each "KEY=VALUE" of options[0 .. n) on ctx (before nc_codec_open()): how
 * -o works in nc-enc and nc-dec. An unknown key or a bad value is printed, with
 * help_hint (the command that lists the options), and returned. */
int codec_apply_options(NCCodecContext *ctx, const char *const *options, int n,
                           const char *help_hint);

#endif
