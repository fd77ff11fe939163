/* The rvqspeech network: shapes and names shared by training (train_net.c) and
 * frame-by-frame inference (stream.c).
 *
 *   encoder  features [321] -> conv k3 -> 3 residual units -> ELU -> conv k1 -> latent [D]
 *   decoder  latent [D]     -> conv k3 -> 3 residual units -> ELU -> conv k1 -> [2 * 321]
 *            (log magnitudes, then phases: spectral.h)
 *   (the residual units of the encoder are C wide, those of the decoder dec_channels)
 *   residual unit (dilation d): x + conv_k1(ELU(conv_k3,d(ELU(x))))
 *
 * Every conv runs along frames (50 per second) and is causal: frame t sees
 * frames t, t-d, t-2d only, so the network adds no latency to the 40 ms of
 * the spectral ends. Weights use PyTorch's layout [out, in, k]. */
#ifndef NC_RVQSPEECH_NET_H
#define NC_RVQSPEECH_NET_H

#define NC_RVQ_UNITS 3
#define NC_RVQ_MAX_STAGES 12
#define NC_RVQ_CODE_BITS 10
#define NC_RVQ_CODES (1 << NC_RVQ_CODE_BITS)

typedef struct NCRvqShape {
    int channels; /* C: the encoder's width */
    int latent;   /* D */
    int stages;   /* quantizer stages in the model */
    int codes;    /* entries per stage */
    int dec_channels; /* the decoder's width (C unless the model says otherwise) */
} NCRvqShape;

/* Dilation of residual unit u. */
static inline int rvq_dilation(int u)
{
    return 1 << u;
}

/* One conv of the network: its parameter-name stem, shape and dilation. */
typedef struct NCRvqConvSpec {
    char name[32]; /* e.g. "enc.rb1.c1" -> "enc.rb1.c1.weight", ".bias" */
    int cout, cin, k, dilation;
} NCRvqConvSpec;

#define NC_RVQ_CONVS_PER_SIDE (2 + 2 * NC_RVQ_UNITS)
#define NC_RVQ_CONVS (2 * NC_RVQ_CONVS_PER_SIDE)

/* The convs in order: encoder in, units (c1, c2), out; then the decoder's. */
void rvq_conv_specs(const NCRvqShape *sh, NCRvqConvSpec specs[NC_RVQ_CONVS]);

#endif
