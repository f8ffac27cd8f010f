// Micro-benchmark of the matmul kernels on the real weights of GGUF models.
//
//   swift run -c release coolfusion-kernels-bench [--threads 1,2] [--batch 32] [--repeats 20]
//       [--rounding batch-invariant|llama-cpp] [--llama-decode TPS,...] [--llama-prefill TPS,...] [MODEL ...]
//
// MODEL is a default model's alias or a GGUF path; without any, the default models already in the
// model store (`$COOLFUSION_MODELS`, else ~/.cache/coolfusion/models; nothing is fetched).
//
// For each model it runs one matrix–vector product per weight matrix a decode step uses (every
// 2-D tensor except the token embedding, which is also the output head when there is no
// `output.weight`), i.e. the matmul part of one decoded token, and prints the time per token,
// the weight bytes streamed per second and the ratio to the measured memory read bandwidth. With
// --batch it also times n-row products (prefill / batched scoring) in GFLOP/s.
//
// --rounding picks the products' rounding order: batch-invariant (the fusion's; default) or llama-cpp
// (what `run` and `bench` use: K-quant products in llama.cpp's order for the batch size).
//
// --llama-decode and --llama-prefill give llama.cpp's tokens/s for the same models, in order, as
// measured on the machine at hand (scripts/bench_engine.py measures them); the benchmark then prints
// its matrix products as a share of llama.cpp's whole step. They are options because they belong to
// a machine: on the 2-core development machine llama.cpp (llama-cpp-python 0.3.36, 2 threads) decoded
// SmolLM2-135M Q4_1, Gemma-3-270M Q4_K_M and Qwen2.5-Coder-0.5B Q4_K_M at 95, 64 and 45 tokens/s and
// prefilled at 279, 608 and 229 tokens/s.
import CoolFusionGGUF
import CoolFusionKernels
import CoolFusionModelStore
import Foundation

struct Options {
    var threads: [Int] = [1, 2]
    var batch = 32
    var repeats = 20
    var rounding = MatmulRounding.batchInvariant
    var models: [String] = []
    /// llama.cpp's tokens/s for each model, in the order of `models` (empty: not compared).
    var llamaDecode: [Double] = []
    var llamaPrefill: [Double] = []
}

struct UsageError: Error, CustomStringConvertible {
    let description: String
}

func parseOptions(_ arguments: [String]) throws -> Options {
    var options = Options()
    var arguments = arguments[...]
    func value(_ flag: String) throws -> String {
        guard let value = arguments.popFirst() else { throw UsageError(description: "\(flag) needs a value") }
        return value
    }
    func positiveInt(_ flag: String) throws -> Int {
        guard let number = Int(try value(flag)), number > 0 else { throw UsageError(description: "\(flag) takes a positive integer") }
        return number
    }
    func numbers<T: LosslessStringConvertible>(_ flag: String, as: T.Type) throws -> [T] {
        let parts = try value(flag).split(separator: ",").map { T(String($0)) }
        guard !parts.isEmpty, parts.allSatisfy({ $0 != nil }) else {
            throw UsageError(description: "\(flag) takes a comma-separated list of numbers")
        }
        return parts.compactMap { $0 }
    }
    while let argument = arguments.popFirst() {
        switch argument {
        case "--threads":
            options.threads = try numbers(argument, as: Int.self)
            guard options.threads.allSatisfy({ $0 > 0 }) else { throw UsageError(description: "--threads must be positive") }
        case "--batch": options.batch = try positiveInt(argument)
        case "--repeats": options.repeats = try positiveInt(argument)
        case "--rounding":
            switch try value(argument) {
            case "batch-invariant": options.rounding = .batchInvariant
            case "llama-cpp": options.rounding = .llamaCpp
            case let other: throw UsageError(description: "--rounding takes batch-invariant or llama-cpp, not \(other)")
            }
        case "--llama-decode": options.llamaDecode = try numbers(argument, as: Double.self)
        case "--llama-prefill": options.llamaPrefill = try numbers(argument, as: Double.self)
        default:
            guard !argument.hasPrefix("--") else { throw UsageError(description: "unknown option \(argument)") }
            options.models.append(argument)
        }
    }
    let store = ModelStore()
    if options.models.isEmpty {
        options.models = DefaultModel.all.filter { store.isPresent($0) }.map { store.path(of: $0) }
        guard !options.models.isEmpty else {
            throw UsageError(description: "no default model in \(store.directory.path); give GGUF paths or run `coolfusion models fetch`")
        }
    } else {
        options.models = try options.models.map { try store.resolve($0, fetchIfMissing: false) }
    }
    for (flag, list) in [("--llama-decode", options.llamaDecode), ("--llama-prefill", options.llamaPrefill)]
    where !list.isEmpty && list.count != options.models.count {
        throw UsageError(description: "\(flag) needs one number per model (\(options.models.count) models)")
    }
    return options
}

