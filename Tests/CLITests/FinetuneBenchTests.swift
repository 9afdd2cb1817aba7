import Foundation
import Testing

/// `e2h bench --model M --finetune`: fine-tuning tokens/s of a real model (docs/models.md,
/// "Fine-tuning speed"), on the committed tiny Llama checkpoint.
@Suite("e2h bench --finetune")
struct FinetuneBenchTests {
    static let tinyLlama = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        .appendingPathComponent("Tests/RealModelTests/Fixtures/tiny-llama").path

    /// The JSON object printed under `key` on one of `output`'s lines.
    func object(_ key: String, in output: String) throws -> [String: Any] {
        for line in output.split(separator: "\n") {
            if let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
               let value = json[key] as? [String: Any] { return value }
        }
        throw CLIError("no \(key) line in: \(output)")
    }

    @Test func printsTokensPerSecondAndItsShareOfThePeak() throws {
        let result = try runE2H(["bench", "--model", Self.tinyLlama, "--finetune", "--batch", "2", "--context", "16",
                                 "--steps", "3"])
        #expect(result.status == 0, "\(result.err)")
        let line = try object("e2h_finetune", in: result.out)
        #expect(line["batch"] as? Int == 2)
        #expect(line["context"] as? Int == 16)
        #expect((line["step_s"] as? [Double])?.count == 3)
        let median = try #require(line["step_s_median"] as? Double)
        let rate = try #require(line["finetune_tokens_per_s"] as? Double)
        #expect(median > 0)
        #expect(abs(rate - 32 / median) <= 1e-6 * rate)
        // Untied tiny Llama: every tensor trains (the LM head too); no score head is counted as trained.
        let parameters = try #require(line["parameters"] as? Int), trained = try #require(line["trained_parameters"] as? Int)
        #expect(trained > 0 && trained <= parameters)
        #expect(trained >= 320 * 64 * 2 + 2 * (64 * 128 + 128 * 64 * 3))  // embeddings, LM head, attention and MLP
        // A random 320-token vocabulary: the loss of a fresh model is near ln 320 = 5.77.
        let loss = try #require(line["last_loss"] as? Double)
        #expect(loss.isFinite && loss > 3 && loss < 8)
        // 3 forwards' flops per token; the share of the measured FMA peak follows from it.
        let gflops = try #require(line["finetune_gflops"] as? Double), peak = try #require(line["fma_peak_gflops"] as? Double)
        #expect(gflops > 0)
        if peak > 0 {
            let percent = try #require(line["finetune_percent_of_peak"] as? Double)
            #expect(abs(percent - 100 * gflops / peak) <= 1e-6 * percent)
        }
    }

    @Test func aContextBeyondTheModelIsRefused() throws {
        let result = try runE2H(["bench", "--model", Self.tinyLlama, "--finetune", "--context", "129", "--steps", "1"])
        #expect(result.status != 0)
        #expect(result.err.contains("context 129 exceeds the model's max_position_embeddings 128"), "\(result.err)")
    }

    @Test func thePeerFlagNeedsFinetune() throws {
        let result = try runE2H(["bench", "--transformers"])
        #expect(result.status != 0)
        #expect(result.err.contains("--transformers needs --model M --finetune"), "\(result.err)")
    }

