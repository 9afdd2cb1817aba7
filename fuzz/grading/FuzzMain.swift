// libFuzzer entry point over `grade(gold:predicted:)` and `extractAnswer(from:)` (built by build.sh).
//
// An input is split at its first newline into gold and predicted text (invalid UTF-8 is replaced).
// Checked for every input: no crash, symmetry (grade(a, b) and grade(b, a) agree), reflexivity
// (grade(a, a) is equal whenever an answer is extracted), and time: each of the four calls is timed in
// CPU time of this thread (CLOCK_THREAD_CPUTIME_ID, so preemption on a loaded machine does not count); an
// input with a call over 10 ms is written to $GRADING_FUZZ_SLOW (default ./slow-inputs), and the process
// aborts when GRADING_FUZZ_STRICT=1.
import Foundation

/// CPU time of the calling thread, in milliseconds.
func threadCPUMilliseconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) * 1e3 + Double(t.tv_nsec) * 1e-6
}

/// Runs `body` and returns its result with the thread CPU time it took (ms).
func timed<T>(_ body: () -> T) -> (T, Double) {
    let start = threadCPUMilliseconds()
    let r = body()
    return (r, threadCPUMilliseconds() - start)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let cut = bytes.firstIndex(of: UInt8(ascii: "\n")) ?? size
    let a = String(decoding: UnsafeBufferPointer(rebasing: bytes[0..<cut]), as: UTF8.self)
    let b = cut < size ? String(decoding: UnsafeBufferPointer(rebasing: bytes[(cut + 1)...]), as: UTF8.self) : a
    let (_, t0) = timed { extractAnswer(from: a) }
    let (ab, t1) = timed { grade(gold: a, predicted: b) }
    let (ba, t2) = timed { grade(gold: b, predicted: a) }
    let (aa, t3) = timed { grade(gold: a, predicted: a) }
    let ms = max(t0, t1, t2, t3)
    if ab.isEqual != ba.isEqual {
        FileHandle.standardError.write(Data("asymmetric: \(ab) vs \(ba)\n".utf8))
        abort()
    }
    if aa.rung != .extraction && !aa.isEqual {
        FileHandle.standardError.write(Data("not reflexive: \(aa)\n".utf8))
        abort()
    }
    // Each call must stay under 10 ms of CPU time.
    if ms > 10 {
        let dir = ProcessInfo.processInfo.environment["GRADING_FUZZ_SLOW"] ?? "slow-inputs"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let name = "\(dir)/slow-\(String(format: "%.1f", ms))ms-\(size)-\(a.hashValue & 0xFFFFFF)"
        _ = FileManager.default.createFile(atPath: name, contents: Data(bytes))
        if ProcessInfo.processInfo.environment["GRADING_FUZZ_STRICT"] == "1" { abort() }
    }
    return 0
}

/// `GRADING_BENCH=FILE.jsonl [GRADING_BENCH_REPEATS=N] grading-fuzz`: instead of fuzzing, prints the
/// benchmark report of FILE (like `e2h grade --benchmark`, same optimized code) and the five slowest
/// lines of it (each graded once, in milliseconds of CPU time), then exits.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>) -> CInt {
    let env = ProcessInfo.processInfo.environment
    guard let path = env["GRADING_BENCH"] else { return 0 }
    guard let data = FileManager.default.contents(atPath: path) else {
        print("cannot read \(path)")
        exit(1)
    }
    // Grading has no line reader (the CLI uses Support's JSONLines): split at newlines, skip blank lines.
    let lines = Array(data).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
        .map { Array($0.last == UInt8(ascii: "\r") ? $0.dropLast() : $0[...]) }
        .filter { !$0.allSatisfy { $0 == UInt8(ascii: " ") } }
    if let cases = try? lines.enumerated().map({ try GradingBenchmark.parseCase($0.element, lineNumber: $0.offset + 1) }) {
        let report = GradingBenchmark.run(cases, repeats: Int(env["GRADING_BENCH_REPEATS"] ?? "1") ?? 1)
        print(report.json)
    }
    var rows: [(Double, String)] = []
    for (k, line) in lines.enumerated() {
        let (r, ms) = timed { BatchGrader().gradeLine(bytes: line, lineNumber: k + 1) }
        rows.append((ms, r.json))
    }
    rows.sort { $0.0 > $1.0 }
    for (ms, json) in rows.prefix(5) { print(String(format: "%8.3f ms  ", ms) + json.prefix(200)) }
    exit(0)
}
