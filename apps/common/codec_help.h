/* What `nc-enc -L` and `nc-enc -c CODEC --help` print: the registered codecs,
 * and one codec's options with their type, range, default and help. */
#ifndef NC_APPS_CODEC_HELP_H
#define NC_APPS_CODEC_HELP_H

#include <stdio.h>

#include "nc/codec.h"

/* One line per encoder (is_encoder = 1) or decoder: name, media type,
 * capabilities, long name, under a header line. */
void codec_help_list(FILE *out, int is_encoder);
/* The codec's description, supported formats and options. */
void codec_help_options(FILE *out, const NCCodec *codec);

#endif
