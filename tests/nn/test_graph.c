/* The graph's contract: errors stick and propagate through NULL, inference
 * records nothing, views share gradients, the arena is reused. */
#include <string.h>

#include "libnc/nn/ops.h"
#include "nc/error.h"
#include "nc/log.h"
#include "tests/test.h"

int main(void)
{
    nc_log_set_level(NC_LOG_QUIET);
    NNGraph *g = nn_graph_alloc();
    CHECK(g != NULL);

    /* a shape error: NULL, the error kept, and NULL flowing through later ops */
    NNTensor *x = nn_zeros(g, 3, (const int[]){2, 3, 8});
    NNTensor *w = nn_zeros(g, 3, (const int[]){4, 5, 3}); /* wants 5 input channels */
    NNTensor *y = nn_conv1d(g, x, w, NULL, nn_conv1d_params(1, 1, 1, 1, 3));
    CHECK(y == NULL && nn_graph_error(g) == NC_EINVAL);
    CHECK(nn_relu(g, y) == NULL && nn_mean(g, nn_relu(g, y)) == NULL);
    CHECK(nn_backward(g, NULL) == NC_EINVAL);
    CHECK(nn_add(g, x, nn_zeros(g, 2, (const int[]){6, 8})) == NULL);
    CHECK(nn_slice(g, x, 2, 6, 3) == NULL && nn_slice(g, x, 3, 0, 1) == NULL);
    CHECK(nn_pixel_shuffle(g, nn_zeros(g, 4, (const int[]){1, 3, 2, 2}), 2) == NULL);
    CHECK(nn_tensor(g, 5, (const int[]){1, 1, 1, 1, 1}) == NULL);
    CHECK(nn_tensor(g, 1, (const int[]){0}) == NULL);
    int bad_idx[2] = {0, 9};
    CHECK(nn_embedding(g, nn_zeros(g, 2, (const int[]){4, 2}), bad_idx, 2) == NULL);
    /* reset clears the error */
    nn_graph_reset(g);
    CHECK(nn_graph_error(g) == 0);

    /* the loss must be one element that needs a gradient */
    x = nn_tensor_from(g, 1, (const int[]){3}, (const float[]){1, 2, 3});
    x->requires_grad = 1;
    NNTensor *sq = nn_mul(g, x, x);
    CHECK(nn_backward(g, sq) == NC_EINVAL);
    nn_graph_reset(g);

    /* reshape views share the gradient with their source */
    x = nn_tensor_from(g, 2, (const int[]){2, 3}, (const float[]){1, 2, 3, 4, 5, 6});
    x->requires_grad = 1;
    NNTensor *v = nn_reshape(g, x, 1, (const int[]){6});
    CHECK(v && v->data == x->data);
    NNTensor *loss = nn_sum(g, nn_mul(g, v, v));
    CHECK(nn_backward(g, loss) == 0);
    for (int i = 0; i < 6; i++)
        CHECK(x->grad[i] == 2.0f * (float)(i + 1));
    CHECK(nn_reshape(g, x, 1, (const int[]){5}) == NULL);
    nn_graph_reset(g);

    /* inference: nothing recorded, no gradients, backward refuses */
    nn_graph_set_grad(g, 0);
    x = nn_tensor_from(g, 1, (const int[]){2}, (const float[]){1, 2});
    x->requires_grad = 1;
    y = nn_sum(g, nn_tanh(g, x));
    CHECK(y && !y->requires_grad && x->grad == NULL);
    CHECK(nn_backward(g, y) == NC_EINVAL);

    /* the arena: the same pass again allocates nothing new */
    size_t before = 0;
    for (int pass = 0; pass < 3; pass++) {
        nn_graph_reset(g);
        NNTensor *big = nn_zeros(g, 2, (const int[]){512, 1024});
        CHECK(nn_gelu(g, big) != NULL);
        if (pass == 1)
            before = nn_graph_memory(g);
    }
    CHECK(nn_graph_memory(g) == before);
    nn_graph_free(&g);
    nn_graph_free(&g); /* NULL is fine */
    if (!test_failures)
        printf("graph: errors, views, inference mode and arena reuse behave\n");
    return test_result("graph");
}
