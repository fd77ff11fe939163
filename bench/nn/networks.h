/* The codec-sized networks bench_nn times, built on libnc/nn. torch_bench.py
 * builds the same shapes in PyTorch. */
#ifndef NC_BENCH_NN_NETWORKS_H
#define NC_BENCH_NN_NETWORKS_H

#include "libnc/nn/ops.h"
#include "libnc/nn/params.h"

typedef struct BenchNet {
    const char *name;
    NNParams *ps;
    int in_ndim;
    int in_shape[4];
    /* Builds the forward pass on g; returns the output. */
    NNTensor *(*forward)(struct BenchNet *net, NNGraph *g, NNTensor *x);
    NNTensor *w[24], *b[24];
    int n_layers;
} BenchNet;

/* SoundStream-like encoder: [4, 1, 16000] -> [4, 128, 50] through strides 2,4,5,8. */
int bench_encoder_init(BenchNet *net);
/* Upsampling decoder: [2, 64, 16, 16] -> [2, 3, 64, 64] via transposed conv and
 * pixel shuffle. */
int bench_decoder_init(BenchNet *net);
void bench_net_free(BenchNet *net);

#endif
