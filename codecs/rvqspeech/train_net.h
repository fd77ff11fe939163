/* The network of net.h on the nn graph, for training. */
#ifndef NC_RVQSPEECH_TRAIN_NET_H
#define NC_RVQSPEECH_TRAIN_NET_H

#include "codecs/rvqspeech/net.h"
#include "libnc/nn/params.h"

/* Adds every conv's "<name>.weight" and "<name>.bias" to ps, initialized like
 * PyTorch (the decoder's last conv scaled down so training starts quiet). */
int rvq_net_create(NNParams *ps, const NCRvqShape *sh, NNRng *rng);
/* features [N, 321, T] -> latent [N, D, T]. */
NNTensor *rvq_net_encode(NNGraph *g, NNParams *ps, const NCRvqShape *sh, NNTensor *feat);
/* latent [N, D, T] -> [N, 2 * 321, T] (log magnitudes, phases). */
NNTensor *rvq_net_decode(NNGraph *g, NNParams *ps, const NCRvqShape *sh, NNTensor *lat);

#endif
