import Foundation

/// Multi-panel figures: line plots against log2 N with +-1 std bands, and grouped bar charts.

/// One line of a curve panel.
struct PlotSeries: Sendable {
    var name: String
    var color: String
    var dash: String?
    var n: [Int]
    /// Accuracy fractions (plotted as percentages).
    var mean: [Double]
    var std: [Double]
}

/// One panel: a title and its lines.
struct CurvePanel: Sendable {
    var title: String
    var series: [PlotSeries]
}

/// One bar of a bar chart.
struct Bar: Sendable {
    var name: String
    var color: String
    var value: Double
    var std: Double
}

/// One panel of a bar chart: groups of bars, and horizontal reference lines.
struct BarPanel: Sendable {
    var title: String
    var groups: [(label: String, bars: [Bar])]
    var references: [(name: String, color: String, value: Double, dash: String)]
}

enum Figure {
    static let panelWidth = 380.0, panelHeight = 300.0
    static let left = 58.0, right = 18.0, top = 34.0, bottom = 50.0
    static let headerHeight = 62.0

    /// Accuracy (%) against N on a log2 axis, one line per series with a shaded +-1 std band
    /// (the layout of the paper's Figure 4).
    static func curves(title: String, subtitle: String, panels: [CurvePanel], columns: Int = 3, bands: Bool = true) -> String {
        let cols = Swift.max(1, Swift.min(columns, panels.count))
        let rows = (panels.count + cols - 1) / cols
        var svg = SVGDocument(width: Double(cols) * panelWidth + 20, height: headerHeight + 16 + Double(rows) * panelHeight + 10)
        svg.text(title, 20, 24, size: 16, weight: "bold")
        svg.text(subtitle, 20, 42, size: 12, fill: "#555")
        legend(&svg, panels.first?.series.map { ($0.name, $0.color, $0.dash) } ?? [], y: 64)
        for (k, panel) in panels.enumerated() {
            let ox = 10 + Double(k % cols) * panelWidth, oy = headerHeight + 16 + Double(k / cols) * panelHeight
            drawCurvePanel(&svg, panel, x: ox, y: oy, bands: bands)
        }
        return svg.text
    }

    private static func legend(_ svg: inout SVGDocument, _ items: [(String, String, String?)], y: Double) {
        var x = 20.0
        for (name, color, dash) in items {
            svg.line(x, y - 4, x + 26, y - 4, stroke: color, width: 3, dash: dash)
            svg.text(name, x + 32, y, size: 12)
            x += 32 + Double(name.count) * 7 + 22
        }
    }

    private static func drawCurvePanel(_ svg: inout SVGDocument, _ panel: CurvePanel, x ox: Double, y oy: Double, bands: Bool) {
        let x0 = ox + left, x1 = ox + panelWidth - right, y0 = oy + top, y1 = oy + panelHeight - bottom
        svg.text(panel.title, (x0 + x1) / 2, oy + 20, size: 13, anchor: .middle, weight: "bold")
        let ns = panel.series.flatMap(\.n)
        guard let nMin = ns.min(), let nMax = ns.max() else { return }
        let lx0 = log2(Double(nMin)), lx1 = Swift.max(log2(Double(nMax)), lx0 + 1)
        var lo = 100.0, hi = 0.0
        for s in panel.series {
            for (m, sd) in zip(s.mean, s.std) {
                let spread = bands ? sd : 0
                lo = Swift.min(lo, (m - spread) * 100); hi = Swift.max(hi, (m + spread) * 100)
            }
        }
        if lo > hi { lo = 0; hi = 100 }
        let pad = Swift.max((hi - lo) * 0.08, 1)
        let ticks = niceTicks(Swift.max(0, lo - pad), Swift.min(100, hi + pad), count: 5)
        let ya = ticks.first!, yb = ticks.last!
        func px(_ n: Int) -> Double { x0 + (log2(Double(n)) - lx0) / (lx1 - lx0) * (x1 - x0) }
        func py(_ v: Double) -> Double { y1 - (v * 100 - ya) / (yb - ya) * (y1 - y0) }

        // Grid and axes.
        for t in ticks {
            let y = y1 - (t - ya) / (yb - ya) * (y1 - y0)
            svg.line(x0, y, x1, y, stroke: Palette.grid)
            svg.text(String(format: t == t.rounded() ? "%.0f" : "%.1f", t), x0 - 6, y + 4, size: 11, anchor: .end, fill: "#555")
        }
        let xTicks = Array(Set(ns)).sorted()
        let every = xTicks.count > 12 ? 2 : 1
        for (i, n) in xTicks.enumerated() {
            let x = px(n)
            svg.line(x, y0, x, y1, stroke: Palette.grid)
            if i % every == 0 || i == xTicks.count - 1 {
                svg.text("\(n)", x, y1 + 16, size: 10.5, anchor: .middle, fill: "#555")
            }
        }
        svg.line(x0, y1, x1, y1, stroke: Palette.axis)
        svg.line(x0, y0, x0, y1, stroke: Palette.axis)
        svg.text("N (samples per problem, log scale)", (x0 + x1) / 2, y1 + 36, size: 11.5, anchor: .middle)
        svg.text("accuracy (%)", ox + 16, (y0 + y1) / 2, size: 11.5, anchor: .middle, rotate: -90)

        // Bands first, then lines on top.
        for s in panel.series where bands && s.std.contains(where: { $0 > 0 }) {
            let upper = s.n.indices.map { (px(s.n[$0]), py(Swift.min(1, s.mean[$0] + s.std[$0]))) }
            let lower = s.n.indices.reversed().map { (px(s.n[$0]), py(Swift.max(0, s.mean[$0] - s.std[$0]))) }
            svg.polygon(upper + lower, fill: s.color, opacity: 0.16)
        }
        for s in panel.series {
            let points = s.n.indices.map { (px(s.n[$0]), py(s.mean[$0])) }
            svg.polyline(points, stroke: s.color, width: 2.2, dash: s.dash)
            for p in points where s.dash == nil { svg.circle(p.0, p.1, r: 2.6, fill: s.color) }
        }
    }

