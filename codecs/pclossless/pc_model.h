/* pclossless models in .ncm files (architecture "hclt"):
 *   params   patch_width, patch_height, states
 *   parent   I32 [D]           parent of each variable in the latent tree, -1 root
 *   prior    I16 [k]           P(Z_root) in Q15
 *   pack.counts I8 [1, n]      the edge weights (Q15, [D][k][k]) and leaf codes
 *   pack.rans   I8 [1, n]      ([D][k][256], see hclt.h) packed (pc_model_pack.h):
 *                              model counts and rANS stream, row scales 1
 * with D = patch_width * patch_height. Models written before the packed form stored
 * edge I16 [D, k, k] and leaf I8 [D, k, 256] (codes - 128) instead; they are refused
 * and pc_model_convert() rewrites them. */
#ifndef NC_PCLOSSLESS_PC_MODEL_H
#define NC_PCLOSSLESS_PC_MODEL_H

#include <stdint.h>

#include "codecs/pclossless/hclt.h"
#include "nc/model.h"

#define PC_MODEL_ARCH "hclt"
#define PC_MODEL_COUNTS "pack.counts" /* the packed tables (pc_model_pack.h) */
#define PC_MODEL_STREAM "pack.rans"

/* Builds the coding model from a loaded .ncm model; NC_EMODEL (logged) if it is not
 * a valid HCLT model. */
int pc_coding_model_from_ncm(PCCodingModel *cm, const NCModel *model);

/* Quantizes m and writes it as model `id` to path (atomically), with the training
 * facts in extra "key=value" params (NULL-terminated pairs, may be NULL). Also
 * returns the coding model of what was written when cm is not NULL. */
int pc_model_write(const PCHclt *m, int patch_w, int patch_h, const char *id,
                   const char *path, const char *const *params, PCCodingModel *cm);

/* Writes the stored integer form (prior[k], edge[D][k][k], codes[D][k][256]) as
 * model `id` to path, params as for pc_model_write; what pc_model_write does after
 * quantizing, and what converting an older file needs. */
int pc_model_write_ints(int patch_w, int patch_h, int k, const int32_t *parent,
                        const int16_t *prior, const int16_t *edge, const uint8_t *codes,
                        const char *id, const char *path, const char *const *params);

/* Rewrites the model at old_path, of the unpacked form, in the packed form at new_path
 * (same id, parameters and integers), reads it back and checks that its coding tables
 * equal the old ones (NC_EBUG if not). NC_EMODEL (logged) if old_path is not an
 * unpacked pclossless model. pc_model_convert (tests/pclossless/) is the command. */
int pc_model_convert(const char *old_path, const char *new_path);
/* 1 if a and b are the same coding model: tree, prior, edge and leaf CDFs. */
int pc_coding_model_equal(const PCCodingModel *a, const PCCodingModel *b);

#endif