    static var hasPython: Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "pass"]
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    /// The peer's rounds and the ratio line, with a stand-in peer script (no torch needed): it
    /// prints 10 tokens/s per thread and records the arguments it was given.
    @Test(.enabled(if: hasPython)) func interleavesThePeerAndPrintsTheRatios() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("e2h-finetune-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = dir.appendingPathComponent("peer.py"), log = dir.appendingPathComponent("calls.txt")
        try """
            import json, sys
            args = sys.argv[1:]
            open(\(String(reflecting: log.path)), "a").write(" ".join(args) + "\\n")
            threads = int(args[args.index("--threads") + 1])
            print("loading...")
            print(json.dumps({"peer": "stand-in", "finetune_tokens_per_s": 10.0 * threads}))
            """.write(to: script, atomically: true, encoding: .utf8)
        let result = try runE2HWithThreads("2", ["bench", "--model", Self.tinyLlama, "--finetune", "--batch", "2", "--context", "8",
                                                 "--steps", "1", "--transformers", "--rounds", "2", "--finetune-script", script.path])
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out.components(separatedBy: "\"e2h_finetune\"").count - 1 == 2)
        let calls = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        #expect(calls.count == 4)  // 2 rounds × (1 thread, 2 threads)
        #expect(calls.first?.contains("--threads 1 --batch 2 --context 8 --steps 1") == true, "\(calls)")
        let summary = try object("finetune_vs_transformers", in: result.out)
        let ours = try #require((summary["e2h"] as? [String: Double])?["tokens_per_s"])
        let one = try #require(summary["transformers_threads_1"] as? [String: Double])
        let two = try #require(summary["transformers_threads_2"] as? [String: Double])
        #expect(one["tokens_per_s"] == 10 && two["tokens_per_s"] == 20)
        #expect(abs(one["e2h_ratio"]! - ours / 10) <= 1e-9 * ours)
        #expect(abs(two["e2h_ratio"]! - ours / 20) <= 1e-9 * ours)
        #expect(result.err.contains("e2h / transformers"))
    }

    /// `--matmul bf16`: the peer runs under autocast (and once more in fp32) where this CPU has AMX,
    /// and the loss stays near fp32's; elsewhere a warning and exactly fp32's figures.
    @Test(.enabled(if: hasPython)) func bf16ProductsRunThePeerInTheSamePrecision() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("e2h-finetune-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = dir.appendingPathComponent("peer.py"), log = dir.appendingPathComponent("calls.txt")
        try """
            import json, sys
            open(\(String(reflecting: log.path)), "a").write(" ".join(sys.argv[1:]) + "\\n")
            print(json.dumps({"peer": "stand-in", "finetune_tokens_per_s": 10.0}))
            """.write(to: script, atomically: true, encoding: .utf8)
        let common = ["bench", "--model", Self.tinyLlama, "--finetune", "--batch", "2", "--context", "16", "--steps", "3"]
        let bf16 = try runE2HWithThreads("2", common + ["--matmul", "bf16", "--transformers", "--finetune-script", script.path])
        #expect(bf16.status == 0, "\(bf16.err)")
        let fp32 = try runE2HWithThreads("2", common)
        #expect(fp32.status == 0, "\(fp32.err)")
        let ours = try object("e2h_finetune", in: bf16.out), reference = try object("e2h_finetune", in: fp32.out)
        #expect(reference["matmul"] as? String == "fp32")
        let calls = try String(contentsOf: log, encoding: .utf8).split(separator: "\n").map(String.init)
        let lossBF16 = try #require(ours["last_loss"] as? Double), lossFP32 = try #require(reference["last_loss"] as? Double)
        if ours["matmul"] as? String == "bf16" {
            #expect(calls.count == 3, "\(calls)")  // autocast at 1 and 2 threads, fp32 at 2
            #expect(calls.filter { $0.contains("--autocast bf16") }.count == 2, "\(calls)")
            #expect(calls.filter { $0.contains("--threads 2") && $0.contains("--autocast none") }.count == 1, "\(calls)")
            #expect(try object("finetune_vs_transformers", in: bf16.out)["transformers_fp32_threads_2"] != nil)
            // bfloat16 rounding moves the loss a little, not much (three steps of a fresh model).
            #expect(lossBF16 != lossFP32)
            #expect(abs(lossBF16 - lossFP32) < 0.02 * lossFP32, "bf16 \(lossBF16), fp32 \(lossFP32)")
        } else {
            #expect(ours["matmul"] as? String == "fp32")
            #expect(bf16.err.contains("no AMX-BF16 tiles"), "\(bf16.err)")
            #expect(calls.count == 2 && calls.allSatisfy { $0.contains("--autocast none") }, "\(calls)")
            #expect(lossBF16 == lossFP32)
        }
    }

    /// `--matmul bf16 --pytorch`'s GEMM section: e2h's bf16 products on every case, joined with the
    /// peer's figures (a stand-in that reports 100 GF/s converted, 200 kernel-only) into ratios.
    @Test(.enabled(if: hasPython)) func bf16GEMMCasesAreComparedWithThePeer() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("e2h-gemm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = dir.appendingPathComponent("peer.py")
        try """
            import json, sys
            threads = [int(t) for t in sys.argv[sys.argv.index("--threads") + 1].split(",")]
            for t in threads:
                for m, n, k in [(256, 256, 256), (512, 512, 512), (1024, 1024, 1024), (4096, 1024, 256), (4096, 256, 1024)]:
                    for form in ["nn", "nt", "tn"]:
                        print(json.dumps({"form": form, "m": m, "n": n, "k": k, "threads": t,
                                          "convert_gflops": 100.0, "kernel_gflops": 200.0}))
            """.write(to: script, atomically: true, encoding: .utf8)
        let result = try runE2HWithThreads("2", ["bench", "--no-engine", "--matmul", "bf16", "--pytorch", "--gemm-seconds", "0.01",
                                                 "--gemm-peer-script", script.path])
        #expect(result.status == 0, "\(result.err)")
        let cases = result.out.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["gemm"] as? [String: Any]
        }
        let compared = result.out.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["gemm_bf16_vs_pytorch"] as? [String: String]
        }
        #expect(cases.count == 30)
        if cases.first?["kernel"] as? String == "amx-bf16" {
            #expect(compared.count == 30)
            for line in compared {
                let ours = try #require(Double(line["e2h_gflops"] ?? "")), ratio = try #require(Double(line["ratio"] ?? ""))
                #expect(line["torch_gflops"] == "100.0" && line["torch_kernel_gflops"] == "200.0")
                #expect(abs(ratio - ours / 100) <= 0.002 * ratio + 1e-3, "\(line)")
            }
        } else {
            #expect(compared.isEmpty)  // no AMX: the products stay fp32 and no bf16 peer runs
        }
    }

    /// `--pytorch --matmul bf16`'s engine section: the peer under autocast(bfloat16), then once in
    /// float32, each with its ratio line (a stand-in peer that logs its arguments).
    @Test(.enabled(if: hasPython)) func bf16EngineIsComparedWithBothPeerPrecisions() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("e2h-engine-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = dir.appendingPathComponent("peer.py"), log = dir.appendingPathComponent("calls.txt")
        try """
            import json, sys
            open("\(log.path)", "a").write(" ".join(sys.argv[1:]) + "\\n")
            print(json.dumps({"peer": "stand-in", "train_tokens_per_s": 100.0, "forward_tokens_per_s": 100.0,
                              "decode_tokens_per_s": 100.0}))
            """.write(to: script, atomically: true, encoding: .utf8)
        let result = try runE2H(["bench", "--no-gemm", "--steps", "1", "--pytorch", "--matmul", "bf16", "--peer-script", script.path])
        #expect(result.status == 0, "\(result.err)")
        let lines = result.out.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let engine = try #require(lines.compactMap { $0["engine"] as? [String: Any] }.first)
        let decode = try #require(engine["decode_tokens_per_s"] as? Double)
        let calls = try String(contentsOf: log, encoding: .utf8).split(separator: "\n").map(String.init)
        let ratios = lines.compactMap { $0["ratio_vs_pytorch"] as? [String: Double] }
        let fp32Ratios = lines.compactMap { $0["ratio_vs_pytorch_fp32"] as? [String: Double] }
        #expect(ratios.count == 1 && abs((ratios.first?["decode_tokens_per_s"] ?? 0) - decode / 100) < 1e-6 * decode)
        if engine["matmul"] as? String == "bf16" {
            #expect(calls.count == 2 && calls[0].contains("--autocast bf16") && calls[1].contains("--autocast none"), "\(calls)")
            #expect(fp32Ratios.count == 1)
        } else {  // no AMX: one float32 comparison
            #expect(calls.count == 1 && calls[0].contains("--autocast none"), "\(calls)")
            #expect(fp32Ratios.isEmpty)
        }
    }

    @Test func anUnknownPrecisionIsRefused() throws {
        let result = try runE2H(["bench", "--no-gemm", "--no-engine", "--matmul", "fp16"])
        #expect(result.status != 0)
        #expect(result.err.contains("--matmul must be fp32 or bf16; found fp16"), "\(result.err)")
    }

    /// `runE2H` with E2H_THREADS set in the child's environment only.
    func runE2HWithThreads(_ threads: String, _ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        try runE2H(arguments, environment: ["E2H_THREADS": threads])
    }
}

