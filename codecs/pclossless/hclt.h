/* Hidden Chow-Liu trees (HCLT): the probabilistic circuit pclossless codes with.
 *
 * D observed variables X_v (8-bit pixels of a patch) hang off a tree of latent
 * variables Z_v with k states each; the tree is the Chow-Liu tree of the pixels.
 *   P(x) = sum_z P(Z_root) prod_{v != root} P(Z_v | Z_parent(v)) prod_v P(X_v | Z_v)
 * As a circuit: one product node per (v, z) multiplies the leaf P(x_v | z) with one
 * sum node per child; the sum node mixes the child's k product nodes. It is smooth,
 * decomposable and structured by the tree, so every marginal is one feed-forward
 * pass (Liu, Mandt, Van den Broeck, "Lossless Compression with Probabilistic
 * Circuits", ICLR 2022).
 *
 * Two forms of the parameters live here:
 *   PCHclt      float parameters, learned by EM (hclt_em.c);
 *   PCCodingModel  the integer form the codec computes with (hclt_quant.c), which
 *               is what the .ncm file stores, so encoder and decoder see the same
 *               bits on every platform. */
#ifndef NC_PCLOSSLESS_HCLT_H
#define NC_PCLOSSLESS_HCLT_H

#include <stddef.h>
#include <stdint.h>

#define PC_NUM_VALUES 256 /* categories of every variable (8-bit samples) */
#define PC_MAX_STATES 64  /* latent states per tree node */
#define PC_MAX_VARS 4096  /* variables of one patch (64 x 64) */

/* A rooted tree over nvars variables with its depth-first pre-order, which is also
 * the coding order. */
typedef struct PCTree {
    int nvars;
    int root;
    int *parent;      /* [nvars]; -1 for the root */
    int *order;       /* [nvars] depth-first pre-order; order[0] == root */
    int *child_start; /* [nvars + 1] CSR index into children */
    int *children;    /* [nvars - 1] children of each node in pre-order order */
} PCTree;

/* Builds order and children from parent[] (copied). NC_EINVALIDDATA unless parent
 * describes one tree over all nvars nodes. */
int pc_tree_init(PCTree *t, int nvars, const int *parent);
void pc_tree_free(PCTree *t);

/* The Chow-Liu tree of n samples of d 8-bit variables (data[n][d]): the maximum
 * spanning tree of the pairwise mutual information of the samples quantized to
 * 16 levels, rooted at its centre so that the tree is as shallow as it can be.
 * Writes parent[d]. */
int pc_chow_liu_tree(const uint8_t *data, int n, int d, int *parent);

/* Float parameters, learned by EM. */
typedef struct PCHclt {
    PCTree tree;
    int nstates; /* k */
    float *prior; /* [k] P(Z_root) */
    float *edge;  /* [nvars][k][k] P(Z_v = z | Z_parent = zp) at [v][zp][z]; root unused */
    float *leaf;  /* [nvars][k][256] P(X_v = x | Z_v = z) */
    /* Transposed copies for contiguous inner loops, refreshed by every update. */
    float *edge_t; /* [nvars][k][k]: edge_t[v][z][zp] = edge[v][zp][z] */
    float *leaf_t; /* [nvars][256][k] */
} PCHclt;

/* Allocates parameters for tree (which it takes over) and draws them at random
 * around the data's per-pixel histograms, from seed. */
int pc_hclt_init(PCHclt *m, PCTree *tree, int nstates, const uint8_t *data, int n,
                 uint64_t seed);
void pc_hclt_free(PCHclt *m);

/* Expected sufficient statistics of EM. */
typedef struct PCHcltStats {
    int nvars, nstates;
    double loglik; /* sum over samples, in nats */
    float *prior, *edge; /* shaped like PCHclt's */
    float *leaf;         /* [nvars][256][k] (transposed) */
} PCHcltStats;

int pc_hclt_stats_alloc(PCHcltStats *s, const PCHclt *m);
void pc_hclt_stats_free(PCHcltStats *s);
void pc_hclt_stats_clear(PCHcltStats *s);
/* Adds the expected counts of n samples (data[n][nvars]) to s. */
void pc_hclt_accumulate(const PCHclt *m, const uint8_t *data, int n, PCHcltStats *s);
/* M-step: params <- (1 - step) params + step * normalize(counts + pseudocount).
 * step 1 is full EM. */
void pc_hclt_update(PCHclt *m, const PCHcltStats *s, float step, float pseudocount);
/* Average log-likelihood in bits per variable of n samples (no update). */
double pc_hclt_bits_per_dim(const PCHclt *m, const uint8_t *data, int n);

/* Integer parameters: the model the codec uses, and what the .ncm file stores.
 *   prior[z], edge[v][zp][z]  probabilities in Q15, each in [1, 32767];
 *   leaf codes [v][z][x]      round(16 * log2(pmax / p)) clipped to [0, 255], where
 *                             pmax is the largest probability of the row;
 * from which the decoder derives, with integers only:
 *   cdf[v][x][z]              per (v, z) cumulative frequencies over 2^PC_LEAF_BITS
 *                             with every symbol >= 1 (cdf[v][0][z] = 0,
 *                             cdf[v][256][z] = 2^PC_LEAF_BITS), transposed so that
 *                             the k states of one value are contiguous. */
#define PC_LEAF_BITS 16
#define PC_WEIGHT_BITS 15

typedef struct PCCodingModel {
    PCTree tree;
    int nstates;
    int patch_w, patch_h; /* variable v is pixel (v % patch_w, v / patch_w) */
    uint32_t *prior;      /* [k] */
    uint32_t *edge;       /* [nvars][k][k] */
    uint32_t *cdf;        /* [nvars][257][k] */
} PCCodingModel;

/* Builds the coding model from the stored integer form. parent[] and the weights
 * are validated (NC_EMODEL with a logged reason if they are out of range). */
int pc_coding_model_build(PCCodingModel *cm, int patch_w, int patch_h, int nstates,
                          const int32_t *parent, const int16_t *prior, const int16_t *edge,
                          const uint8_t *leaf_codes);
void pc_coding_model_free(PCCodingModel *cm);

/* The stored integer form of float parameters (training side; uses libm). Arrays
 * are shaped like PCHclt's: prior[k], edge[d][k][k], leaf_codes[d][k][256]. */
void pc_hclt_quantize(const PCHclt *m, int16_t *prior, int16_t *edge, uint8_t *leaf_codes);

/* Rebuilds one leaf's frequency table from its codes (integers only). */
int pc_leaf_cdf_from_codes(const uint8_t codes[PC_NUM_VALUES], uint32_t cdf[PC_NUM_VALUES + 1]);

#endif
