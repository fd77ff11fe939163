/* Training entry points of pclossless (nc-train pclossless, tests, benchmarks). */
#ifndef NC_PCLOSSLESS_TRAIN_H
#define NC_PCLOSSLESS_TRAIN_H

#include <stdint.h>

#include "codecs/trainers.h"

/* nc-train pclossless (codecs/trainers.c). */
extern const NCTrainer nc_pclossless_trainer;

/* Reads an idx3 image file (MNIST layout): n images of w x h bytes, malloc'd. */
int pc_read_idx_images(const char *path, uint8_t **pixels, int *n, int *w, int *h);

#endif
