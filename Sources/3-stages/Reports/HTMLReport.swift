import Foundation
import Reranking

/// `index.html`: the figures and the tables of a summary on one self-contained page (the SVG
/// files sit next to it).
public enum HTMLReport {
    /// The page; `figures` are the SVG file names to show.
    public static func page(_ s: RerankSummary, figures: [String]) -> String {
        var h = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Re-ranking report</title>
        <style>
        body { font-family: Helvetica, Arial, sans-serif; margin: 24px auto; max-width: 1200px; color: #222; }
        h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 32px; } h3 { font-size: 15px; }
        table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; }
        th, td { border-bottom: 1px solid #ddd; padding: 3px 9px; text-align: right; white-space: nowrap; }
        th:first-child, td:first-child { text-align: left; }
        thead th { background: #f4f4f4; }
        td.best { font-weight: bold; }
        .note { color: #555; font-size: 13px; }
        img { max-width: 100%; border: 1px solid #eee; margin: 8px 0; }
        </style></head><body>
        <h1>Re-ranking report</h1>

        """
        h += "<p class=\"note\">" + escapeXML(TerminalTable.inputLines(s)).replacingOccurrences(of: "\n", with: "<br>") + "</p>\n"
        if !s.input.skippedExamples.isEmpty {
            h += "<p class=\"note\">first skipped records:<br>" + s.input.skippedExamples.map(escapeXML).joined(separator: "<br>") + "</p>\n"
        }
        h += "<h2>Figures</h2>\n"
        for f in figures { h += "<img src=\"\(escapeXML(f))\" alt=\"\(escapeXML(f))\">\n" }
        h += "<h2>Accuracy (%) by group: mean &plusmn; std over trials</h2>\n"
        for g in s.groups where g.problems > 0 { h += table(s, g) }
        h += diagnostics(s)
        h += "<p class=\"note\">Schema of summary.json: docs/rerank.md. Ties are split (a tie among k answers earns 1/k if one is correct).</p>\n"
        return h + "</body></html>\n"
    }

    static func table(_ s: RerankSummary, _ g: ProblemGroup) -> String {
        var rows: [(String, Curve)] = []
        if let c = s.curve(.majority, group: g.name) { rows.append(("majority", c)) }
        for m in [RerankMethod.weightedVoting, .bestOfN] {
            for a in s.aggregations { if let c = s.curve(m, a, group: g.name) { rows.append(("\(m.label) \(a.rawValue)", c)) } }
        }
        if let c = s.curve(.passAtN, group: g.name) { rows.append(("pass@N (oracle)", c)) }
        // The best re-ranker (not the oracle) at each N is bold.
        let rerankers = rows.filter { $0.1.method != .passAtN }
        let best = s.nValues.indices.map { k in rerankers.map { $0.1.mean[k] }.max() ?? -1 }
        var h = "<h3>\(escapeXML(SummaryFigures.title(g)))</h3>\n<table><thead><tr><th>method</th>"
        for n in s.nValues { h += "<th>N=\(n)</th>" }
        h += "</tr></thead><tbody>\n"
        for (label, c) in rows {
            h += "<tr><td>\(escapeXML(label))</td>"
            for k in c.mean.indices {
                let cls = c.method != .passAtN && c.mean[k] == best[k] ? " class=\"best\"" : ""
                let sd = c.std[k] > 0 ? String(format: " &plusmn; %.1f", c.std[k] * 100) : ""
                h += "<td\(cls)>" + String(format: "%.1f", c.mean[k] * 100) + sd + "</td>"
            }
            h += "</tr>\n"
        }
        return h + "</tbody></table>\n"
    }

    static func diagnostics(_ s: RerankSummary) -> String {
        let d = s.diagnostics
        if d.outcomeAUC.isEmpty && d.stepAUC.isEmpty { return "" }
        func auc(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "&ndash;" }
        let groups = ["all", "easy", "hard"]
        var h = "<h2>Reward-model diagnostics</h2>\n<table><thead><tr><th>ROC AUC</th>"
        for g in groups { h += "<th>\(g)</th>" }
        h += "</tr></thead><tbody>\n"
        for a in s.aggregations {
            h += "<tr><td>outcome, \(a.rawValue)</td>"
            for g in groups { h += "<td>\(auc(d.outcomeAUC.first { $0.aggregation == a && $0.group == g }?.auc))</td>" }
            h += "</tr>\n"
        }
        for a in s.aggregations where !d.withinProblemAUC.isEmpty {
            h += "<tr><td>within problem, \(a.rawValue)</td>"
            for g in groups { h += "<td>\(auc(d.withinProblemAUC.first { $0.aggregation == a && $0.group == g }?.auc))</td>" }
            h += "</tr>\n"
        }
        if !d.stepAUC.isEmpty {
            h += "<tr><td>step</td>"
            for g in groups { h += "<td>\(auc(d.stepAUC.first { $0.group == g }?.auc))</td>" }
            h += "</tr>\n"
        }
        h += "</tbody></table>\n"
        if !d.firstErrorStep.isEmpty {
            h += "<table><thead><tr><th>first error step (p &lt; \(d.firstErrorStep[0].threshold))</th><th>erroneous</th><th>error acc</th><th>correct</th><th>correct acc</th><th>F1</th></tr></thead><tbody>\n"
            for f in d.firstErrorStep {
                h += "<tr><td>\(f.group)</td><td>\(f.erroneous)</td><td>\(auc(f.errorAccuracy))</td><td>\(f.correct)</td><td>\(auc(f.correctAccuracy))</td><td>\(auc(f.f1))</td></tr>\n"
            }
            h += "</tbody></table>\n"
        }
        return h
    }
}
