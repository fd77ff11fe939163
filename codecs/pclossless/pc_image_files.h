/* The image files nc-train pclossless, the tests and the benchmarks read: idx3
 * sets (MNIST layout) and PGM/PPM photos (P5 gray, P6 RGB, maxval 255), and the
 * training patches of a folder of photos, transformed like the codec transforms an
 * image (plane_transform.h; nc-train pclossless -o input=photos). */
#ifndef NC_PCLOSSLESS_PC_IMAGE_FILES_H
#define NC_PCLOSSLESS_PC_IMAGE_FILES_H

#include <stdint.h>

/* Reads an idx3 image file (MNIST layout): n images of w x h bytes, malloc'd. */
int pc_read_idx_images(const char *path, uint8_t **pixels, int *n, int *w, int *h);

/* Reads a binary PGM (channels 1) or PPM (channels 3) with maxval 255; pixels are
 * interleaved, rows tightly packed. NC_EINVALIDDATA for anything else. */
int pc_read_pnm(const char *path, uint8_t **pixels, int *w, int *h, int *channels);

/* Every pw x ph patch at a multiple of stride (both ways) of every plane of every
 * .pgm/.ppm file in dir (names sorted), after transform; shuffled with seed and cut
 * to at most max_samples: data[*n][pw * ph]. *images counts the files read. */
int pc_photo_patches(const char *dir, int pw, int ph, int stride, int transform,
                     int max_samples, uint64_t seed, uint8_t **data, int *n, int *images);

#endif