func seconds(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// CPU time of the calling thread: with one thread this discounts time the machine spent on
/// other processes (the build machine is shared), giving the kernel's own speed.
func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func matrices(of file: GGUFFile) -> [(String, WeightMatrix)] {
    let hasOutput = file.tensorInfo("output.weight") != nil
    return file.tensors.compactMap { info in
        guard info.shape.count == 2, info.shape[1] > 1 else { return nil }
        if info.name == "token_embd.weight" && hasOutput { return nil }
        guard let w = try? WeightMatrix(info: info, data: file.data(of: info)) else {
            print("  skipping \(info.name): \(info.type.name) not supported")
            return nil
        }
        return (info.name, w)
    }
}

let options: Options
do {
    options = try parseOptions(Array(CommandLine.arguments.dropFirst()))
} catch {
    FileHandle.standardError.write(Data("coolfusion-kernels-bench: \(error)\n".utf8))
    exit(2)
}
print("AVX2/FMA kernels: \(CPUFeatures.hasAVX2FMA ? "yes" : "no (scalar fallback)")")
for threads in options.threads {
    let pool = ThreadPool(threads: threads)
    let bandwidth = ReadBandwidth.measure(pool: pool)
    print(String(format: "\n== %d thread(s): memory read bandwidth %.1f GB/s", threads, bandwidth / 1e9))
    for (modelIndex, path) in options.models.enumerated() {
        let name = (path as NSString).lastPathComponent
        guard let file = try? GGUFFile(path: path) else { print("cannot open \(path)"); continue }
        let weights = matrices(of: file)
        let maxCols = weights.map(\.1.cols).max() ?? 0, maxRows = weights.map(\.1.rows).max() ?? 0
        var x = [Float](repeating: 0, count: options.batch * maxCols)
        for i in x.indices { x[i] = Float(sin(Double(i) * 0.37)) }
        var y = [Float](repeating: 0, count: options.batch * maxRows)

        // Per shape/type: total time over `repeats` decode steps.
        var perKind: [String: (time: Double, bytes: Int, count: Int)] = [:]
        var totalTime = 0.0, totalBytes = 0
        for (_, w) in weights { Kernels.matmul(w, x: x, n: 1, y: &y, pool: pool, rounding: options.rounding) }   // warm page cache
        let cpuStart = threadCPUSeconds()
        for _ in 0..<options.repeats {
            for (_, w) in weights {
                let t = seconds { Kernels.matmul(w, x: x, n: 1, y: &y, pool: pool, rounding: options.rounding) }
                let key = "\(w.type.name) \(w.cols)→\(w.rows)"
                let bytes = w.rows * w.rowBytes
                perKind[key, default: (0, 0, 0)].time += t
                perKind[key, default: (0, 0, 0)].bytes += bytes
                perKind[key, default: (0, 0, 0)].count += 1
                totalTime += t
                totalBytes += bytes
            }
        }
        let perToken = totalTime / Double(options.repeats)
        let cpuPerToken = (threadCPUSeconds() - cpuStart) / Double(options.repeats)
        let llama = options.llamaDecode.isEmpty ? nil : 1 / options.llamaDecode[modelIndex]
        print(String(format: "\n%@: %d matrices, %.1f MB of weights per token", name, weights.count, Double(totalBytes) / Double(options.repeats) / 1e6))
        print(String(format: "  matvec time per token %.2f ms (%.0f tok/s bound), %.1f GB/s = %.0f%% of read bandwidth",
                     perToken * 1e3, 1 / perToken, Double(totalBytes) / totalTime / 1e9, 100 * Double(totalBytes) / totalTime / bandwidth))
        if threads == 1 {
            print(String(format: "  CPU time of this thread per token %.2f ms (%.1f GB/s of weights per CPU-second)",
                         cpuPerToken * 1e3, Double(totalBytes) / Double(options.repeats) / cpuPerToken / 1e9))
        }
        if let llama {
            print(String(format: "  llama.cpp whole decode step: %.2f ms; our matvecs take %.2f× of it", llama * 1e3, perToken / llama))
        }
        for (key, value) in perKind.sorted(by: { $0.value.time > $1.value.time }) {
            print(String(format: "    %-22@ %3d× %8.1f µs each  %6.1f GB/s", key as NSString, value.count / options.repeats,
                         value.time / Double(value.count) * 1e6, Double(value.bytes) / value.time / 1e9))
        }
        // Compute speed without memory traffic: ~128 KB of rows of each type, kept in L2.
        var seenTypes = Set<GGMLType>()
        for (_, w) in weights where seenTypes.insert(w.type).inserted {
            let rows = max(1, min(w.rows, 131_072 / w.rowBytes))
            guard let hot = try? WeightMatrix(type: w.type, rows: rows, cols: w.cols, data: w.data) else { continue }
            let cpu0 = threadCPUSeconds()
            let time = seconds { for _ in 0..<200 { Kernels.matmul(hot, x: x, n: 1, y: &y, pool: pool, rounding: options.rounding) } }
            let cpu = threadCPUSeconds() - cpu0
            print(String(format: "    in-cache %-5@ %4d×%-5d: %6.1f GB/s wall, %6.1f GB/s per CPU-second of the caller",
                         w.type.name as NSString, rows, w.cols, Double(200 * rows * hot.rowBytes) / time / 1e9,
                         Double(200 * rows * hot.rowBytes) / cpu / 1e9))
        }
        if options.batch > 1 {
            // Batched products (prefill / scoring) over every layer matrix; the output head is left
            // out because a prefill computes logits for the last token only.
            let layers = weights.filter { !$0.0.hasPrefix("output") && !$0.0.hasPrefix("token_embd") }
            var flops = 0.0
            let cpu0 = threadCPUSeconds()
            let time = seconds {
                for (_, w) in layers {
                    Kernels.matmul(w, x: x, n: options.batch, y: &y, pool: pool, rounding: options.rounding)
                    flops += 2 * Double(w.rows) * Double(w.cols) * Double(options.batch)
                }
            }
            let cpu = threadCPUSeconds() - cpu0
            print(String(format: "  batch of %d rows, all layer matrices: %.1f GFLOP/s wall = %.0f tok/s",
                         options.batch, flops / time / 1e9, Double(options.batch) / time))
            if !options.llamaPrefill.isEmpty {
                print(String(format: "    llama.cpp prefill: %.0f tok/s", options.llamaPrefill[modelIndex]))
            }
            if threads == 1 {
                print(String(format: "    per CPU-second of this thread: %.1f GFLOP/s = %.0f tok/s", flops / cpu / 1e9, Double(options.batch) / cpu))
            }
        }
    }
}
