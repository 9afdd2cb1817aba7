import ArgumentParser
import Experiment
import Foundation
import GEMM
import Transformer

/// `e2h bench`: machine-readable speed figures of the engine.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure GEMM GF/s and training / forward / decoding tokens per second.",
        discussion: """
            Prints one JSON object per line. `gemm` lines compare against OpenBLAS when a \
            libopenblas can be loaded. The `engine` line uses the reference config (4 layers, \
            width 256, 4 heads, context 128, vocabulary 64, batch 32). With --pytorch, the PyTorch \
            peer (bench/peers/torch_llama.py, same architecture and step) runs in a subprocess \
            and a `ratio` line compares the two. Threads: E2H_THREADS (default: all cores).

            With --memory CONFIG (a Hugging Face config.json, or a model directory holding one), \
            prints instead the bytes an inference-only model (decoding --slots sequences, scoring \
            batches of --batch) and a training model (batches of --batch) allocate, buffer by \
            buffer, at --context tokens per sequence; nothing is allocated, so any size can be asked.
            """)

    @Flag(help: "Skip the GEMM benchmark.") var noGemm = false
    @Flag(help: "Skip the engine benchmark.") var noEngine = false
    @Option(help: "Timed training steps for the engine benchmark.") var steps = 10
    @Option(help: "Seconds per GEMM case.") var gemmSeconds = 0.3
    @Flag(help: "Also run the PyTorch peer (needs python3 with torch) and print the ratio.")
    var pytorch = false
    @Option(help: "Path of the PyTorch peer script.") var peerScript = "bench/peers/torch_llama.py"
    @Flag(help: "Also time the method's stages at the built-in benchmark's default model size.")
    var pipeline = false
    @Option(help: "Print the memory a model of this config.json (or model directory) allocates, by buffer.")
    var memory: String?
    @Option(help: "With --memory: tokens per sequence.") var context = 2048
    @Option(help: "With --memory: sequences per training / scoring batch.") var batch = 8
    @Option(help: "With --memory: sequences decoded together.") var slots = 1

    mutating func run() throws {
        if let memory {
            var url = URL(fileURLWithPath: memory)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
                url = url.appendingPathComponent(TransformerModel.configFileName)
            }
            let data: Data
            do { data = try Data(contentsOf: url) } catch {
                throw ValidationError("--memory: cannot read \(url.path): \(error.localizedDescription)")
            }
            let config = try JSONDecoder().decode(TransformerConfig.self, from: data)
            try config.validate()
            guard context >= 1, batch >= 1, slots >= 1 else {
                throw ValidationError("--context, --batch and --slots must be positive")
            }
            print(MemoryPlan(config: config, context: context, batch: batch, slots: slots).table)
            return
        }
        if !noGemm {
            let report = benchmarkGEMM(secondsPerCase: gemmSeconds)
            FileHandle.standardError.write(Data((report.table + "\n").utf8))
            for result in report.results { try printJSON(["gemm": result]) }
        }
        if pipeline { try printJSON(["pipeline": try benchmarkPipeline()]) }
        guard !noEngine else { return }
        let ours = try benchmarkEngine(config: .reference, batch: 32, steps: steps)
        try printJSON(["engine": ours])
        if pytorch {
            let peer = try runPeer()
            print(peer)
            if let data = peer.data(using: .utf8),
               let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
                var ratio: [String: Double] = [:]
                for (key, ourValue) in [("train_tokens_per_s", ours.trainTokensPerSecond),
                                        ("forward_tokens_per_s", ours.forwardTokensPerSecond),
                                        ("decode_tokens_per_s", ours.decodeTokensPerSecond)] {
                    if let theirs = object[key] as? Double, theirs > 0 { ratio[key] = ourValue / theirs }
                }
                try printJSON(["ratio_vs_pytorch": ratio])
            }
        }
    }

    private func runPeer() throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", peerScript, "--threads", "\(ProcessInfo.processInfo.activeProcessorCount)"]
        var environment = ProcessInfo.processInfo.environment
        environment["OMP_PROC_BIND"] = "true"
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ValidationError("the PyTorch peer failed (exit \(process.terminationStatus)); is torch installed?")
        }
        let lines = String(decoding: output, as: UTF8.self).split(separator: "\n")
        return String(lines.last { $0.hasPrefix("{") } ?? "")
    }
}

func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
