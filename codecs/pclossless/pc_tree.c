/* Rooted trees over the variables of a patch and their depth-first pre-order. */
#include <stdlib.h>
#include <string.h>

#include "codecs/pclossless/hclt.h"
#include "nc/error.h"

void pc_tree_free(PCTree *t)
{
    free(t->parent);
    free(t->order);
    free(t->child_start);
    free(t->children);
    memset(t, 0, sizeof(*t));
}

int pc_tree_init(PCTree *t, int nvars, const int *parent)
{
    memset(t, 0, sizeof(*t));
    if (nvars < 1 || nvars > PC_MAX_VARS) return NC_EINVALIDDATA;
    t->nvars = nvars;
    t->root = -1;
    t->parent = malloc(sizeof(int) * (size_t)nvars);
    t->order = malloc(sizeof(int) * (size_t)nvars);
    t->child_start = calloc((size_t)nvars + 1, sizeof(int));
    t->children = malloc(sizeof(int) * (size_t)nvars);
    int *fill = calloc((size_t)nvars, sizeof(int));
    int ret = NC_ENOMEM;
    if (!t->parent || !t->order || !t->child_start || !t->children || !fill) goto fail;
    ret = NC_EINVALIDDATA;
    for (int v = 0; v < nvars; v++) {
        int p = parent[v];
        t->parent[v] = p;
        if (p == -1) {
            if (t->root >= 0) goto fail; /* two roots */
            t->root = v;
        } else if (p < 0 || p >= nvars || p == v) {
            goto fail;
        } else {
            t->child_start[p + 1]++;
        }
    }
    if (t->root < 0) goto fail;
    for (int v = 0; v < nvars; v++) t->child_start[v + 1] += t->child_start[v];
    for (int v = 0; v < nvars; v++) {
        int p = parent[v];
        if (p >= 0) t->children[t->child_start[p] + fill[p]++] = v;
    }
    /* Pre-order with an explicit stack (order[] doubles as the output); children
     * are pushed in reverse so that they are visited in ascending order. A cycle
     * leaves nodes unreached, which the count catches. */
    int *stack = fill; /* reuse: at most nvars entries */
    int sp = 0, n = 0;
    stack[sp++] = t->root;
    while (sp > 0) {
        int v = stack[--sp];
        if (n >= nvars) goto fail;
        t->order[n++] = v;
        for (int i = t->child_start[v + 1] - 1; i >= t->child_start[v]; i--)
            stack[sp++] = t->children[i];
    }
    if (n != nvars) goto fail;
    free(fill);
    return 0;
fail:
    free(fill);
    pc_tree_free(t);
    return ret;
}
