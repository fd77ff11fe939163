/* The arena and tape behind NNGraph. */
#include <stdlib.h>
#include <string.h>

#include "libnc/nn/tensor.h"
#include "nc/error.h"
#include "nc/log.h"

#define NN_ALIGN 64
#define NN_MIN_BLOCK ((size_t)1 << 20)

typedef struct Block {
    struct Block *next;
    size_t size, used;
    uint8_t *mem;
} Block;

struct NNGraph {
    Block *blocks; /* the current block first */
    size_t total;  /* bytes in all blocks */
    NNNode *last;  /* most recent node */
    void *temp; /* nn_graph_temp() */
    size_t temp_size;
    int grad;
    int det;
    int error;
};

NNGraph *nn_graph_alloc(void)
{
    NNGraph *g = calloc(1, sizeof(*g));
    if (g)
        g->grad = 1;
    return g;
}

static void free_blocks(Block *b)
{
    while (b) {
        Block *next = b->next;
        free(b->mem);
        free(b);
        b = next;
    }
}

void nn_graph_free(NNGraph **g)
{
    if (!g || !*g)
        return;
    free_blocks((*g)->blocks);
    free((*g)->temp);
    free(*g);
    *g = NULL;
}

static Block *new_block(size_t size)
{
    Block *b = calloc(1, sizeof(*b));
    void *mem = NULL;
    if (!b || posix_memalign(&mem, NN_ALIGN, size)) {
        free(b);
        return NULL;
    }
    b->mem = mem;
    b->size = size;
    return b;
}

void nn_graph_reset(NNGraph *g)
{
    if (!g)
        return;
    if (g->blocks && g->blocks->next) {
        /* the pass needed several blocks: replace them by one that holds it all */
        size_t total = g->total;
        free_blocks(g->blocks);
        g->blocks = new_block(total);
        g->total = g->blocks ? total : 0;
    }
    if (g->blocks)
        g->blocks->used = 0;
    g->last = NULL;
    g->error = 0;
}

void nn_graph_set_grad(NNGraph *g, int enabled)
{
    g->grad = enabled != 0;
}

int nn_graph_grad_enabled(const NNGraph *g)
{
    return g->grad;
}

void nn_graph_set_deterministic(NNGraph *g, int enabled)
{
    g->det = enabled != 0;
}

int nn_graph_deterministic(const NNGraph *g)
{
    return g->det;
}

int nn_graph_error(const NNGraph *g)
{
    return g ? g->error : NC_EINVAL;
}

NNTensor *nn_graph_fail(NNGraph *g, int err, const char *op, const char *msg)
{
    if (!g->error) {
        g->error = err;
        nc_log(NULL, NC_LOG_ERROR, "nn: %s: %s", op, msg);
    }
    return NULL;
}

size_t nn_graph_memory(const NNGraph *g)
{
    return g->total;
}

void *nn_graph_scratch(NNGraph *g, size_t bytes)
{
    bytes = (bytes + NN_ALIGN - 1) & ~(size_t)(NN_ALIGN - 1);
    Block *b = g->blocks;
    if (!b || b->size - b->used < bytes) {
        size_t size = bytes > NN_MIN_BLOCK ? bytes : NN_MIN_BLOCK;
        if (size < g->total)
            size = g->total; /* grow geometrically */
        Block *nb = new_block(size);
        if (!nb) {
            nn_graph_fail(g, NC_ENOMEM, "arena", "out of memory");
            return NULL;
        }
        nb->next = b;
        g->blocks = b = nb;
        g->total += size;
    }
    void *p = b->mem + b->used;
    b->used += bytes;
    return p;
}

void *nn_graph_temp(NNGraph *g, size_t bytes)
{
    if (bytes > g->temp_size) {
        void *p = NULL;
        free(g->temp);
        g->temp = NULL;
        g->temp_size = 0;
        if (posix_memalign(&p, NN_ALIGN, bytes)) {
            nn_graph_fail(g, NC_ENOMEM, "arena", "out of memory");
            return NULL;
        }
        g->temp = p;
        g->temp_size = bytes;
    }
    return g->temp;
}

int64_t nn_inner_size(const NNTensor *x, int from)
{
    int64_t n = 1;
    for (int d = from; d < x->ndim; d++)
        n *= x->shape[d];
    return n;
}

int nn_same_shape(const NNTensor *a, const NNTensor *b)
{
    if (a->ndim != b->ndim)
        return 0;
    for (int d = 0; d < a->ndim; d++)
        if (a->shape[d] != b->shape[d])
            return 0;
    return 1;
}

