import Reranking
import Foundation
import Support

/// The paper-scale speed benchmark: synthetic problems and scored samples, re-ranked end to end.
///
/// Default scale (PAPER.md): 500 problems x 1024 samples with step scores and labels, 7
/// aggregations x 3 methods (plus pass@N), N = 1..1024, 100 trials.
public enum RerankBenchmark {
    /// The synthetic data set.
    public struct Config: Sendable {
        public var problems = 500
        public var samplesPerProblem = 1024
        /// Steps per solution before the final answer (uniform in the range).
        public var steps: ClosedRange<Int> = 3...10
        public var seed: UInt64 = 2024
        public init() {}
    }

    /// Timings (seconds) and memory of one benchmark run.
    public struct Report: Sendable {
        public var problems: Int
        public var samples: Int
        public var serializeSeconds: Double
        public var parseSeconds: Double
        public var timing: RerankTiming
        /// Resident memory (bytes) with the parsed input loaded, before re-ranking, and the peak
        /// while re-ranking (Linux: the high-water mark is reset in between; elsewhere it is the
        /// process peak). Their difference is the working memory of re-ranking.
        public var inputResidentBytes: Int
        public var peakResidentBytes: Int
        /// The size of the samples as JSON Lines.
        public var samplesFileBytes: Int
        public var summary: RerankSummary

        /// Aggregation + curves: the computation after answers are grouped.
        public var afterGrouping: RerankTiming.Stage { timing.aggregation + timing.curves }

        public var text: String {
            func row(_ name: String, _ s: RerankTiming.Stage, _ note: String = "") -> String {
                let pad = name.padding(toLength: 16, withPad: " ", startingAt: 0)
                return "  " + pad + String(format: "%8.1f ms wall %8.1f ms CPU", s.wall * 1000, s.cpu * 1000) + note + "\n"
            }
            var out = "rerank benchmark: \(problems) problems x \(samples / max(problems, 1)) samples, "
            out += "\(summary.aggregations.count) aggregations, \(summary.methods.count) methods, "
            out += "N = \(summary.nValues.first ?? 0)...\(summary.nValues.last ?? 0), \(summary.options.trials) trials, "
            out += "\(workerCount(summary.options.threads)) threads\n"
            out += String(format: "  samples JSONL   %.1f MB (write %.1f ms, parse %.1f ms wall)\n",
                          Double(samplesFileBytes) / 1e6, serializeSeconds * 1000, parseSeconds * 1000)
            out += row("validation", timing.validation)
            out += row("grouping", timing.grouping, "  (\(summary.input.distinctAnswers) distinct answers, "
                       + "\(summary.input.answerGroups) groups, \(summary.input.graderComparisons) grader comparisons)")
            out += row("aggregation", timing.aggregation)
            out += row("curves", timing.curves)
            out += row("diagnostics", timing.diagnostics)
            out += row("after grouping", afterGrouping, "  (aggregation + curves)")
            out += row("total", timing.total, "  (validation + grouping + aggregation + curves + diagnostics)")
            out += String(format: "  memory          %.0f MB resident with the input loaded; peak %.0f MB while re-ranking (+%.0f MB)",
                          Double(inputResidentBytes) / 1e6, Double(peakResidentBytes) / 1e6,
                          Double(peakResidentBytes - inputResidentBytes) / 1e6)
            return out
        }
    }

