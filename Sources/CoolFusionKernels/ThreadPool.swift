import CCoolFusionKernels

/// A fixed set of threads (the caller plus `threads - 1` workers) that matrix products are
/// split across. Workers spin briefly between jobs, then sleep. Jobs from different callers are
/// serialized, so models running concurrently on `shared` never oversubscribe the cores.
public final class ThreadPool: @unchecked Sendable {
    /// nil only if the C pool could not be created; work then runs on the calling thread.
    let pool: OpaquePointer?

    /// `threads` <= 0 means one per core.
    public init(threads: Int) {
        pool = cf_pool_create(Int32(clamping: threads))
    }

    deinit { cf_pool_destroy(pool) }

    /// One per core, made on first use.
    public static let shared = ThreadPool(threads: 0)

    /// Threads that share a job, including the caller.
    public var threads: Int { Int(cf_pool_threads(pool)) }

    /// How long idle workers spin before sleeping (default 200 µs). Spinning keeps decode
    /// latency low; 0 frees the cores at once between jobs.
    public func setSpin(microseconds: Int) { cf_pool_set_spin_microseconds(pool, Int32(clamping: microseconds)) }

    /// Runs `body` over chunks of `0..<count` (each at least `grain` long) on all threads and
    /// returns when every chunk is done. `body` runs concurrently on several threads, so it
    /// must only write disjoint memory per chunk. Do not call the same pool from inside `body`.
    public func parallelFor(_ count: Int, grain: Int = 1, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        withoutActuallyEscaping(body) { body in
            let box = RangeBody(body)
            withExtendedLifetime(box) {
                cf_pool_run(pool, Int64(count), Int64(max(grain, 1)), { context, begin, end in
                    let box = Unmanaged<RangeBody>.fromOpaque(context!).takeUnretainedValue()
                    box.body(Int(begin)..<Int(end))
                }, Unmanaged.passUnretained(box).toOpaque())
            }
        }
    }
}

/// Carries a Swift closure through the C pool's `void *` context.
private final class RangeBody {
    let body: (Range<Int>) -> Void
    init(_ body: @escaping (Range<Int>) -> Void) { self.body = body }
}
