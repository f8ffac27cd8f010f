// A fixed pool of worker threads for splitting matrix products, made once and reused.
//
// Design, for a machine whose cores are shared with other processes:
// - The caller works on its own job too, and claims chunks dynamically like the workers, so a
//   worker the OS has descheduled simply does no chunks; the caller never waits for a worker that
//   has not started, only for chunks that were claimed (counted in `done`).
// - A chunk claim is a CAS on (generation, next index) packed in 64 bits: a worker that wakes up
//   late for an old job fails the CAS and cannot touch a newer job's work by mistake. Job
//   descriptors alternate between two slots so a late reader never sees one being rewritten.
// - Idle workers spin briefly (a decode step issues many small matmuls back to back, and waking
//   a sleeping thread costs tens of microseconds), then sleep on a condition variable.
// - Callers are serialized by a mutex, so several models running at once share the cores
//   instead of oversubscribing them. Nothing is allocated per job.
#define _GNU_SOURCE
#include "cf_kernels.h"
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define cf_cpu_relax() _mm_pause()
#else
#define cf_cpu_relax() ((void)0)
#endif

typedef struct {
    cf_task_fn fn;
    void *context;
    int64_t count, chunk;
    _Atomic int64_t done;              // tasks finished
} job_slot;

struct cf_pool {
    int threads;                       // workers + the calling thread
    pthread_t *workers;                // threads - 1 of them
    pthread_mutex_t call_lock;         // one job at a time
    pthread_mutex_t sleep_lock;
    pthread_cond_t wake;
    _Atomic int sleeping;              // workers blocked (or about to block) on `wake`
    _Atomic uint64_t state;            // generation << 32 | next unclaimed task index
    _Atomic int stop;
    _Atomic int spin_us;
    uint32_t generation;               // caller side copy, under call_lock
    job_slot slots[2];                 // job of generation g lives in slots[g & 1]
};

// Set on worker threads, and on a caller while it runs its job: a job that calls cf_pool_run
// again (any pool) runs that inner job inline instead of deadlocking on call_lock or waiting
// for workers that are busy with the outer job.
static _Thread_local int inside_job;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint32_t generation_of(uint64_t state) { return (uint32_t)(state >> 32); }

/// Claims and runs chunks of job `generation` until none are left or a newer job replaced it.
static void run_chunks(cf_pool *pool, uint32_t generation) {
    job_slot *slot = &pool->slots[generation & 1];
    const int64_t count = slot->count, chunk = slot->chunk;
    uint64_t state = atomic_load_explicit(&pool->state, memory_order_acquire);
    for (;;) {
        if (generation_of(state) != generation) return;
        const int64_t begin = (int64_t)(uint32_t)state;
        if (begin >= count) return;
        const int64_t end = begin + chunk < count ? begin + chunk : count;
        const uint64_t claimed = ((uint64_t)generation << 32) | (uint64_t)end;
        if (!atomic_compare_exchange_weak_explicit(&pool->state, &state, claimed, memory_order_acq_rel, memory_order_acquire))
            continue;   // `state` now holds the current value; re-check it
        slot->fn(slot->context, begin, end);
        atomic_fetch_add_explicit(&slot->done, end - begin, memory_order_release);
        state = atomic_load_explicit(&pool->state, memory_order_acquire);
    }
}

static void *worker_main(void *arg) {
    cf_pool *pool = arg;
    inside_job = 1;
    uint32_t seen = 0;
    for (;;) {
        // Spin, then sleep, until a new generation (job) or stop.
        uint32_t gen = generation_of(atomic_load(&pool->state));
        if (gen == seen && !atomic_load(&pool->stop)) {
            const uint64_t deadline = now_ns() + (uint64_t)atomic_load_explicit(&pool->spin_us, memory_order_relaxed) * 1000u;
            for (int spins = 0; ; spins++) {
                gen = generation_of(atomic_load_explicit(&pool->state, memory_order_acquire));
                if (gen != seen || atomic_load_explicit(&pool->stop, memory_order_relaxed)) break;
                cf_cpu_relax();
                if ((spins & 255) == 255 && now_ns() > deadline) {
                    pthread_mutex_lock(&pool->sleep_lock);
                    atomic_fetch_add(&pool->sleeping, 1);
                    // Re-check after announcing ourselves: a caller that published a job before
                    // seeing `sleeping` > 0 would not signal.
                    while ((gen = generation_of(atomic_load(&pool->state))) == seen && !atomic_load(&pool->stop))
                        pthread_cond_wait(&pool->wake, &pool->sleep_lock);
                    atomic_fetch_sub(&pool->sleeping, 1);
                    pthread_mutex_unlock(&pool->sleep_lock);
                    break;
                }
            }
        }
        if (atomic_load(&pool->stop)) return NULL;
        seen = gen;
        run_chunks(pool, gen);
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
        if (!pool->workers) { pool->threads = 1; return pool; }
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
    if (inside_job) {   // nested: we already own a share of the cores
        fn(context, 0, count);
        return;
    }
    if (!pool || pool->threads == 1 || count <= grain || count > INT32_MAX) {
        if (pool) pthread_mutex_lock(&pool->call_lock);
        inside_job = 1;
        fn(context, 0, count);
        inside_job = 0;
        if (pool) pthread_mutex_unlock(&pool->call_lock);
        return;
    }
    pthread_mutex_lock(&pool->call_lock);
    inside_job = 1;
    // About four chunks per thread balances uneven progress without much claiming traffic.
    // Chunks are whole multiples of `grain` (matmul uses it to keep each thread's outputs on
    // its own cache lines).
    int64_t chunk = (count + 4 * pool->threads - 1) / (4 * pool->threads);
    chunk = (chunk + grain - 1) / grain * grain;
    const uint32_t generation = ++pool->generation;
    job_slot *slot = &pool->slots[generation & 1];
    slot->fn = fn;
    slot->context = context;
    slot->count = count;
    slot->chunk = chunk;
    atomic_store_explicit(&slot->done, 0, memory_order_relaxed);
    atomic_store(&pool->state, (uint64_t)generation << 32);   // seq_cst: publishes the slot
    if (atomic_load(&pool->sleeping) > 0) {
        pthread_mutex_lock(&pool->sleep_lock);
        pthread_cond_broadcast(&pool->wake);
        pthread_mutex_unlock(&pool->sleep_lock);
    }
    run_chunks(pool, generation);
    // Only chunks a worker actually claimed can be outstanding; they are being computed now.
    for (int spins = 0; atomic_load_explicit(&slot->done, memory_order_acquire) < count; spins++) {
        cf_cpu_relax();
        if ((spins & 1023) == 1023) sched_yield();   // the worker holding a chunk was descheduled
    }
    inside_job = 0;
    pthread_mutex_unlock(&pool->call_lock);
}
