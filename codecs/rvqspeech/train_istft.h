/* The synthesis end of spectral.h as a differentiable op on the nn graph, for
 * training. It could move into libnc/nn (ops_spectral.c) as a general iSTFT head. */
#ifndef NC_RVQSPEECH_TRAIN_ISTFT_H
#define NC_RVQSPEECH_TRAIN_ISTFT_H

#include "libnc/nn/tensor.h"

/* x [N, 2 * NC_RVQ_BINS, T] (log magnitudes, then phases, per frame) ->
 * y [N, (T + 1) * NC_RVQ_HOP]: frame t overlap-added at samples t * hop. */
NNTensor *rvq_nn_istft(NNGraph *g, NNTensor *x);

#endif