static NNTensor *tensor_header(NNGraph *g, int ndim, const int *shape)
{
    if (ndim < 0 || ndim > NN_MAX_DIMS)
        return nn_graph_fail(g, NC_EINVAL, "tensor", "too many dimensions");
    int64_t numel = 1;
    for (int d = 0; d < ndim; d++) {
        if (shape[d] < 1)
            return nn_graph_fail(g, NC_EINVAL, "tensor", "empty dimension");
        numel *= shape[d];
        if (numel > ((int64_t)1 << 34))
            return nn_graph_fail(g, NC_ERANGE, "tensor", "too large");
    }
    NNTensor *t = nn_graph_scratch(g, sizeof(NNTensor));
    if (!t)
        return NULL;
    memset(t, 0, sizeof(*t));
    t->ndim = ndim;
    memcpy(t->shape, shape, sizeof(int) * (size_t)ndim);
    t->numel = numel;
    return t;
}

NNTensor *nn_tensor(NNGraph *g, int ndim, const int *shape)
{
    NNTensor *t = tensor_header(g, ndim, shape);
    if (!t)
        return NULL;
    t->data = nn_graph_scratch(g, sizeof(float) * (size_t)t->numel);
    return t->data ? t : NULL;
}

NNTensor *nn_zeros(NNGraph *g, int ndim, const int *shape)
{
    NNTensor *t = nn_tensor(g, ndim, shape);
    if (t)
        memset(t->data, 0, sizeof(float) * (size_t)t->numel);
    return t;
}

NNTensor *nn_tensor_from(NNGraph *g, int ndim, const int *shape, const float *data)
{
    NNTensor *t = nn_tensor(g, ndim, shape);
    if (t)
        memcpy(t->data, data, sizeof(float) * (size_t)t->numel);
    return t;
}

NNTensor *nn_tensor2(NNGraph *g, int a, int b)
{
    return nn_tensor(g, 2, (const int[]){a, b});
}

NNTensor *nn_tensor3(NNGraph *g, int a, int b, int c)
{
    return nn_tensor(g, 3, (const int[]){a, b, c});
}

NNTensor *nn_tensor4(NNGraph *g, int a, int b, int c, int d)
{
    return nn_tensor(g, 4, (const int[]){a, b, c, d});
}

float *nn_grad(NNGraph *g, NNTensor *x)
{
    if (!x->grad) {
        x->grad = nn_graph_scratch(g, sizeof(float) * (size_t)x->numel);
        if (x->grad)
            memset(x->grad, 0, sizeof(float) * (size_t)x->numel);
    }
    return x->grad;
}

NNTensor *nn_reshape(NNGraph *g, NNTensor *x, int ndim, const int *shape)
{
    if (!x)
        return NULL;
    NNTensor *t = tensor_header(g, ndim, shape);
    if (!t)
        return NULL;
    if (t->numel != x->numel)
        return nn_graph_fail(g, NC_EINVAL, "reshape", "sizes differ");
    t->data = x->data;
    if (x->requires_grad && g->grad) {
        /* the view shares the gradient buffer, so no node is needed */
        t->grad = nn_grad(g, x);
        t->requires_grad = 1;
    }
    return t;
}

NNNode *nn_record(NNGraph *g, NNTensor *out, void (*backward)(NNGraph *, NNNode *),
                  NNTensor *const *in, int n)
{
    if (!g->grad)
        return NULL;
    int any = 0;
    for (int i = 0; i < n; i++)
        any |= in[i] && in[i]->requires_grad;
    if (!any)
        return NULL;
    NNNode *node = nn_graph_scratch(g, sizeof(NNNode));
    if (!node)
        return NULL;
    memset(node, 0, sizeof(*node));
    node->backward = backward;
    node->out = out;
    for (int i = 0; i < n; i++)
        node->in[i] = in[i];
    node->prev = g->last;
    g->last = node;
    out->requires_grad = 1;
    return node;
}

int nn_backward(NNGraph *g, NNTensor *loss)
{
    if (!g || !loss)
        return g && g->error ? g->error : NC_EINVAL;
    if (g->error)
        return g->error;
    if (loss->numel != 1 || !loss->requires_grad) {
        nn_graph_fail(g, NC_EINVAL, "backward", "loss must be one element that needs grad");
        return g->error;
    }
    float *seed = nn_grad(g, loss);
    if (!seed)
        return g->error;
    seed[0] = 1.0f;
    for (NNNode *n = g->last; n; n = n->prev)
        if (n->out->grad) /* nothing downstream used this output: skip */
            n->backward(g, n);
    return g->error;
}
