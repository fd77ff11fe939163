#ifndef NC_CODECS_REGISTRY_H
#define NC_CODECS_REGISTRY_H

#include "libnc/codec_internal.h"

/* Every shipped codec, NULL-terminated. */
extern const NCCodecDef *const nci_registered_codecs[];

#endif
