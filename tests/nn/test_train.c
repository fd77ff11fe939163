/* Training: optimizers against PyTorch (ref/optim.txt), schedules, clipping,
 * a small conv net that must learn a teacher net's mapping within seconds, and
 * checkpoint resume giving exactly the same parameters as an uninterrupted run.
 * Usage: test_train ref/optim.txt */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libnc/nn/ops.h"
#include "libnc/nn/optim.h"
#include "nc/error.h"
#include "nc/log.h"
#include "tests/test.h"

static int read_row(FILE *f, const char *want, float *v)
{
    char word[32];
    int n;
    if (fscanf(f, "%31s %d", word, &n) != 2 || strcmp(word, want) || n != 7)
        return 0;
    for (int i = 0; i < 7; i++)
        if (fscanf(f, "%f", &v[i]) != 1)
            return 0;
    return 1;
}

static void test_optimizers(const char *path)
{
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    if (!f)
        return;
    float start[7], grads[6][7], want[7];
    CHECK(read_row(f, "start", start));
    for (int s = 0; s < 6; s++)
        CHECK(read_row(f, "grad", grads[s]));
    const char *names[4] = {"sgd", "sgd_momentum", "adam", "adamw"};
    for (int k = 0; k < 4; k++) {
        CHECK(read_row(f, names[k], want));
        NNParams *ps = nn_params_alloc();
        NNTensor *p = nn_param(ps, "p", 1, (const int[]){7}, 0);
        memcpy(p->data, start, sizeof(start));
        NNOptim o;
        nn_optim_init(&o, k < 2 ? NN_SGD : k == 2 ? NN_ADAM : NN_ADAMW);
        o.momentum = k == 1 ? 0.9f : 0.0f;
        o.groups[0].weight_decay = k == 0 ? 0.0f : k == 1 ? 0.01f : 0.1f;
        for (int s = 0; s < 6; s++) {
            memcpy(p->grad, grads[s], sizeof(grads[s]));
            CHECK(nn_optim_step(&o, ps, k < 2 ? 0.1f : 0.01f) == 0);
        }
        for (int i = 0; i < 7; i++)
            if (!(fabsf(p->data[i] - want[i]) < 1e-5f)) {
                fprintf(stderr, "%s[%d]: %.7g vs torch %.7g\n", names[k], i, p->data[i], want[i]);
                CHECK(!"optimizer differs from PyTorch");
            }
        nn_params_free(&ps);
    }
    fclose(f);
}

static void test_schedule_and_clip(void)
{
    NNSchedule s = {NN_LR_COSINE, 1.0f, 10, 110, 0.1f, 0, 0};
    CHECK(fabsf(nn_schedule_lr(&s, 0) - 0.1f) < 1e-6f);  /* warm-up: 1/10 */
    CHECK(fabsf(nn_schedule_lr(&s, 10) - 1.0f) < 1e-6f); /* peak */
    CHECK(fabsf(nn_schedule_lr(&s, 60) - 0.55f) < 1e-6f); /* half way */
    CHECK(fabsf(nn_schedule_lr(&s, 500) - 0.1f) < 1e-6f);
    NNSchedule st = {NN_LR_STEP, 1.0f, 0, 0, 0, 5, 0.5f};
    CHECK(nn_schedule_lr(&st, 4) == 1.0f && nn_schedule_lr(&st, 12) == 0.25f);
    NNParams *ps = nn_params_alloc();
    NNTensor *a = nn_param(ps, "a", 1, (const int[]){2}, 0);
    NNTensor *b = nn_param(ps, "b", 1, (const int[]){1}, 1);
    a->grad[0] = 3, a->grad[1] = 0, b->grad[0] = 4;
    CHECK(fabsf(nn_clip_grad_norm(ps, 1.0f) - 5.0f) < 1e-6f);
    CHECK(fabsf(a->grad[0] - 0.6f) < 1e-5f && fabsf(b->grad[0] - 0.8f) < 1e-5f);
    /* parameter groups: group 1 frozen by a zero learning-rate scale */
    NNOptim o;
    nn_optim_init(&o, NN_SGD);
    o.groups[1].lr_scale = 0;
    CHECK(nn_optim_step(&o, ps, 1.0f) == 0);
    CHECK(a->data[0] != 0 && b->data[0] == 0 && a->grad[0] == 0);
    CHECK(nn_param(ps, "a", 1, (const int[]){2}, 0) == NULL); /* duplicate name */
    nn_params_free(&ps);
}

/* Weight averaging: a clone holds the same values, and averaging against a set
 * that moved mixes the two by the decay; a set of another layout is refused. */
static void test_average(void)
{
    NNParams *ps = nn_params_alloc();
    NNTensor *a = nn_param(ps, "a", 2, (const int[]){2, 3}, 1);
    for (int i = 0; i < 6; i++) a->data[i] = (float)i;
    NNParams *avg = nn_params_clone(ps);
    CHECK(avg && avg->count == 1 && avg->items[0]->group == 1);
    CHECK(avg && !memcmp(avg->items[0]->t.data, a->data, sizeof(float) * 6));
    for (int i = 0; i < 6; i++) a->data[i] += 10.0f;
    CHECK(nn_params_average(avg, ps, 0.75f) == 0);
    for (int i = 0; i < 6 && avg; i++)
        CHECK(fabsf(avg->items[0]->t.data[i] - ((float)i + 2.5f)) < 1e-6f);
    CHECK(nn_param(ps, "b", 1, (const int[]){1}, 0) != NULL);
    CHECK(nn_params_average(avg, ps, 0.75f) == NC_EINVAL);
    nn_params_free(&avg);
    nn_params_free(&ps);
}

