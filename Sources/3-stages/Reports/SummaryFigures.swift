import Reranking

/// The figures of a re-ranking summary, as SVG texts keyed by file name.
public enum SummaryFigures {
    /// The aggregation drawn for each scored method in the main figure: the paper's best (prod for
    /// weighted voting, min for best-of-N) when computed, else the first computed.
    public static func mainAggregation(_ method: RerankMethod, in summary: RerankSummary) -> Aggregation? {
        let preferred: Aggregation = method == .weightedVoting ? .prod : .min
        return summary.aggregations.contains(preferred) ? preferred : summary.aggregations.first
    }

    /// Every figure: `curves.svg` (all/easy/hard), `curves_levels.svg` (one panel per level),
    /// `aggregations.svg` (bars per aggregation at the largest N), and
    /// `best_of_n_aggregations.svg` / `weighted_voting_aggregations.svg` (one line per aggregation).
    public static func all(_ summary: RerankSummary) -> [(name: String, svg: String)] {
        var out: [(String, String)] = []
        let split = summary.groups.filter { ["all", "easy", "hard"].contains($0.name) && $0.problems > 0 }
        let levels = summary.groups.filter { $0.name.hasPrefix("level_") && $0.problems > 0 }
        let note = "mean over \(summary.options.trials) subsampling trials per N (one at N = pool size); shaded: +-1 std"
        out.append(("curves.svg", Figure.curves(title: "Accuracy vs N: re-ranking, easy vs hard", subtitle: note,
                                                panels: split.map { panel(summary, $0) })))
        if !levels.isEmpty {
            out.append(("curves_levels.svg", Figure.curves(title: "Accuracy vs N by level", subtitle: note,
                                                           panels: levels.map { panel(summary, $0) })))
        }
        if !summary.aggregations.isEmpty {
            out.append(("aggregations.svg", aggregationBars(summary, split)))
            for method in [RerankMethod.bestOfN, .weightedVoting] {
                let panels = split.map { g in
                    CurvePanel(title: title(g), series: summary.aggregations.enumerated().compactMap { k, a in
                        summary.curve(method, a, group: g.name).map {
                            PlotSeries(name: a.rawValue, color: Palette.aggregations[k % Palette.aggregations.count],
                                       dash: nil, n: $0.n, mean: $0.mean, std: $0.std)
                        }
                    })
                }
                let name = method == .bestOfN ? "best_of_n_aggregations.svg" : "weighted_voting_aggregations.svg"
                let heading = method == .bestOfN ? "Best-of-N" : "Weighted voting"
                out.append((name, Figure.curves(title: "\(heading): step-score aggregations compared",
                                                subtitle: "mean over trials (spreads in summary.json and index.html)",
                                                panels: panels, bands: false)))
            }
        }
        return out
    }

    static func title(_ g: ProblemGroup) -> String {
        let name: String
        switch g.name {
        case "all": name = "all"
        case "easy", "hard": name = "\(g.name) (levels \(g.levels.map(String.init).joined(separator: ",")))"
        case "level_unknown": name = "level unknown"
        default: name = g.name.replacingOccurrences(of: "_", with: " ")
        }
        return "\(name): \(g.problems) problem\(g.problems == 1 ? "" : "s")"
    }

    /// The main lines of one group: majority, weighted voting, best-of-N, pass@N (dashed).
    static func panel(_ summary: RerankSummary, _ g: ProblemGroup) -> CurvePanel {
        var series: [PlotSeries] = []
        func add(_ m: RerankMethod, _ a: Aggregation?, _ name: String, _ color: String, _ dash: String? = nil) {
            if let c = summary.curve(m, a, group: g.name) {
                series.append(PlotSeries(name: name, color: color, dash: dash, n: c.n, mean: c.mean, std: c.std))
            }
        }
        add(.majority, nil, "majority voting", Palette.majority)
        if let a = mainAggregation(.weightedVoting, in: summary) {
            add(.weightedVoting, a, "weighted voting (\(a.rawValue))", Palette.weighted)
        }
        if let a = mainAggregation(.bestOfN, in: summary) {
            add(.bestOfN, a, "best-of-N (\(a.rawValue))", Palette.bestOfN)
        }
        add(.passAtN, nil, "pass@N (oracle)", Palette.passAtN, "6,4")
        return CurvePanel(title: title(g), series: series)
    }

    static func aggregationBars(_ summary: RerankSummary, _ groups: [ProblemGroup]) -> String {
        let last = summary.nValues.count - 1
        let n = summary.nValues[last]
        let panels = groups.map { g -> BarPanel in
            let bars = summary.aggregations.map { a -> (label: String, bars: [Bar]) in
                var b: [Bar] = []
                if let c = summary.curve(.bestOfN, a, group: g.name) {
                    b.append(Bar(name: "best-of-N", color: Palette.bestOfN, value: c.mean[last], std: c.std[last]))
                }
                if let c = summary.curve(.weightedVoting, a, group: g.name) {
                    b.append(Bar(name: "weighted voting", color: Palette.weighted, value: c.mean[last], std: c.std[last]))
                }
                return (label: a.rawValue, bars: b)
            }
            var refs: [(name: String, color: String, value: Double, dash: String)] = []
            if let c = summary.curve(.majority, group: g.name) {
                refs.append((name: "majority voting", color: Palette.majority, value: c.mean[last], dash: "7,4"))
            }
            return BarPanel(title: title(g), groups: bars, references: refs)
        }
        let whole = summary.trials[last] == 1 ? " (the whole pool)" : ""
        return Figure.bars(title: "Step-score aggregations at N = \(n)\(whole)",
                           subtitle: "bars: mean accuracy over \(summary.trials[last]) trial\(summary.trials[last] == 1 ? "" : "s") (error bars +-1 std where > 0); dashed line: majority voting",
                           panels: panels)
    }
}
