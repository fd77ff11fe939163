/* The loaded-model object, shared by the reader and the accessors. */
#ifndef NC_MODEL_INTERNAL_H
#define NC_MODEL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "nc/model.h"

struct NCModel {
    uint8_t *image; /* the whole file, 64-byte aligned; tensors point into it */
    size_t size;
    char *pool; /* NUL-terminated copies of every string */
    const char *id, *arch;
    int n_params;
    const char **keys, **values;
    int n_tensors;
    NCModelTensor *tensors;  /* file order */
    const NCModelTensor **by_name; /* sorted by name (strcmp), for lookup */
    uint8_t sha256[NC_MODEL_SHA256_SIZE];
};

#endif
