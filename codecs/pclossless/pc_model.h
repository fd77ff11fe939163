/* pclossless models in .ncm files (architecture "hclt"):
 *   params   patch_width, patch_height, states
 *   parent   I32 [D]           parent of each variable in the latent tree, -1 root
 *   prior    I16 [k]           P(Z_root) in Q15
 *   edge     I16 [D, k, k]     P(Z_v | Z_parent(v)) in Q15 (the root's rows are unused)
 *   leaf     I8  [D, k, 256]   leaf codes - 128 (see hclt.h), row scales 1
 * with D = patch_width * patch_height. */
#ifndef NC_PCLOSSLESS_PC_MODEL_H
#define NC_PCLOSSLESS_PC_MODEL_H

#include <stdint.h>

#include "codecs/pclossless/hclt.h"
#include "nc/model.h"

#define PC_MODEL_ARCH "hclt"

/* Builds the coding model from a loaded .ncm model; NC_EMODEL (logged) if it is not
 * a valid HCLT model. */
int pc_coding_model_from_ncm(PCCodingModel *cm, const NCModel *model);

/* Quantizes m and writes it as model `id` to path (atomically), with the training
 * facts in extra "key=value" params (NULL-terminated pairs, may be NULL). Also
 * returns the coding model of what was written when cm is not NULL. */
int pc_model_write(const PCHclt *m, int patch_w, int patch_h, const char *id,
                   const char *path, const char *const *params, PCCodingModel *cm);

#endif
