import Foundation
import Reranking

/// Plain-text tables of a summary for the terminal: one table per group (easy, hard, all), rows =
/// method x aggregation, columns = N, cells = mean accuracy in percent.
public enum TerminalTable {
    /// The input counts and one table per group.
    /// - Parameter groups: group names to print (default easy, hard, all; those without problems are skipped).
    public static func render(_ summary: RerankSummary, groups: [String] = ["easy", "hard", "all"]) -> String {
        var out = inputLines(summary)
        for name in groups {
            guard let g = summary.groups.first(where: { $0.name == name }), g.problems > 0 else { continue }
            out += "\n" + table(summary, group: g)
        }
        if let d = diagnosticsLines(summary) { out += "\n" + d }
        return out
    }

    static func inputLines(_ s: RerankSummary) -> String {
        let i = s.input
        var out = "problems: \(i.problemsWithSamples) with samples"
        if i.problemsWithoutSamples > 0 { out += ", \(i.problemsWithoutSamples) without (not in the curves)" }
        out += "; samples: \(i.samplesUsed) used of \(i.samples) read, pools of \(i.poolSizeMin)"
        out += i.poolSizeMax != i.poolSizeMin ? "-\(i.poolSizeMax)" : ""
        out += String(format: "; %.1f%% correct, %d without an answer\n", 100 * Double(i.samplesCorrect) / Double(Swift.max(i.samplesUsed, 1)), i.samplesWithoutAnswer)
        if !i.skipped.isEmpty {
            out += "skipped records: " + i.skipped.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "\n"
        }
        out += "trials per N: \(s.trials.first ?? 0) (1 at N = pool size), seed \(s.options.seed); accuracy in %, mean over trials\n"
        return out
    }

    /// Rows of one group.
    static func table(_ s: RerankSummary, group g: ProblemGroup) -> String {
        var rows: [(String, Curve)] = []
        if let c = s.curve(.majority, group: g.name) { rows.append(("majority", c)) }
        for m in [RerankMethod.bestOfN, .weightedVoting] {
            for a in s.aggregations {
                if let c = s.curve(m, a, group: g.name) { rows.append(("\(m.label) \(a.rawValue)", c)) }
            }
        }
        if let c = s.curve(.passAtN, group: g.name) { rows.append(("pass@N (oracle)", c)) }
        let labelWidth = Swift.max(22, (rows.map { $0.0.count }.max() ?? 0) + 2)
        let widths = s.nValues.map { Swift.max(6, String($0).count + 1) }
        var header = "\(g.name) (\(g.problems) problem\(g.problems == 1 ? "" : "s"))".padding(toLength: labelWidth, withPad: " ", startingAt: 0)
        for (k, n) in s.nValues.enumerated() { header += pad("\(n)", widths[k]) }
        var out = header + "\n" + String(repeating: "-", count: header.count) + "\n"
        for (label, c) in rows {
            var line = label.padding(toLength: labelWidth, withPad: " ", startingAt: 0)
            for (k, m) in c.mean.enumerated() { line += pad(String(format: "%.1f", m * 100), widths[k]) }
            out += line + "\n"
        }
        return out
    }

    static func diagnosticsLines(_ s: RerankSummary) -> String? {
        let d = s.diagnostics
        if d.outcomeAUC.isEmpty && d.stepAUC.isEmpty { return nil }
        func auc(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "  -  " }
        var out = "reward-model diagnostics (ROC AUC; - = undefined)\n"
        let groups = ["all", "easy", "hard"]
        out += "outcome AUC".padding(toLength: 22, withPad: " ", startingAt: 0) + groups.map { pad($0, 8) }.joined() + "\n"
        for a in s.aggregations {
            var line = "  \(a.rawValue)".padding(toLength: 22, withPad: " ", startingAt: 0)
            for g in groups { line += pad(auc(d.outcomeAUC.first { $0.aggregation == a && $0.group == g }?.auc), 8) }
            out += line + "\n"
        }
        if !d.withinProblemAUC.isEmpty {
            out += "within-problem AUC".padding(toLength: 22, withPad: " ", startingAt: 0) + "\n"
            for a in s.aggregations {
                var line = "  \(a.rawValue)".padding(toLength: 22, withPad: " ", startingAt: 0)
                for g in groups { line += pad(auc(d.withinProblemAUC.first { $0.aggregation == a && $0.group == g }?.auc), 8) }
                out += line + "\n"
            }
        }
        if !d.stepAUC.isEmpty {
            var line = "step AUC".padding(toLength: 22, withPad: " ", startingAt: 0)
            for g in groups { line += pad(auc(d.stepAUC.first { $0.group == g }?.auc), 8) }
            out += line + "\n"
        }
        if let f = d.firstErrorStep.first(where: { $0.group == "all" }) {
            out += "first error step (p < \(f.threshold)): error acc \(auc(f.errorAccuracy)), correct acc \(auc(f.correctAccuracy)), "
            out += "F1 \(auc(f.f1)) (\(f.erroneous) erroneous, \(f.correct) correct samples)\n"
        }
        return out
    }

    private static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? " " + s : String(repeating: " ", count: width - s.count) + s
    }
}