    /// Grouped bars with +-1 std error bars and horizontal reference lines.
    static func bars(title: String, subtitle: String, panels: [BarPanel], columns: Int = 3) -> String {
        let cols = Swift.max(1, Swift.min(columns, panels.count))
        let rows = (panels.count + cols - 1) / cols
        var svg = SVGDocument(width: Double(cols) * panelWidth + 20, height: headerHeight + 16 + Double(rows) * panelHeight + 10)
        svg.text(title, 20, 24, size: 16, weight: "bold")
        svg.text(subtitle, 20, 42, size: 12, fill: "#555")
        var items: [(String, String, String?)] = []
        if let first = panels.first {
            for b in first.groups.first?.bars ?? [] { items.append((b.name, b.color, nil)) }
            for r in first.references { items.append((r.name, r.color, r.dash)) }
        }
        legend(&svg, items, y: 64)
        for (k, panel) in panels.enumerated() {
            let ox = 10 + Double(k % cols) * panelWidth, oy = headerHeight + 16 + Double(k / cols) * panelHeight
            drawBarPanel(&svg, panel, x: ox, y: oy)
        }
        return svg.text
    }

    private static func drawBarPanel(_ svg: inout SVGDocument, _ panel: BarPanel, x ox: Double, y oy: Double) {
        let x0 = ox + left, x1 = ox + panelWidth - right, y0 = oy + top, y1 = oy + panelHeight - bottom
        svg.text(panel.title, (x0 + x1) / 2, oy + 20, size: 13, anchor: .middle, weight: "bold")
        var hi = 0.0
        for g in panel.groups { for b in g.bars { hi = Swift.max(hi, (b.value + b.std) * 100) } }
        for r in panel.references { hi = Swift.max(hi, r.value * 100) }
        // Bars start at zero, so their lengths compare honestly.
        let ticks = niceTicks(0, Swift.min(100, Swift.max(hi * 1.05, 5)), count: 5)
        let ya = ticks.first!, yb = ticks.last!
        func py(_ v: Double) -> Double { y1 - (v * 100 - ya) / (yb - ya) * (y1 - y0) }
        for t in ticks {
            let y = y1 - (t - ya) / (yb - ya) * (y1 - y0)
            svg.line(x0, y, x1, y, stroke: Palette.grid)
            svg.text(String(format: t == t.rounded() ? "%.0f" : "%.1f", t), x0 - 6, y + 4, size: 11, anchor: .end, fill: "#555")
        }
        svg.text("accuracy (%)", ox + 16, (y0 + y1) / 2, size: 11.5, anchor: .middle, rotate: -90)
        let slot = (x1 - x0) / Double(Swift.max(panel.groups.count, 1))
        for (gi, g) in panel.groups.enumerated() {
            let barWidth = slot * 0.8 / Double(Swift.max(g.bars.count, 1))
            let start = x0 + Double(gi) * slot + slot * 0.1
            for (bi, b) in g.bars.enumerated() {
                let bx = start + Double(bi) * barWidth
                let top = py(b.value)
                svg.rect(bx + 1, top, barWidth - 2, Swift.max(0, y1 - top), fill: b.color, opacity: 0.85)
                if b.std > 0 {
                    let cx = bx + barWidth / 2
                    svg.line(cx, py(b.value + b.std), cx, py(Swift.max(0, b.value - b.std)), stroke: "#222", width: 1.2)
                }
            }
            let lx = x0 + (Double(gi) + 0.5) * slot
            svg.text(g.label, lx + 4, y1 + 14, size: 10.5, anchor: .end, fill: "#333", rotate: -30)
        }
        for r in panel.references {
            svg.line(x0, py(r.value), x1, py(r.value), stroke: r.color, width: 2, dash: r.dash)
        }
        svg.line(x0, y1, x1, y1, stroke: Palette.axis)
        svg.line(x0, y0, x0, y1, stroke: Palette.axis)
    }
}