/// `e2h run --matmul bf16` records the precision in config.json, so that a resume computes as the
/// run started; fp32 stays the absent default, and a bad value in a config file is named.
@Suite("e2h run --matmul")
struct RunMatmulTests {
    @Test func theRunRecordsItsPrecision() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("e2h-matmul-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try runE2H(["run", "--quick", "--until", "data", "--matmul", "bf16", "--out", dir.path])
        #expect(first.status == 0, "\(first.err)")
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("config.json"))) as? [String: Any]
        #expect(config?["matmul"] as? String == "bf16")
        let resumedWithoutIt = try runE2H(["run", "--quick", "--until", "data", "--out", dir.path])
        #expect(resumedWithoutIt.status != 0)
        #expect(resumedWithoutIt.err.contains("matmul"), "\(resumedWithoutIt.err)")
        let resumed = try runE2H(["run", "--quick", "--until", "data", "--out", dir.path], environment: ["E2H_MATMUL": "bf16"])
        #expect(resumed.status == 0, "\(resumed.err)")

        let plain = dir.appendingPathComponent("fp32")
        let fp32 = try runE2H(["run", "--quick", "--until", "data", "--matmul", "fp32", "--out", plain.path])
        #expect(fp32.status == 0, "\(fp32.err)")
        let plainConfig = try JSONSerialization.jsonObject(with: Data(contentsOf: plain.appendingPathComponent("config.json"))) as? [String: Any]
        #expect(plainConfig != nil && plainConfig?["matmul"] == nil)

        let bad = dir.appendingPathComponent("bad.json")
        try Data(#"{"matmul": "fp16"}"#.utf8).write(to: bad)
        let refused = try runE2H(["run", "--quick", "--until", "data", "--config", bad.path, "--out", dir.appendingPathComponent("bad").path])
        #expect(refused.status != 0)
        #expect(refused.err.contains("matmul must be fp32 or bf16; found fp16"), "\(refused.err)")
    }
}
