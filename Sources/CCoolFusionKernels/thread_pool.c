// A fixed pool of worker threads for splitting matrix products, made once and reused.
//
// Workers spin for a short while after finishing a job (a decode step issues many small
// matmuls back to back, and waking a sleeping thread costs tens of microseconds), then sleep on
// a condition variable. Callers are serialized by a mutex, so several models running at once
// share the cores instead of oversubscribing them. No allocation happens per job.
#define _GNU_SOURCE
#include "cf_kernels.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sched.h>
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define cf_cpu_relax() _mm_pause()
#else
#define cf_cpu_relax() ((void)0)
#endif

struct cf_pool {
    int threads;                       // workers + the calling thread
    pthread_t *workers;                // threads - 1 of them
    pthread_mutex_t call_lock;         // one job at a time
    pthread_mutex_t sleep_lock;
    pthread_cond_t wake;
    _Atomic int sleeping;              // workers blocked (or about to block) on `wake`
    _Atomic uint64_t generation;       // bumped to publish a new job
    _Atomic int stop;
    _Atomic int spin_us;
    // The current job, written before `generation` is bumped.
    cf_task_fn fn;
    void *context;
    int64_t count, chunk;
    _Atomic int64_t next;              // next unclaimed task index
    _Atomic int unfinished;            // workers still inside the current job
};

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void run_chunks(cf_pool *pool) {
    for (;;) {
        const int64_t begin = atomic_fetch_add_explicit(&pool->next, pool->chunk, memory_order_relaxed);
        if (begin >= pool->count) break;
        const int64_t end = begin + pool->chunk < pool->count ? begin + pool->chunk : pool->count;
        pool->fn(pool->context, begin, end);
    }
}

static void *worker_main(void *arg) {
    cf_pool *pool = arg;
    uint64_t seen = 0;
    for (;;) {
        // Spin, then sleep, until a new generation (job) or stop.
        uint64_t gen = atomic_load(&pool->generation);
        if (gen == seen && !atomic_load(&pool->stop)) {
            const uint64_t deadline = now_ns() + (uint64_t)atomic_load_explicit(&pool->spin_us, memory_order_relaxed) * 1000u;
            for (int spins = 0; ; spins++) {
                gen = atomic_load_explicit(&pool->generation, memory_order_acquire);
                if (gen != seen || atomic_load_explicit(&pool->stop, memory_order_relaxed)) break;
                cf_cpu_relax();
                if ((spins & 255) == 255 && now_ns() > deadline) {
                    pthread_mutex_lock(&pool->sleep_lock);
                    atomic_fetch_add(&pool->sleeping, 1);
                    // Re-check after announcing ourselves: a caller that bumped the generation
                    // before seeing `sleeping` > 0 would not signal.
                    while ((gen = atomic_load(&pool->generation)) == seen && !atomic_load(&pool->stop))
                        pthread_cond_wait(&pool->wake, &pool->sleep_lock);
                    atomic_fetch_sub(&pool->sleeping, 1);
                    pthread_mutex_unlock(&pool->sleep_lock);
                    break;
                }
            }
        }
        if (atomic_load(&pool->stop)) return NULL;
        seen = gen;
        run_chunks(pool);
        atomic_fetch_sub_explicit(&pool->unfinished, 1, memory_order_release);
    }
}

cf_pool *cf_pool_create(int threads) {
    if (threads <= 0) threads = cf_cpu_count();
    cf_pool *pool = calloc(1, sizeof(cf_pool));
    if (!pool) return NULL;
    pool->threads = threads;
    atomic_init(&pool->spin_us, 200);
    pthread_mutex_init(&pool->call_lock, NULL);
    pthread_mutex_init(&pool->sleep_lock, NULL);
    pthread_cond_init(&pool->wake, NULL);
    if (threads > 1) {
        pool->workers = calloc((size_t)threads - 1, sizeof(pthread_t));
        if (!pool->workers) { free(pool); return NULL; }
        for (int i = 0; i < threads - 1; i++) {
            if (pthread_create(&pool->workers[i], NULL, worker_main, pool) != 0) {
                pool->threads = i + 1;   // keep the ones that started
                break;
            }
        }
    }
    return pool;
}

void cf_pool_destroy(cf_pool *pool) {
    if (!pool) return;
    pthread_mutex_lock(&pool->sleep_lock);
    atomic_store(&pool->stop, 1);
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->sleep_lock);
    for (int i = 0; i < pool->threads - 1; i++) pthread_join(pool->workers[i], NULL);
    free(pool->workers);
    pthread_cond_destroy(&pool->wake);
    pthread_mutex_destroy(&pool->sleep_lock);
    pthread_mutex_destroy(&pool->call_lock);
    free(pool);
}

int cf_pool_threads(const cf_pool *pool) { return pool ? pool->threads : 1; }

void cf_pool_set_spin_microseconds(cf_pool *pool, int microseconds) {
    if (pool) atomic_store(&pool->spin_us, microseconds < 0 ? 0 : microseconds);
}

void cf_pool_run(cf_pool *pool, int64_t count, int64_t grain, cf_task_fn fn, void *context) {
    if (count <= 0) return;
    if (grain < 1) grain = 1;
    if (!pool || pool->threads == 1 || count <= grain) {
        if (pool) pthread_mutex_lock(&pool->call_lock);
        fn(context, 0, count);
        if (pool) pthread_mutex_unlock(&pool->call_lock);
        return;
    }
    pthread_mutex_lock(&pool->call_lock);
    // About four chunks per thread balances uneven progress without much claiming traffic.
    int64_t chunk = (count + 4 * pool->threads - 1) / (4 * pool->threads);
    if (chunk < grain) chunk = grain;
    pool->fn = fn;
    pool->context = context;
    pool->count = count;
    pool->chunk = chunk;
    atomic_store_explicit(&pool->next, 0, memory_order_relaxed);
    atomic_store_explicit(&pool->unfinished, pool->threads - 1, memory_order_relaxed);
    atomic_fetch_add(&pool->generation, 1);   // seq_cst: publishes the job fields above
    if (atomic_load(&pool->sleeping) > 0) {
        pthread_mutex_lock(&pool->sleep_lock);
        pthread_cond_broadcast(&pool->wake);
        pthread_mutex_unlock(&pool->sleep_lock);
    }
    run_chunks(pool);
    // Workers finish within microseconds of us unless the OS descheduled one; then yield the core.
    for (int spins = 0; atomic_load_explicit(&pool->unfinished, memory_order_acquire) > 0; spins++) {
        cf_cpu_relax();
        if ((spins & 4095) == 4095) sched_yield();
    }
    pthread_mutex_unlock(&pool->call_lock);
}
