// swift-tools-version:6.0
// EasyToHard: the easy-to-hard generalization method (Sun et al., 2024) on one CPU.
//
// Layers depend downward only (DESIGN.md in ../shared, README "Layout"); the folders under Sources/
// are the layers, each target's `path:` says where it lives:
//   0-engine  Support, CCPUFeatures, GEMMAVX2, GEMMAVX512, GEMM, Kernels, SafeTensors, GGUF
//   0-text    Tokenizers, Grading
//   1-model   Transformer, Datasets, InferenceProtocol
//   2-method  Objectives, Reranking
//   3-stages  Training, Reports, Serving, InferenceClient
//   4-app     Experiment, Benchmarks
//   5-cli     e2h (argument parsing only)
import PackageDescription

/// Flags for the code that must be fast. The per-ISA GEMM targets add a `-target-cpu` of their own;
/// everything else is compiled for the baseline of the platform so one binary runs anywhere.
let fastMath: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

/// `-target-cpu` of the per-instruction-set GEMM targets. Only meaningful on x86-64; elsewhere
/// (arm64) those targets compile for the baseline and the dispatcher never selects them.
#if arch(x86_64)
let avx2Flags: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell"])]
let avx512Flags: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "skylake-avx512"])]
#else
let avx2Flags: [SwiftSetting] = []
let avx512Flags: [SwiftSetting] = []
#endif

