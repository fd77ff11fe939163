/* Tensors and the graph that records operations for reverse-mode autodiff.
 *
 * A tensor is float32, contiguous, row-major (NCL for sequences, NCHW for
 * images), with up to NN_MAX_DIMS dimensions. Tensors made by operations live in
 * an NNGraph: a memory arena plus the list of recorded operations (the tape).
 * nn_graph_reset() drops them all but keeps the memory, so a network run once per
 * frame or per training step allocates nothing after its first run.
 *
 * Parameters (weights) live outside any graph in an NNParams set (params.h) and
 * keep their gradient buffers across steps.
 *
 * Every op takes the graph first and returns NULL on failure (bad shapes, out of
 * memory) after logging why and setting the graph's error; a NULL input makes an
 * op return NULL, so a forward pass can be written without checks and tested
 * once at the end with nn_graph_error(). */
#ifndef NC_NN_TENSOR_H
#define NC_NN_TENSOR_H

#include <stddef.h>
#include <stdint.h>

#define NN_MAX_DIMS 4

typedef struct NNTensor {
    float *data;
    float *grad; /* same shape as data; NULL when no gradient flows here */
    int ndim;
    int shape[NN_MAX_DIMS];
    int64_t numel;
    int requires_grad;
} NNTensor;

typedef struct NNGraph NNGraph;
typedef struct NNNode NNNode;

/* A recorded operation: backward() adds d(loss)/d(inputs) into the inputs'
 * gradients given out->grad. Saved scalars and buffers ride along. */
struct NNNode {
    void (*backward)(NNGraph *g, NNNode *n);
    NNTensor *out;
    NNTensor *in[4];
    int iarg[12];
    float farg[4];
    void *aux;
    NNNode *prev;
};

NNGraph *nn_graph_alloc(void);
void nn_graph_free(NNGraph **g);
/* Forgets every tensor and node made in g since the last reset; keeps the memory
 * (merged into one block, so the next pass of the same size does not allocate). */
void nn_graph_reset(NNGraph *g);
/* With grad off (inference), ops record nothing and allocate no gradients. Default on. */
void nn_graph_set_grad(NNGraph *g, int enabled);
int nn_graph_grad_enabled(const NNGraph *g);
/* Deterministic inference mode, for networks whose outputs feed an entropy coder:
 * GEMMs become fixed-order scalar loops (no BLAS, no threads) and transcendental
 * functions come from det_math.h instead of libm, so every op's output is the same
 * bits with any compiler, -O level, thread count or libm. Ops built on libm or
 * kissfft without a deterministic form (sin, snake, STFT) fail with NC_ENOTSUP in
 * this mode. Default off. */
void nn_graph_set_deterministic(NNGraph *g, int enabled);
int nn_graph_deterministic(const NNGraph *g);
/* 0 or the first error an op hit since the last reset. */
int nn_graph_error(const NNGraph *g);
/* Records an error (logged with msg) and returns NULL, for ops. */
NNTensor *nn_graph_fail(NNGraph *g, int err, const char *op, const char *msg);
/* Bytes of arena memory g holds. */
size_t nn_graph_memory(const NNGraph *g);

/* Arena memory, 64-byte aligned, valid until the next reset; NULL on failure. */
void *nn_graph_scratch(NNGraph *g, size_t bytes);
/* A scratch buffer valid only until the next nn_graph_temp() call on g: for an
 * op's working memory that nothing keeps (im2col columns). Every op reuses the
 * same memory, so it stays in cache; it grows on the first pass only. */
void *nn_graph_temp(NNGraph *g, size_t bytes);
/* A new tensor of this shape in g: uninitialized, or zeroed. */
NNTensor *nn_tensor(NNGraph *g, int ndim, const int *shape);
NNTensor *nn_zeros(NNGraph *g, int ndim, const int *shape);
/* A new tensor holding a copy of data. */
NNTensor *nn_tensor_from(NNGraph *g, int ndim, const int *shape, const float *data);
/* Shorthands for shapes. */
NNTensor *nn_tensor2(NNGraph *g, int a, int b);
NNTensor *nn_tensor3(NNGraph *g, int a, int b, int c);
NNTensor *nn_tensor4(NNGraph *g, int a, int b, int c, int d);
/* The same data (and gradient) seen with another shape of equal size. */
NNTensor *nn_reshape(NNGraph *g, NNTensor *x, int ndim, const int *shape);

/* x->grad, allocated (zeroed) in g first if needed; for backward functions. */
float *nn_grad(NNGraph *g, NNTensor *x);
/* A new node for out with inputs in[0..n); out->requires_grad is set when an input
 * requires grad and grad is on. Returns NULL (nothing to record) otherwise. */
NNNode *nn_record(NNGraph *g, NNTensor *out, void (*backward)(NNGraph *, NNNode *),
                  NNTensor *const *in, int n);
/* Runs the recorded nodes backwards from loss (a one-element tensor, seeded with
 * gradient 1), accumulating into every tensor that requires grad. Returns 0 or
 * the graph's error. */
int nn_backward(NNGraph *g, NNTensor *loss);

/* 1 if a and b have the same shape. */
int nn_same_shape(const NNTensor *a, const NNTensor *b);
/* Number of elements of the dimensions from `from` on. */
int64_t nn_inner_size(const NNTensor *x, int from);

#endif