    /// Generates, serializes to JSONL, parses back and re-ranks with the grader.
    public static func run(_ config: Config = Config(), options: RerankOptions = RerankOptions()) throws -> Report {
        let clock = ContinuousClock()
        func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }
        var input = makeInput(config)
        var bytes: [UInt8] = []
        let tWrite = clock.measure { bytes = jsonLines(input.samples) }
        input.samples = []
        let tParse = try clock.measure { input.samples = try RerankReader.samples(from: bytes).records }
        let fileBytes = bytes.count
        bytes = []
        let before = Memory.resetPeak()
        let summary = try rerank(input, options: options)
        return Report(problems: config.problems, samples: input.samples.count, serializeSeconds: seconds(tWrite),
                      parseSeconds: seconds(tParse), timing: summary.timing, inputResidentBytes: before,
                      peakResidentBytes: Memory.peak(), samplesFileBytes: fileBytes, summary: summary)
    }

    /// Synthetic problems (levels 1-5 in turn) and samples. Gold answers are fractions; correct
    /// samples write them in several equivalent forms (`\frac{3}{4}`, `3/4`, `0.75`), wrong ones draw
    /// from a skewed set of wrong values, 3% have no answer. Accuracy falls with the level. Step
    /// logits are higher before a sample's first wrong step than after it; labels mark that step.
    public static func makeInput(_ config: Config) -> RerankInput {
        var rng = SeededGenerator(seed: config.seed)
        func uniform() -> Double { Double(rng.next() >> 11) * 0x1p-53 }
        func normal(_ mean: Double, _ sd: Double) -> Double {
            let u = Swift.max(uniform(), 1e-300), v = uniform()
            return mean + sd * (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
        }
        var problems: [RerankProblem] = []
        var samples: [RerankSample] = []
        samples.reserveCapacity(config.problems * config.samplesPerProblem)
        for p in 0..<config.problems {
            let level = 1 + p % 5
            let den = 2 + rng.below(11), num = 1 + rng.below(3 * den)
            let id = "bench/\(p)"
            problems.append(RerankProblem(id: id, level: level, answer: "\\frac{\(num)}{\(den)}"))
            var forms = ["\\frac{\(num)}{\(den)}", "\(num)/\(den)", "\\dfrac{\(num)}{\(den)}", "\\frac{\(2 * num)}{\(2 * den)}"]
            if 1000 % den == 0 || den == 2 || den == 4 || den == 5 || den == 8 { forms.append(String(Double(num) / Double(den))) }
            let accuracy = 0.75 - 0.13 * Double(level - 1)
            for s in 0..<config.samplesPerProblem {
                let steps = config.steps.lowerBound + rng.below(config.steps.count)
                let r = uniform()
                let correct = r < accuracy
                var answer: String? = nil
                if correct {
                    answer = forms[rng.below(forms.count)]
                } else if r < 0.97 {
                    // Skewed wrong answers: a few popular mistakes, a long tail.
                    let k = Int(pow(uniform(), 3) * 60)
                    answer = k % 3 == 0 ? "\(num + k + 1)" : "\\frac{\(num + k + 1)}{\(den)}"
                }
                let firstError = correct ? steps : rng.below(steps + 1)
                var scores: [Double] = [], labels: [Bool] = []
                for i in 0..<steps {
                    scores.append(i < firstError ? normal(1.5, 1.5) : normal(-1, 1.5))
                    labels.append(i < firstError)
                }
                scores.append(correct ? normal(2, 1.5) : normal(-0.5, 1.5))
                labels.append(correct)
                let body = (1...steps).map { "Step \($0) of the solution." }.joined(separator: "\n\n")
                let output = answer.map { body + "\n\n# Answer\n\n" + $0 } ?? body
                samples.append(RerankSample(problemID: id, sampleIndex: s, output: output, stepScores: scores,
                                            stepLabels: labels))
            }
        }
        return RerankInput(problems: problems, samples: samples)
    }

    /// Samples as JSON Lines (`problem_id, sample_index, output, answer, step_scores, step_labels`).
    public static func jsonLines(_ samples: [RerankSample]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(samples.count * 300)
        func put(_ s: String) { out.append(contentsOf: s.utf8) }
        for s in samples {
            put("{\"problem_id\":"); appendJSONString(s.problemID, to: &out)
            put(",\"sample_index\":\(s.sampleIndex)")
            if let o = s.output { put(",\"output\":"); appendJSONString(o, to: &out) }
            if let a = s.answer { put(",\"answer\":"); appendJSONString(a, to: &out) }
            if let sc = s.stepScores {
                put(",\"step_scores\":[")
                for (k, x) in sc.enumerated() { if k > 0 { out.append(UInt8(ascii: ",")) }; put(x.description) }
                out.append(UInt8(ascii: "]"))
            }
            if let l = s.stepLabels {
                put(",\"step_labels\":[")
                for (k, b) in l.enumerated() { if k > 0 { out.append(UInt8(ascii: ",")) }; out.append(b ? 0x31 : 0x30) }
                out.append(UInt8(ascii: "]"))
            }
            put("}\n")
        }
        return out
    }

    /// Appends a JSON string literal of `s` (UTF-8).
    static func appendJSONString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out.append(0x5C); out.append(b)
            case UInt8(ascii: "\\"): out.append(0x5C); out.append(b)
            case 0x0A: out.append(0x5C); out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(0x5C); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(0x5C); out.append(UInt8(ascii: "t"))
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: Array("\\u00".utf8)); out.append(hex[Int(b >> 4)]); out.append(hex[Int(b & 15)])
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// Resident memory of this process.
enum Memory {
    /// Resets the peak (Linux: /proc/self/clear_refs) and returns the current resident bytes.
    static func resetPeak() -> Int {
        #if os(Linux)
        if let h = fopen("/proc/self/clear_refs", "w") { fputs("5", h); fclose(h) }
        return status("VmRSS:") ?? 0
        #else
        return peak()
        #endif
    }

    /// Peak resident bytes since the last reset (Linux), else of the whole process.
    static func peak() -> Int {
        #if os(Linux)
        if let v = status("VmHWM:") { return v }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024
        #else
        var usage = rusage()
        getrusage(RUSAGE_SELF, &usage)
        return usage.ru_maxrss
        #endif
    }

    /// A "kB" line of /proc/self/status, in bytes.
    private static func status(_ key: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(key) {
            let digits = line.dropFirst(key.count).filter(\.isNumber)
            return Int(String(digits)).map { $0 * 1024 }
        }
        return nil
    }
}