let package = Package(
    name: "EasyToHard",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "e2h", targets: ["e2h"]),
        .library(name: "Grading", targets: ["Grading"]),
        .library(name: "Transformer", targets: ["Transformer"]),
        .library(name: "Datasets", targets: ["Datasets"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/attaswift/BigInt", from: "6.0.1"),
        // HTTP: the OpenAI-compatible server (`e2h serve`) and client (`e2h sample/score --endpoint`).
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", exact: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
    ],
    targets: [
        // Layer 0: one seeded RNG, one thread policy and parallel-for, one atomic file writer, level sets.
        .target(name: "Support", path: "Sources/0-engine/Support"),
        // Layer 0: CPU feature detection (C, `__builtin_cpu_supports`).
        .target(name: "CCPUFeatures", path: "Sources/0-engine/CCPUFeatures"),
        // Layer 0: GEMM micro-kernels compiled for one instruction set each; GEMM dispatches at run time.
        .target(name: "GEMMAVX2", dependencies: ["CCPUFeatures"],
                path: "Sources/0-engine/GEMMAVX2",
                swiftSettings: fastMath + avx2Flags),
        .target(name: "GEMMAVX512", dependencies: ["CCPUFeatures"],
                path: "Sources/0-engine/GEMMAVX512",
                swiftSettings: fastMath + avx512Flags),
        .target(name: "GEMM", dependencies: ["Support", "CCPUFeatures", "GEMMAVX2", "GEMMAVX512"],
                path: "Sources/0-engine/GEMM",
                swiftSettings: fastMath),
        // Layer 0: elementwise kernels with forward/backward, AdamW, seeded RNG.
        .target(name: "Kernels", dependencies: ["Support", "CCPUFeatures", "GEMM"], path: "Sources/0-engine/Kernels",
                swiftSettings: fastMath),
        // Layer 0: safetensors reader/writer.
        .target(name: "SafeTensors", dependencies: ["Support"], path: "Sources/0-engine/SafeTensors"),
        // Layer 0: tokenizers (character vocabularies of the built-in benchmark, byte-level BPE).
        .target(name: "Tokenizers", dependencies: ["Support"], path: "Sources/0-text/Tokenizers"),
        // Layer 0: GGUF reader (metadata, tensor infos, dequantization, llama/qwen2 config).
        .target(name: "GGUF", path: "Sources/0-engine/GGUF"),
        // Layer 0: answer extraction and mathematical equivalence.
        .target(name: "Grading", dependencies: [.product(name: "BigInt", package: "BigInt")], path: "Sources/0-text/Grading"),
        // Layer 1: Llama-family decoder, heads, KV cache, checkpoints.
        .target(name: "Transformer", dependencies: ["Support", "CCPUFeatures", "GEMM", "Kernels", "SafeTensors", "GGUF"],
                path: "Sources/1-model/Transformer",
                swiftSettings: fastMath),
        // Layer 1: real data formats, the built-in benchmark, easy/hard split.
        .target(name: "Datasets", dependencies: ["Support", "Grading"], path: "Sources/1-model/Datasets"),
        // Layer 2: losses as pure functions (step BCE, DPO, PPO, value, KL).
        .target(name: "Objectives", path: "Sources/2-method/Objectives",
                swiftSettings: fastMath),
        // Layer 3: SFT, reward-model training, sampling, scoring; checkpoints and resume.
        .target(name: "Training", dependencies: ["Support", "SafeTensors", "Transformer", "Datasets", "Tokenizers", "Objectives",
                                                 "Kernels", "GEMM", "GGUF", "Grading"], path: "Sources/3-stages/Training",
                swiftSettings: fastMath),
        // Layer 2: step-score aggregation, voting, accuracy-vs-N curves, reward-model diagnostics.
        .target(name: "Reranking", dependencies: ["Support", "Grading", "Datasets"], path: "Sources/2-method/Reranking",
                swiftSettings: fastMath),
        // Layer 3: terminal tables, SVG plots, the HTML report.
        .target(name: "Reports", dependencies: ["Support", "Reranking"], path: "Sources/3-stages/Reports"),
        // Layer 1: the OpenAI-compatible wire types (completions, chat, pooling, errors), Codable only.
        .target(name: "InferenceProtocol", path: "Sources/1-model/InferenceProtocol"),
        // Layer 3: the HTTP server of `e2h serve`: one engine thread owns the model and decodes every
        // client's requests together through the decode scheduler (Hummingbird 2).
        .target(name: "Serving", dependencies: [
            "InferenceProtocol", "Training", "Transformer", "Tokenizers",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], path: "Sources/3-stages/Serving"),
        // Layer 3: the OpenAI-compatible client: retries, n split across requests, concurrency,
        // both logprob shapes, vLLM's pooling API (AsyncHTTPClient).
        .target(name: "InferenceClient", dependencies: [
            "InferenceProtocol",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ], path: "Sources/3-stages/InferenceClient"),
        // Layer 4: `e2h run`, the whole experiment on the built-in benchmark.
        .target(name: "Experiment", dependencies: ["Support", "Training", "Datasets", "Tokenizers", "Transformer", "Grading",
                                                   "GEMM", "Kernels", "Reranking", "Reports", "InferenceClient",
                                                   "InferenceProtocol"], path: "Sources/4-app/Experiment"),
        // Layer 4: speed benchmarks and their in-process peers (OpenBLAS), the engine demo; only the
        // command line uses them, so no production target carries benchmark code.
        .target(name: "Benchmarks", dependencies: ["Support", "GEMM", "Kernels", "Transformer", "Datasets", "Tokenizers",
                                                   "Training", "Reranking", "Experiment"],
                path: "Sources/4-app/Benchmarks"),
        // Layer 5: the command line.
        .executableTarget(name: "e2h", dependencies: [
            "Support", "GEMM", "GEMMAVX2", "GEMMAVX512", "Kernels", "Tokenizers", "Grading", "Transformer", "Datasets",
            "Reranking", "Reports", "Training", "Experiment", "Serving", "InferenceClient", "Benchmarks",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Sources/5-cli/e2h"),

        // Test support shared by the test targets (finite differences, random buffers).
        .target(name: "TestSupport", dependencies: ["Kernels"], path: "Tests/TestSupport"),
        .testTarget(name: "SupportTests", dependencies: ["Support"]),
        // Runs the built `e2h` binary: option names, help, exit statuses.
        .testTarget(name: "CLITests", dependencies: ["e2h"]),
        .testTarget(name: "GEMMTests", dependencies: ["GEMM"]),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels", "GEMM", "TestSupport"]),
        .testTarget(name: "SafeTensorsTests", dependencies: ["SafeTensors"]),
        .testTarget(name: "GradingTests", dependencies: ["Grading"], resources: [.copy("Fixtures")]),
        .testTarget(name: "TransformerTests", dependencies: ["Transformer", "SafeTensors", "Kernels", "GEMM", "TestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Transformer", "Datasets", "Tokenizers",
                                                          "Experiment", "Kernels", "Objectives"]),
        .testTarget(name: "ExperimentTests", dependencies: ["Experiment", "Training", "Datasets", "Tokenizers", "Transformer"]),
        // Small in-memory re-ranking inputs shared by the Reranking and Reports tests.
        .target(name: "RerankingFixtures", dependencies: ["Reranking"], path: "Tests/RerankingFixtures"),
        .testTarget(name: "RerankingTests", dependencies: ["Support", "Reranking", "RerankingFixtures"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Reranking", "RerankingFixtures"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Support", "Datasets", "Grading"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ObjectivesTests", dependencies: ["Objectives", "Kernels", "Transformer", "TestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "TokenizersTests", dependencies: ["Tokenizers", "Datasets"], resources: [.copy("Fixtures")]),
        .testTarget(name: "InferenceClientTests", dependencies: ["InferenceClient", "InferenceProtocol", "Experiment", "Training",
                                                                 "Datasets"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "ServingTests", dependencies: ["Serving", "InferenceClient", "InferenceProtocol", "Experiment",
                                                         "Training", "Datasets", "Tokenizers", "Transformer",
                                                         .product(name: "Logging", package: "swift-log"),
                                                         .product(name: "AsyncHTTPClient", package: "async-http-client"),
                                                         .product(name: "NIOCore", package: "swift-nio")]),
        .testTarget(name: "GGUFTests", dependencies: ["GGUF", "Tokenizers"], resources: [.copy("Fixtures")]),
        // Hugging Face and GGUF checkpoints through the model bundle (tiny transformers checkpoints; SmolLM2 when fetched).
        .testTarget(name: "RealModelTests", dependencies: ["Training", "Transformer", "Tokenizers", "Experiment", "GEMM"],
                    resources: [.copy("Fixtures")]),
    ],
    swiftLanguageModes: [.v5]
)
