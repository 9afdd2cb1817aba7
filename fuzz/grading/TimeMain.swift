// Times grading of JSONL lines {"gold":..,"pred":..} (each graded gold-vs-pred and pred-vs-gold) and
// prints the slowest ones: `grading-time FILE.jsonl [N]` (built by build.sh).
import Foundation

@main
struct TimeMain {
    static func main() {
        let args = CommandLine.arguments
        guard args.count >= 2, let data = FileManager.default.contents(atPath: args[1]) else {
            print("usage: grading-time FILE.jsonl [N]")
            return
        }
        let show = args.count >= 3 ? Int(args[2]) ?? 10 : 10
        var rows: [(Double, String)] = []
        let clock = ContinuousClock()
        let grader = BatchGrader()
        for (k, line) in BatchGrader.lines(of: String(decoding: data, as: UTF8.self)).enumerated() {
            let start = clock.now
            let r = grader.gradeLine(line, lineNumber: k + 1)
            let e = clock.now - start
            let ms = Double(e.components.attoseconds) * 1e-15 + Double(e.components.seconds) * 1e3
            rows.append((ms, "line \(k + 1): \(r.json.prefix(160))"))
        }
        rows.sort { $0.0 > $1.0 }
        let total = rows.reduce(0) { $0 + $1.0 }
        print(String(format: "%d lines, %.1f ms total, %.0f lines/s", rows.count, total, Double(rows.count) / max(total / 1000, 1e-9)))
        for (ms, s) in rows.prefix(show) { print(String(format: "%8.2f ms  ", ms) + s) }
    }
}
