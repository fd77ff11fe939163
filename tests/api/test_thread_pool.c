/* libnc/thread_pool: every job runs once per batch, on a worker index below the
 * thread count; jobs past the thread count are shared by the workers, not left to
 * the calling thread; the pool is reused batch after batch (and works as a NULL
 * pool). */
#include <stdatomic.h>
#include <time.h>

#include "libnc/thread_pool.h"
#include "tests/test.h"

enum { MAX_JOBS = 64 };

typedef struct Batch {
    atomic_int runs[MAX_JOBS];
    atomic_int bad_worker;
    atomic_int on_worker[8]; /* jobs each worker ran */
    atomic_int late_on_worker; /* jobs past the thread count that a worker (not the caller) ran */
    int threads;
} Batch;

static void job(void *arg, int j, int worker)
{
    Batch *b = arg;
    if (j < 0 || j >= MAX_JOBS || worker < 0 || worker >= b->threads || worker >= 8) {
        atomic_fetch_add(&b->bad_worker, 1);
        return;
    }
    atomic_fetch_add(&b->runs[j], 1);
    atomic_fetch_add(&b->on_worker[worker], 1);
    if (j >= b->threads && worker != 0) atomic_fetch_add(&b->late_on_worker, 1);
    struct timespec t = {0, 2000000}; /* 2 ms: long enough that the workers take some */
    nanosleep(&t, NULL);
}

/* Runs a batch of jobs; *late: how many past the thread count a worker ran. */
static void run_batch(NCIPool *pool, int jobs, int *late)
{
    static Batch b; /* zeroed per batch below */
    for (int j = 0; j < MAX_JOBS; j++) atomic_store(&b.runs[j], 0);
    for (int w = 0; w < 8; w++) atomic_store(&b.on_worker[w], 0);
    atomic_store(&b.bad_worker, 0);
    atomic_store(&b.late_on_worker, 0);
    b.threads = nci_pool_threads(pool);
    nci_pool_run(pool, jobs, job, &b);
    for (int j = 0; j < MAX_JOBS; j++) CHECK_EQ(atomic_load(&b.runs[j]), j < jobs ? 1 : 0);
    CHECK_EQ(atomic_load(&b.bad_worker), 0);
    *late = atomic_load(&b.late_on_worker);
}

int main(void)
{
    int late;
    run_batch(NULL, 5, &late); /* a NULL pool: the caller alone */
    CHECK_EQ(late, 0);
    NCIPool *pool = NULL;
    CHECK_EQ(nci_pool_alloc(&pool, 3), 0);
    CHECK_EQ(nci_pool_threads(pool), 3);
    int shared = 0;
    for (int round = 0; round < 20; round++) {
        const int jobs = round % 5 == 0 ? 0 : round % 5 == 1 ? 1 : 3 + round; /* 0, 1, and more than threads */
        run_batch(pool, jobs, &late);
        shared += late > 0;
    }
    /* 6 to 22 jobs of 2 ms on 3 threads, 12 batches: a worker that finishes its first
     * job takes another while the caller is still on its second, unless it woke
     * more than a few ms late in every batch (the pool used to run every job past
     * the thread count on the caller: 0 here) */
    CHECK(shared > 0);
    nci_pool_free(&pool);
    CHECK(pool == NULL);
    return test_result("thread_pool");
}