/* A two-layer conv net: conv1d(1->8, k5) -> tanh -> conv1d(8->1, k5). */
typedef struct Net {
    NNTensor *w1, *b1, *w2, *b2;
} Net;

static void net_init(Net *n, NNParams *ps, NNRng *r, int ch)
{
    n->w1 = nn_param(ps, "c1.weight", 3, (const int[]){ch, 1, 5}, 0);
    n->b1 = nn_param(ps, "c1.bias", 1, (const int[]){ch}, 0);
    n->w2 = nn_param(ps, "c2.weight", 3, (const int[]){1, ch, 5}, 0);
    n->b2 = nn_param(ps, "c2.bias", 1, (const int[]){1}, 0);
    nn_init_default(n->w1, r);
    nn_init_default(n->w2, r);
}

static NNTensor *net_forward(NNGraph *g, const Net *n, NNTensor *x)
{
    NNTensor *h = nn_tanh(g, nn_conv1d(g, x, n->w1, n->b1, nn_conv1d_params(1, 2, 1, 1, 5)));
    return nn_conv1d(g, h, n->w2, n->b2, nn_conv1d_params(1, 2, 1, 1, 5));
}

/* One step on a fresh random batch drawn from rng; returns the loss. */
static float train_step(NNGraph *g, const Net *student, const Net *teacher, NNParams *ps,
                        NNOptim *o, NNRng *rng)
{
    nn_graph_reset(g);
    NNTensor *x = nn_tensor3(g, 4, 1, 64);
    for (int64_t i = 0; i < x->numel; i++)
        x->data[i] = nn_rng_normal(rng);
    nn_graph_set_grad(g, 0);
    NNTensor *target = net_forward(g, teacher, x);
    nn_graph_set_grad(g, 1);
    NNTensor *loss = nn_mse_loss(g, net_forward(g, student, x), target);
    CHECK(nn_backward(g, loss) == 0);
    CHECK(nn_optim_step(o, ps, 0.01f) == 0);
    return loss ? loss->data[0] : INFINITY;
}

static void test_training(void)
{
    NNRng rng;
    nn_rng_seed(&rng, 7);
    NNParams *tp = nn_params_alloc(), *sp = nn_params_alloc();
    Net teacher, student;
    net_init(&teacher, tp, &rng, 4);
    net_init(&student, sp, &rng, 8);
    NNGraph *g = nn_graph_alloc();
    NNOptim o;
    nn_optim_init(&o, NN_ADAM);
    float first = 0, last = 0;
    for (int s = 0; s < 600; s++) {
        float l = train_step(g, &student, &teacher, sp, &o, &rng);
        if (s == 0)
            first = l;
        last = l;
    }
    printf("training: mse %.3g -> %.3g in 600 Adam steps\n", first, last);
    CHECK(last < first / 50);
    /* the arena settles: a step allocates nothing new once it has run */
    size_t mem = nn_graph_memory(g);
    train_step(g, &student, &teacher, sp, &o, &rng);
    CHECK(nn_graph_memory(g) == mem);

    /* resume: 10 steps, checkpoint, 10 more == load the checkpoint, 10 more */
    char path[] = "/tmp/nc-nn-ckptXXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    uint64_t user[1] = {rng.state};
    CHECK(nn_checkpoint_save(path, "test-net", sp, &o, user, 1) == 0);
    for (int s = 0; s < 10; s++)
        train_step(g, &student, &teacher, sp, &o, &rng);
    NNParams *rp = nn_params_alloc();
    Net resumed;
    NNRng r2;
    nn_rng_seed(&r2, 99);
    net_init(&resumed, rp, &r2, 8);
    NNOptim o2;
    nn_optim_init(&o2, NN_ADAM);
    uint64_t user2[1] = {0};
    CHECK(nn_checkpoint_load(path, "test-net", rp, &o2, user2, 1) == 0);
    CHECK(o2.step == o.step - 10 && user2[0] == user[0]);
    CHECK(nn_checkpoint_load(path, "other-net", rp, &o2, user2, 1) == NC_EMODEL);
    r2.state = user2[0];
    for (int s = 0; s < 10; s++)
        train_step(g, &resumed, &teacher, rp, &o2, &r2);
    CHECK(!memcmp(resumed.w1->data, student.w1->data, sizeof(float) * (size_t)student.w1->numel));
    CHECK(!memcmp(resumed.w2->data, student.w2->data, sizeof(float) * (size_t)student.w2->numel));
    remove(path);
    nn_params_free(&rp);
    nn_params_free(&tp);
    nn_params_free(&sp);
    nn_graph_free(&g);
}

int main(int argc, char **argv)
{
    nc_log_set_level(NC_LOG_QUIET);
    if (argc != 2) {
        fprintf(stderr, "usage: %s optim.txt\n", argv[0]);
        return 2;
    }
    test_optimizers(argv[1]);
    test_schedule_and_clip();
    test_average();
    test_training();
    return test_result("train");
}
