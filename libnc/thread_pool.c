#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "libnc/thread_pool.h"
#include "nc/error.h"

#define MAX_WORKERS 64

struct NCIPool {
    pthread_mutex_t lock;
    pthread_cond_t start, done;
    unsigned generation; /* bumped for each batch */
    int pending;         /* workers still busy with the current batch */
    int quit;
    void (*fn)(void *arg, int job, int worker);
    void *arg;
    int jobs;
    atomic_int next; /* the batch's next job not yet taken */
    int nworkers;
    pthread_t tid[MAX_WORKERS];
    struct Worker {
        NCIPool *pool;
        int index;
    } workers[MAX_WORKERS];
};

/* Takes the batch's jobs one at a time until none is left, on worker `worker`. */
static void run_jobs(NCIPool *p, void (*fn)(void *, int, int), void *arg, int jobs, int worker)
{
    for (int j; (j = atomic_fetch_add(&p->next, 1)) < jobs;) fn(arg, j, worker);
}

static void *worker_main(void *opaque)
{
    struct Worker *w = opaque;
    NCIPool *p = w->pool;
    pthread_mutex_lock(&p->lock);
    unsigned seen = 0; /* batches start at generation 1, even one made before this thread ran */
    for (;;) {
        while (!p->quit && p->generation == seen) pthread_cond_wait(&p->start, &p->lock);
        if (p->quit) break;
        seen = p->generation;
        void (*fn)(void *, int, int) = p->fn;
        void *arg = p->arg;
        int jobs = p->jobs;
        pthread_mutex_unlock(&p->lock);
        run_jobs(p, fn, arg, jobs, w->index);
        pthread_mutex_lock(&p->lock);
        if (--p->pending == 0) pthread_cond_signal(&p->done);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

int nci_pool_alloc(NCIPool **pool, int threads)
{
    NCIPool *p = calloc(1, sizeof(*p));
    *pool = p;
    if (!p) return NC_ENOMEM;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->start, NULL);
    pthread_cond_init(&p->done, NULL);
    for (int i = 1; i < threads && p->nworkers < MAX_WORKERS; i++) {
        struct Worker *w = &p->workers[p->nworkers];
        *w = (struct Worker){p, i};
        if (pthread_create(&p->tid[p->nworkers], NULL, worker_main, w)) break;
        p->nworkers++;
    }
    return 0;
}

int nci_pool_threads(const NCIPool *pool)
{
    return pool ? pool->nworkers + 1 : 1;
}

void nci_pool_run(NCIPool *pool, int jobs, void (*fn)(void *arg, int job, int worker),
                  void *arg)
{
    int busy = pool && jobs > 1 ? pool->nworkers : 0;
    if (!busy) {
        for (int j = 0; j < jobs; j++) fn(arg, j, 0);
        return;
    }
    pthread_mutex_lock(&pool->lock);
    pool->fn = fn;
    pool->arg = arg;
    pool->jobs = jobs;
    atomic_store(&pool->next, 0);
    pool->pending = busy;
    pool->generation++;
    pthread_cond_broadcast(&pool->start);
    pthread_mutex_unlock(&pool->lock);
    run_jobs(pool, fn, arg, jobs, 0);
    pthread_mutex_lock(&pool->lock);
    while (pool->pending) pthread_cond_wait(&pool->done, &pool->lock);
    pthread_mutex_unlock(&pool->lock);
}

void nci_pool_free(NCIPool **pool)
{
    NCIPool *p = *pool;
    if (!p) return;
    pthread_mutex_lock(&p->lock);
    p->quit = 1;
    pthread_cond_broadcast(&p->start);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->nworkers; i++) pthread_join(p->tid[i], NULL);
    pthread_cond_destroy(&p->start);
    pthread_cond_destroy(&p->done);
    pthread_mutex_destroy(&p->lock);
    free(p);
    *pool = NULL;
}
