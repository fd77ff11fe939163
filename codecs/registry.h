#ifndef NC_CODECS_REGISTRY_H
#define NC_CODECS_REGISTRY_H

#include "nc/codec.h"

/* Every shipped codec, NULL-terminated. */
extern const NCCodec *const nci_registered_codecs[];

#endif
