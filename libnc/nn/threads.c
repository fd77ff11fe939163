/* Thread count of OpenBLAS, the only multi-threaded part of libnc/nn. */
#include <cblas.h>

#include "libnc/nn/ops.h"

void nn_set_threads(int threads)
{
    if (threads > 0)
        openblas_set_num_threads(threads);
}
