/* Forward and backward of every op case against PyTorch: ref/ops.txt holds
 * inputs, output weights, outputs and input gradients computed by
 * scripts/torch-reference.py (in double). Usage: test_torch_ref ref/ops.txt */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nc/log.h"
#include "tests/nn/case_runner.h"
#include "tests/test.h"

typedef struct RefCase {
    char name[64];
    float *in[CASE_MAX_IN], *grad[CASE_MAX_IN], *weights, *out;
    int64_t n_in[CASE_MAX_IN], n_grad[CASE_MAX_IN], n_weights, n_out;
} RefCase;

/* Reads "count v1 v2 ..." into a new array. */
static float *read_values(FILE *f, int64_t *count)
{
    long long n;
    if (fscanf(f, "%lld", &n) != 1 || n < 1 || n > (1 << 20))
        return NULL;
    float *v = malloc(sizeof(float) * (size_t)n);
    for (long long i = 0; v && i < n; i++)
        if (fscanf(f, "%f", &v[i]) != 1) {
            free(v);
            return NULL;
        }
    *count = n;
    return v;
}

static int compare(const char *what, const char *name, const float *got, const float *want,
                   int64_t n)
{
    int bad = 0;
    for (int64_t i = 0; i < n; i++)
        if (!(fabsf(got[i] - want[i]) <= 1e-4f + 1e-3f * fabsf(want[i]))) {
            if (bad++ < 3)
                fprintf(stderr, "%s %s[%lld]: libnc %.7g, torch %.7g\n", name, what,
                        (long long)i, got[i], want[i]);
        }
    return bad;
}

static void check_case(NNGraph *g, const RefCase *rc)
{
    const OpCase *c = op_case_find(rc->name);
    CHECK(c != NULL);
    if (!c)
        return;
    CaseRun r;
    memset(&r, 0, sizeof(r));
    for (int i = 0; i < c->n_in; i++) {
        CHECK(rc->in[i] && rc->n_in[i] == case_in_numel(c, i));
        if (!rc->in[i] || rc->n_in[i] != case_in_numel(c, i))
            return;
        r.in[i] = rc->in[i];
        r.grad[i] = calloc((size_t)rc->n_in[i], sizeof(float));
    }
    r.weights = rc->weights;
    r.out = calloc((size_t)rc->n_out, sizeof(float));
    CHECK(case_run(g, c, &r, 1) == 0);
    CHECK(r.out_numel == rc->n_out && r.out_numel == rc->n_weights);
    int bad = 0;
    if (r.out_numel == rc->n_out)
        bad += compare("output", rc->name, r.out, rc->out, rc->n_out);
    for (int i = 0; i < c->n_in; i++)
        if (rc->grad[i])
            bad += compare(i ? "grad of input 1+" : "grad of input 0", rc->name, r.grad[i],
                           rc->grad[i], rc->n_grad[i]);
    CHECK(bad == 0);
    for (int i = 0; i < c->n_in; i++)
        free(r.grad[i]);
    free(r.out);
}

static void free_case(RefCase *rc)
{
    for (int i = 0; i < CASE_MAX_IN; i++) {
        free(rc->in[i]);
        free(rc->grad[i]);
    }
    free(rc->weights);
    free(rc->out);
    memset(rc, 0, sizeof(*rc));
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s ops.txt\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", argv[1]);
        return 1;
    }
    NNGraph *g = nn_graph_alloc();
    RefCase rc;
    memset(&rc, 0, sizeof(rc));
    char word[64];
    int cases = 0, i;
    while (fscanf(f, "%63s", word) == 1) {
        if (word[0] == '#') {
            int ch;
            while ((ch = fgetc(f)) != '\n' && ch != EOF)
                ;
        } else if (!strcmp(word, "case")) {
            CHECK(fscanf(f, "%63s", rc.name) == 1);
        } else if (!strcmp(word, "input") && fscanf(f, "%d", &i) == 1 && i >= 0 &&
                   i < CASE_MAX_IN) {
            rc.in[i] = read_values(f, &rc.n_in[i]);
        } else if (!strcmp(word, "grad") && fscanf(f, "%d", &i) == 1 && i >= 0 &&
                   i < CASE_MAX_IN) {
            rc.grad[i] = read_values(f, &rc.n_grad[i]);
        } else if (!strcmp(word, "weights")) {
            rc.weights = read_values(f, &rc.n_weights);
        } else if (!strcmp(word, "output")) {
            rc.out = read_values(f, &rc.n_out);
        } else if (!strcmp(word, "end")) {
            check_case(g, &rc);
            free_case(&rc);
            cases++;
        } else {
            CHECK(!"unexpected word in the reference file");
            break;
        }
    }
    fclose(f);
    nn_graph_free(&g);
    op_cases_cleanup();
    /* every case in op_cases.c must have a reference */
    CHECK(cases == op_case_count);
    if (!test_failures)
        printf("torch reference: %d op cases match forward and backward\n", cases);
    return test_result("torch_ref");
}
