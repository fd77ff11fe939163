/* Training entry points of pclossless (nc-train pclossless, tests, benchmarks). */
#ifndef NC_PCLOSSLESS_TRAIN_H
#define NC_PCLOSSLESS_TRAIN_H

#include <stdint.h>

#define PC_DEFAULT_MODEL_ID "pclossless-mnist"

/* nc-train pclossless ARGS (argv[0] is "pclossless"); see the usage line. */
int nc_pclossless_train(int argc, char **argv);

/* Reads an idx3 image file (MNIST layout): n images of w x h bytes, malloc'd. */
int pc_read_idx_images(const char *path, uint8_t **pixels, int *n, int *w, int *h);

#endif
