/* A fixed set of worker threads, made once (at a codec's open) and reused for
 * every batch of work, instead of creating and joining threads per packet. */
#ifndef NC_THREAD_POOL_H
#define NC_THREAD_POOL_H

typedef struct NCIPool NCIPool;

/* Starts threads - 1 workers (the caller is the other one). A worker that cannot
 * be started is left out: nci_pool_threads() says how many there are. NULL pool
 * and NC_ENOMEM when even the pool cannot be allocated. */
int nci_pool_alloc(NCIPool **pool, int threads);
/* Workers plus the caller: 1 for a NULL pool. */
int nci_pool_threads(const NCIPool *pool);
/* Runs fn(arg, job, worker) for job 0 .. jobs-1 and returns when all are done.
 * Each thread takes the next job not yet taken until none is left (worker 0: the
 * calling thread), so more jobs than threads share the threads instead of queuing
 * on the caller; which worker runs a job is not fixed. worker indexes per-worker
 * scratch space. */
void nci_pool_run(NCIPool *pool, int jobs, void (*fn)(void *arg, int job, int worker),
                  void *arg);
/* Stops and joins the workers, frees *pool (which may be NULL), sets it to NULL. */
void nci_pool_free(NCIPool **pool);

#endif
