// Line plots against a linear axis (an RL run's iterations): the reward the policy is trained on
// beside the checker-audited correctness of its rollouts, so reward hacking shows as the first
// rising while the second falls.

import Foundation

/// One line of a training panel; nil values are gaps (an iteration without that measurement).
public struct TrainingSeries: Sendable {
    public var name: String
    public var values: [Double?]
    public init(name: String, values: [Double?]) {
        self.name = name
        self.values = values
    }
}

/// One panel: a title, a y-axis label, and its lines over the shared x values.
public struct TrainingPanel: Sendable {
    public var title: String
    public var yLabel: String
    public var series: [TrainingSeries]
    public init(title: String, yLabel: String, series: [TrainingSeries]) {
        self.title = title
        self.yLabel = yLabel
        self.series = series
    }
}

/// An SVG of panels side by side, each with its lines against `x` (e.g. iterations 1...K).
public func trainingFigure(title: String, subtitle: String, xLabel: String, x: [Int], panels: [TrainingPanel]) -> String {
    let width = Figure.panelWidth, height = Figure.panelHeight
    var svg = SVGDocument(width: Double(max(1, panels.count)) * width + 20, height: Figure.headerHeight + 16 + height + 10 + 20)
    svg.text(title, 20, 24, size: 16, weight: "bold")
    svg.text(subtitle, 20, 42, size: 12, fill: "#555")
    for (k, panel) in panels.enumerated() {
        let ox = 10 + Double(k) * width, oy = Figure.headerHeight + 16
        let x0 = ox + Figure.left, x1 = ox + width - Figure.right, y0 = oy + Figure.top, y1 = oy + height - Figure.bottom
        svg.text(panel.title, (x0 + x1) / 2, oy + 20, size: 13, anchor: .middle, weight: "bold")
        let values = panel.series.flatMap { $0.values.compactMap { $0 } }
        guard let xMin = x.min(), let xMax = x.max(), let lo = values.min(), let hi = values.max() else { continue }
        let pad = max((hi - lo) * 0.08, 0.01)
        let ticks = niceTicks(lo - pad, hi + pad, count: 5)
        let ya = ticks.first!, yb = ticks.last!
        let xSpan = Double(max(xMax - xMin, 1))
        func px(_ v: Int) -> Double { x0 + Double(v - xMin) / xSpan * (x1 - x0) }
        func py(_ v: Double) -> Double { y1 - (v - ya) / (yb - ya) * (y1 - y0) }
        for t in ticks {
            svg.line(x0, py(t), x1, py(t), stroke: Palette.grid)
            svg.text(String(format: "%.2f", t), x0 - 6, py(t) + 4, size: 11, anchor: .end, fill: "#555")
        }
        let every = max(1, x.count / 10)
        for (i, v) in x.enumerated() where i % every == 0 || i == x.count - 1 {
            svg.text("\(v)", px(v), y1 + 16, size: 10.5, anchor: .middle, fill: "#555")
        }
        svg.line(x0, y1, x1, y1, stroke: Palette.axis)
        svg.line(x0, y0, x0, y1, stroke: Palette.axis)
        svg.text(xLabel, (x0 + x1) / 2, y1 + 36, size: 11.5, anchor: .middle)
        svg.text(panel.yLabel, ox + 14, (y0 + y1) / 2, size: 11.5, anchor: .middle, rotate: -90)
        for (s, series) in panel.series.enumerated() {
            let color = Palette.aggregations[s % Palette.aggregations.count]
            // Runs of consecutive values, so that a missing value breaks the line.
            var run: [(Double, Double)] = []
            func flush() {
                if run.count > 1 { svg.polyline(run, stroke: color, width: 2) }
                run = []
            }
            for (i, value) in series.values.enumerated() where i < x.count {
                guard let value else { flush(); continue }
                run.append((px(x[i]), py(value)))
                svg.circle(px(x[i]), py(value), r: 2.6, fill: color)
            }
            flush()
            svg.line(x0 + 8, y0 + 8 + Double(s) * 16, x0 + 30, y0 + 8 + Double(s) * 16, stroke: color, width: 3)
            svg.text(series.name, x0 + 36, y0 + 12 + Double(s) * 16, size: 11)
        }
    }
    return svg.text
}
