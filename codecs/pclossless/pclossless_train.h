/* Training entry points of pclossless (nc-train pclossless, tests, benchmarks). */
#ifndef NC_PCLOSSLESS_TRAIN_H
#define NC_PCLOSSLESS_TRAIN_H

#include <stdint.h>

#include <stddef.h>

#include "codecs/trainers.h"
#include "libnc/nn/train_job.h"

/* nc-train pclossless (codecs/trainers.c). */
extern const NCTrainer pclossless_trainer;

/* Bytes models (-o input=bytes, pclossless_train_bytes.c): blocks of `block`
 * consecutive bytes starting every `stride` bytes of bytes[0..size), shuffled with
 * seed, at most max_samples of them (malloc'd, n x block). */
int pc_byte_blocks(const uint8_t *bytes, size_t size, int block, int stride, int max_samples,
                   uint64_t seed, uint8_t **samples, int *n);
/* The same from the files of job->data_dir, with the options block (64), stride
 * (= block) and max_samples (2^20). */
int pc_read_byte_blocks(const NCTrainJob *job, uint8_t **samples, int *n, int *block);

#endif
