import CoolFusionKernels

/// Runs `body(i)` for i in 0..<count on the model's thread pool (work the matmul kernels don't
/// cover, e.g. attention). Bodies must write disjoint memory.
enum ParallelLoop {
    static func run(count: Int, pool: ThreadPool, _ body: (Int) -> Void) {
        pool.parallelFor(count) { range in
            for index in range { body(index) }
        }
    }
}
