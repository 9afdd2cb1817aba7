import Benchmarks
import ArgumentParser
import Experiment
import Foundation
import GEMM
import Kernels
#if arch(x86_64)
import GEMMAVX2
import GEMMAVX512
#endif
import Support
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
            and a `ratio` line compares the two. A `fma_peak_gflops` line gives the fp32 peak of a \
            short FMA loop (AVX-512 where the GEMM uses it, else AVX2) on 1 thread and on all; the engine line also gives each rate in \
            GF/s and as a percentage of that peak. Threads: E2H_THREADS (default: all cores). With \
            --matmul bf16 (on a CPU with AMX tiles) e2h's products take bfloat16 operands, decoding \
            keeps its weights and KV cache in bfloat16, and the PyTorch and transformers peers run \
            under torch.autocast(bfloat16), the same mixed precision; each comparison then also \
            runs the peer in float32 (`ratio_vs_pytorch_fp32`, transformers_fp32_*).

            With --memory CONFIG (a Hugging Face config.json, or a model directory holding one), \
            prints instead the bytes an inference-only model (decoding --slots sequences, scoring \
            batches of --batch) and a training model (batches of --batch) allocate, buffer by \
            buffer, at --context tokens per sequence; nothing is allocated, so any size can be asked.
            """)

    @Flag(help: "Skip the GEMM benchmark.") var noGemm = false
    @Flag(help: "Skip the engine benchmark.") var noEngine = false
    @Option(help: "Timed training steps for the engine benchmark (default 10); with --finetune (default 3, their median).")
    var steps: Int?
    @Option(help: "Seconds per GEMM case.") var gemmSeconds = 0.3
    @Flag(help: "Also run the PyTorch peer (needs python3 with torch) and print the ratio.")
    var pytorch = false
    @Option(help: "Path of the PyTorch peer script.") var peerScript = "bench/peers/torch_llama.py"
    @Flag(help: "Also time the method's stages at the built-in benchmark's default model size.")
    var pipeline = false
    @Option(help: "Print the memory a model of this config.json (or model directory) allocates, by buffer.")
    var memory: String?
    @Option(help: "With --memory: tokens per sequence (default 2048); with --finetune (default 128).") var context: Int?
    @Option(help: "With --memory: sequences per training / scoring batch; with --finetune, per step.") var batch = 8
    @Option(help: "With --memory: sequences decoded together.") var slots = 1
    @Option(help: "Measure this model (a GGUF file or a model folder): prompt processing, decoding at batch 1 and --decode-batch, peak memory.")
    var model: String?
    @Option(help: "With --model: also run llama.cpp from this folder of its binaries (llama-bench, llama-batched-bench) and print the ratios.")
    var llamaCpp: String?
    @Option(help: "With --llama-cpp: the peer script.") var llamaScript = "bench/peers/llamacpp/llama_bench.py"
    @Option(help: "With --model: prompt tokens processed.") var promptTokens = 512
    @Option(help: "With --model: new tokens per decoded sequence.") var newTokens = 128
    @Option(help: "With --model: sequences decoded together for the batched figure.") var decodeBatch = 64
    @Option(help: "With --model: timed repetitions of each figure (mean).") var repetitions = 2
    @Flag(help: "With --model: dequantize a GGUF file's weights to float32 instead of computing on its blocks.")
    var floatWeights = false
    @Flag(help: "With --model: measure fine-tuning tokens/s (see the discussion) instead.") var finetune = false
    @Flag(help: "With --finetune: also run the transformers peer and print the ratios (needs python3 with torch and transformers).")
    var transformers = false
    @Option(help: "With --transformers: the peer script.") var finetuneScript = "bench/peers/finetune/transformers_finetune.py"
    @Option(help: "With --transformers: rounds of e2h then the peer; the medians are printed.") var rounds = 1
    @OptionGroup var precision: MatmulOptions
    @Option(help: "With --matmul bf16 --pytorch: the bf16 GEMM peer script.") var gemmPeerScript = "bench/peers/gemm_torch_bf16.py"

    mutating func run() throws {
        try precision.apply()
        if let memory {
            var url = URL(fileURLWithPath: memory)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
                url = url.appendingPathComponent(TransformerModel.configFileName)
            }
            let data: Data
            guard let contents = FileManager.default.contents(atPath: url.path) else {
                throw ValidationError("--memory: cannot read \(url.path): no such file or not readable")
            }
            data = contents
            let config: TransformerConfig
            do { config = try JSONDecoder().decode(TransformerConfig.self, from: data) } catch let error as DecodingError {
                throw ValidationError("--memory: \(url.path): \(describeDecodingError(error))")
            }
            try config.validate()
            guard (context ?? 2048) >= 1, batch >= 1, slots >= 1 else {
                throw ValidationError("--context, --batch and --slots must be positive")
            }
            print(MemoryPlan(config: config, context: context ?? 2048, batch: batch, slots: slots).table)
            return
        }
        if let model, finetune {
            try benchFinetune(model)
            return
        }
        guard !transformers else { throw ValidationError("--transformers needs --model M --finetune") }
        if let model {
            try benchModel(model)
            return
        }
        if !noGemm {
            let precision = MatmulPrecision.processDefault.effective
            let report = benchmarkGEMM(secondsPerCase: gemmSeconds, precision: precision)
            FileHandle.standardError.write(Data((report.table + "\n").utf8))
            for result in report.results { try printJSON(["gemm": result]) }
            if precision == .bfloat16, pytorch { try compareBF16GEMM(report) }
        }
        if pipeline { try printJSON(["pipeline": try benchmarkPipeline()]) }
        guard !noEngine else { return }
        let threads = defaultThreadCount
        var peaks: [String: Double] = [:]
        for n in Set([1, threads]) { peaks["threads_\(n)"] = fmaPeak(threads: n) }
        try printJSON(["fma_peak_gflops": peaks])
        var ours = try benchmarkEngine(config: .reference, batch: 32, steps: steps ?? 10)
        ours.relate(toPeak: peaks["threads_\(threads)"]!)
        try printJSON(["engine": ours])
        if pytorch {
            // In bf16 the peer runs twice: under autocast(bfloat16), e2h's precision, and in
            // float32, PyTorch's default.
            let bf16 = MatmulPrecision.processDefault.effective == .bfloat16
            for (autocast, key) in bf16 ? [("bf16", "ratio_vs_pytorch"), ("none", "ratio_vs_pytorch_fp32")]
                                        : [("none", "ratio_vs_pytorch")] {
                let peer = try runPeer(autocast: autocast)
                print(peer)
                guard let data = peer.data(using: .utf8),
                      let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { continue }
                var ratio: [String: Double] = [:]
                for (name, ourValue) in [("train_tokens_per_s", ours.trainTokensPerSecond),
                                         ("forward_tokens_per_s", ours.forwardTokensPerSecond),
                                         ("decode_tokens_per_s", ours.decodeTokensPerSecond)] {
                    if let theirs = object[name] as? Double, theirs > 0 { ratio[name] = ourValue / theirs }
                }
                try printJSON([key: ratio])
            }
        }
    }

    /// `--model`: our figures, then llama.cpp's and the ratios when `--llama-cpp` is given.
    private func benchModel(_ path: String) throws {
        guard promptTokens >= 1, newTokens >= 1, decodeBatch >= 1, repetitions >= 1 else {
            throw ValidationError("--prompt-tokens, --new-tokens, --decode-batch and --repetitions must be positive")
        }
        var options = ModelBenchmarkOptions()
        options.promptTokens = promptTokens
        options.newTokens = newTokens
        options.batch = decodeBatch
        options.repetitions = repetitions
        options.keepQuantized = !floatWeights
        let threads = defaultThreadCount
        let ours = try benchmarkModel(url: URL(fileURLWithPath: path), options: options, fmaPeak: fmaPeak(threads: threads)) {
            FileHandle.standardError.write(Data(("e2h: " + $0 + "\n").utf8))
        }
        try printJSON(["e2h": ours])
        guard let llamaCpp else { return }
        let peer = try runLlamaCpp(bin: llamaCpp, model: path, threads: threads)
        print(peer)
        guard let object = try? JSONSerialization.jsonObject(with: Data(peer.utf8)) as? [String: Any] else {
            throw ValidationError("the llama.cpp peer printed no JSON object")
        }
        let tg = object["tg_tokens_per_second"] as? Double ?? 0, pp = object["pp_tokens_per_second"] as? Double ?? 0
        let batched = (object["batched"] as? [String: Any])?["\(decodeBatch)"] as? Double ?? 0
        let peakRSS = object["peak_rss_bytes"] as? Double ?? Double(object["peak_rss_bytes"] as? Int ?? 0)
        var ratio: [String: Double] = [:]
        if pp > 0 { ratio["prompt_vs_llama_pp"] = ours.promptTokensPerSecond / pp }
        if tg > 0 {
            ratio["batch1_vs_llama_tg"] = ours.decodeBatch1TokensPerSecond / tg
            ratio["batch_vs_llama_tg"] = ours.decodeBatchTokensPerSecond / tg
        }
        if batched > 0 { ratio["batch_vs_llama_batched"] = ours.decodeBatchTokensPerSecond / batched }
        if peakRSS > 0 { ratio["peak_rss_vs_llama"] = Double(ours.peakRSSBytes) / peakRSS }
        try printJSON(["ratio_vs_llama_cpp": ratio])
        func row(_ name: String, _ ours: Double, _ theirs: Double, _ ratio: Double?, digits: Int = 1) -> String {
            let cells = [String(format: "%.\(digits)f", ours), String(format: "%.\(digits)f", theirs), String(format: "%.2f", ratio ?? 0)]
            return name.padding(toLength: 32, withPad: " ", startingAt: 0)
                + cells.map { String(repeating: " ", count: max(0, 12 - $0.count)) + $0 }.joined()
        }
        let table = [
            "figure".padding(toLength: 32, withPad: " ", startingAt: 0) + "         e2h   llama.cpp       ratio",
            row("prompt tokens/s (p\(promptTokens))", ours.promptTokensPerSecond, pp, ratio["prompt_vs_llama_pp"]),
            row("decode tokens/s, batch 1", ours.decodeBatch1TokensPerSecond, tg, ratio["batch1_vs_llama_tg"]),
            row("decode tokens/s, batch \(decodeBatch)", ours.decodeBatchTokensPerSecond, batched, ratio["batch_vs_llama_batched"]),
            row("batch \(decodeBatch) vs llama.cpp batch 1", ours.decodeBatchTokensPerSecond, tg, ratio["batch_vs_llama_tg"]),
            row("peak RSS MB", Double(ours.peakRSSBytes) / 1e6, peakRSS / 1e6, ratio["peak_rss_vs_llama"], digits: 0),
        ]
        FileHandle.standardError.write(Data((table.joined(separator: "\n") + "\n").utf8))
    }

    /// `--model M --finetune`: e2h's fine-tuning figure, and the transformers peer's with `--transformers`.
    private func benchFinetune(_ path: String) throws {
        var options = FinetuneBenchmarkOptions()
        options.batch = batch
        options.context = context ?? 128
        options.steps = steps ?? 3
        guard rounds >= 1 else { throw ValidationError("--rounds must be positive") }
        let threads = defaultThreadCount
        let peak = fmaPeak(threads: threads)
        let bench = try FinetuneBenchmark(url: URL(fileURLWithPath: path), options: options)
        let flopsPerToken = finetuneFlopsPerToken(config: bench.model.config, context: options.context)
        // The peer in e2h's precision (autocast bf16 when e2h's products are bf16), at 1 and all
        // threads; with bf16, also the peer's default float32 at all threads.
        let bf16 = MatmulPrecision.processDefault.effective == .bfloat16
        let peerRuns = Array(Set([1, threads])).sorted().map { (threads: $0, autocast: bf16) } + (bf16 ? [(threads: threads, autocast: false)] : [])
        func key(_ run: (threads: Int, autocast: Bool)) -> String {
            (bf16 && !run.autocast ? "transformers_fp32_threads_" : "transformers_threads_") + "\(run.threads)"
        }
        var ours: [Double] = [], theirs: [String: [Double]] = [:]
        for round in 0..<(transformers ? rounds : 1) {
            let result = try bench.measure(fmaPeak: peak)
            try printJSON(["e2h_finetune": result])
            ours.append(result.tokensPerSecond)
            guard transformers else { return }
            for run in peerRuns {
                let line = try runFinetunePeer(model: path, threads: run.threads, autocast: run.autocast, options: options)
                print(line)
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let rate = object["finetune_tokens_per_s"] as? Double else {
                    throw ValidationError("the transformers peer printed no finetune_tokens_per_s (round \(round + 1), \(run.threads) threads)")
                }
                theirs[key(run), default: []].append(rate)
            }
        }
        let e2h = medianValue(ours)
        func figure(_ rate: Double) -> [String: Double] {
            let gflops = rate * flopsPerToken / 1e9
            return ["tokens_per_s": rate, "gflops": gflops, "percent_of_peak": peak > 0 ? 100 * gflops / peak : 0]
        }
        var summary: [String: [String: Double]] = ["e2h": figure(e2h)]
        var lines = [String(format: "e2h fine-tuning, %@ products (median of %d rounds): %.1f tokens/s, %.1f GF/s, %.1f%% of the %.1f GF/s fp32 FMA peak",
                            bf16 ? "bf16" : "fp32", rounds, e2h, e2h * flopsPerToken / 1e9, summary["e2h"]!["percent_of_peak"]!, peak)]
        if bf16 {
            // bf16 products run on the tiles: their peak is the one to compare with.
            let tiles = MatmulPrecision.tilePeakGFLOPS(threads: threads)
            summary["e2h"]!["amx_bf16_peak_gflops"] = tiles
            summary["e2h"]!["percent_of_amx_peak"] = tiles > 0 ? 100 * summary["e2h"]!["gflops"]! / tiles : 0
            lines.append(String(format: "  %.1f%% of the %.1f GF/s bf16 AMX tile peak", summary["e2h"]!["percent_of_amx_peak"]!, tiles))
        }
        for run in peerRuns {
            let rate = medianValue(theirs[key(run)] ?? [])
            var entry = figure(rate)
            entry["e2h_ratio"] = rate > 0 ? e2h / rate : 0
            summary[key(run)] = entry
            lines.append(String(format: "transformers%@, %d thread%@: %.1f tokens/s, %.1f GF/s, %.1f%% of peak; e2h / transformers %.2fx",
                                run.autocast ? " (autocast bf16)" : bf16 ? " (fp32)" : "", run.threads, run.threads == 1 ? "" : "s",
                                rate, entry["gflops"]!, entry["percent_of_peak"]!, entry["e2h_ratio"]!))
        }
        try printJSON(["finetune_vs_transformers": summary])
        FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }

    private func runFinetunePeer(model: String, threads: Int, autocast: Bool, options: FinetuneBenchmarkOptions) throws -> String {
        try runPythonPeer(["python3", finetuneScript, "--model", model, "--threads", "\(threads)", "--batch", "\(options.batch)",
                           "--context", "\(options.context)", "--steps", "\(options.steps)", "--warmup", "\(options.warmup)",
                           "--autocast", autocast ? "bf16" : "none"],
                          failure: "the transformers peer failed (exit %d): python3 \(finetuneScript); are torch and transformers installed?")
    }

    private func runLlamaCpp(bin: String, model: String, threads: Int) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", llamaScript, "--bin", bin, "--model", model, "--threads", "\(threads)",
                             "--prompt", "\(promptTokens)", "--gen", "\(newTokens)", "--batch", "\(decodeBatch)"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ValidationError("the llama.cpp peer failed (exit \(process.terminationStatus)): \(llamaScript) --bin \(bin)")
        }
        let lines = String(decoding: output, as: UTF8.self).split(separator: "\n")
        return String(lines.last { $0.hasPrefix("{") } ?? "")
    }

    /// GF/s of the FMA loop of the widest vector unit the GEMM uses (AVX-512 where the CPU has it,
    /// else AVX2) on `threads` threads, best of three runs (0 without AVX2+FMA).
    private func fmaPeak(threads: Int) -> Double {
        #if arch(x86_64)
        guard GEMMKernel.avx2.isSupported else { return 0 }
        let wide = GEMMKernel.avx512.isSupported
        let iterations = wide ? 2_000_000 : 4_000_000  // 768 MFLOP per thread
        var best = 0.0
        for _ in 0..<3 {
            let start = DispatchTime.now()
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                _ = wide ? avx512FMALoop(iterations: iterations, seed: Float(t)) : avx2FMALoop(iterations: iterations, seed: Float(t))
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
            best = max(best, Double(threads * iterations * (wide ? 384 : 192)) / seconds / 1e9)
        }
        return best
        #else
        return 0
        #endif
    }

    /// `--matmul bf16 --pytorch`: PyTorch's bfloat16 matmul on the same cases (bench/peers/
    /// gemm_torch_bf16.py, float32 operands converted as e2h's are), and the ratios.
    private func compareBF16GEMM(_ report: GEMMBenchmarkReport) throws {
        let threads = Array(Set(report.results.map(\.threads))).sorted().map(String.init).joined(separator: ",")
        let output = try runPythonPeerLines(["python3", gemmPeerScript, "--seconds", "\(gemmSeconds)", "--threads", threads],
                                            failure: "the PyTorch bf16 GEMM peer failed (exit %d); is torch installed?")
        var peer: [String: [String: Any]] = [:]
        for line in output.split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let form = object["form"] as? String, let m = object["m"] as? Int, let n = object["n"] as? Int,
                  let k = object["k"] as? Int, let t = object["threads"] as? Int else { continue }
            peer["\(form) \(m) \(n) \(k) \(t)"] = object
        }
        var lines = ["bf16 GEMM against PyTorch's bf16 matmul (float32 operands converted in both)",
                     "form      m     n     k  thr  e2h GF/s  torch GF/s   ratio  torch kernel only"]
        for r in report.results {
            guard let theirs = peer["\(r.form.rawValue) \(r.m) \(r.n) \(r.k) \(r.threads)"],
                  let convert = theirs["convert_gflops"] as? Double, let kernel = theirs["kernel_gflops"] as? Double else { continue }
            try printJSON(["gemm_bf16_vs_pytorch": ["form": r.form.rawValue, "m": "\(r.m)", "n": "\(r.n)", "k": "\(r.k)",
                                                    "threads": "\(r.threads)", "e2h_gflops": String(format: "%.1f", r.gflops),
                                                    "torch_gflops": String(format: "%.1f", convert),
                                                    "torch_kernel_gflops": String(format: "%.1f", kernel),
                                                    "ratio": String(format: "%.3f", r.gflops / convert)]])
            lines.append(String(repeating: " ", count: 4 - r.form.rawValue.count) + r.form.rawValue
                         + String(format: " %6d %5d %5d %4d %9.1f %11.1f %7.2f %18.1f", r.m, r.n, r.k, r.threads,
                                  r.gflops, convert, r.gflops / convert, kernel))
        }
        FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }

    /// The PyTorch peer, under `--autocast autocast` (bf16 or none).
    private func runPeer(autocast: String) throws -> String {
        try runPythonPeer(["python3", peerScript, "--threads", "\(ProcessInfo.processInfo.activeProcessorCount)",
                           "--autocast", autocast],
                          failure: "the PyTorch peer failed (exit %d); is torch installed?")
    }

    /// Runs a Python peer (`arguments` after /usr/bin/env, OMP_PROC_BIND=true) and returns its last
    /// JSON line; a failure throws `failure` with the exit status in place of %d.
    private func runPythonPeer(_ arguments: [String], failure: String) throws -> String {
        let lines = try runPythonPeerLines(arguments, failure: failure).split(separator: "\n")
        return String(lines.last { $0.hasPrefix("{") } ?? "")
    }

    /// A Python peer's whole standard output.
    private func runPythonPeerLines(_ arguments: [String], failure: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["OMP_PROC_BIND"] = "true"
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ValidationError(failure.replacingOccurrences(of: "%d", with: "\(process.terminationStatus)"))
        }
        return String(decoding: output, as: UTF8.self)
    }
}

func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
