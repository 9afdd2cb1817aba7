import Foundation

/// A minimal SVG document builder: shapes, text, and escaping. Coordinates are in pixels.
struct SVGDocument {
    let width: Double
    let height: Double
    private var body: [String] = []

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// The whole document.
    var text: String {
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(f(width))\" height=\"\(f(height))\" "
        out += "viewBox=\"0 0 \(f(width)) \(f(height))\" font-family=\"Helvetica, Arial, sans-serif\">\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        out += body.joined(separator: "\n")
        return out + "\n</svg>\n"
    }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String,
                       width: Double = 1, dash: String? = nil) {
        body.append("<line x1=\"\(f(x1))\" y1=\"\(f(y1))\" x2=\"\(f(x2))\" y2=\"\(f(y2))\" stroke=\"\(stroke)\" "
                    + "stroke-width=\"\(f(width))\"\(dash.map { " stroke-dasharray=\"\($0)\"" } ?? "")/>")
    }

    mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 2, dash: String? = nil) {
        let p = points.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ")
        body.append("<polyline points=\"\(p)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(f(width))\" "
                    + "stroke-linejoin=\"round\"\(dash.map { " stroke-dasharray=\"\($0)\"" } ?? "")/>")
    }

    mutating func polygon(_ points: [(Double, Double)], fill: String, opacity: Double) {
        let p = points.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ")
        body.append("<polygon points=\"\(p)\" fill=\"\(fill)\" fill-opacity=\"\(f(opacity))\" stroke=\"none\"/>")
    }

    mutating func circle(_ x: Double, _ y: Double, r: Double, fill: String) {
        body.append("<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"\(f(r))\" fill=\"\(fill)\"/>")
    }

    mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String, stroke: String? = nil,
                       opacity: Double = 1) {
        body.append("<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(w))\" height=\"\(f(h))\" fill=\"\(fill)\""
                    + (opacity < 1 ? " fill-opacity=\"\(f(opacity))\"" : "")
                    + (stroke.map { " stroke=\"\($0)\"" } ?? "") + "/>")
    }

    enum Anchor: String { case start, middle, end }

    mutating func text(_ s: String, _ x: Double, _ y: Double, size: Double = 12, anchor: Anchor = .start,
                       weight: String = "normal", fill: String = "#222", rotate: Double? = nil) {
        let transform = rotate.map { " transform=\"rotate(\(f($0)) \(f(x)) \(f(y)))\"" } ?? ""
        body.append("<text x=\"\(f(x))\" y=\"\(f(y))\" font-size=\"\(f(size))\" text-anchor=\"\(anchor.rawValue)\" "
                    + "font-weight=\"\(weight)\" fill=\"\(fill)\"\(transform)>\(escapeXML(s))</text>")
    }

    /// A number with at most two decimals and no trailing zeros.
    private func f(_ x: Double) -> String {
        let r = (x * 100).rounded() / 100
        if r == r.rounded() { return String(Int(r)) }
        return String(format: "%.2f", r).replacingOccurrences(of: #"0+$"#, with: "", options: .regularExpression)
    }
}

/// Escapes text for XML and HTML.
func escapeXML(_ s: String) -> String {
    var out = ""
    for c in s {
        switch c {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        default: out.append(c)
        }
    }
    return out
}

/// Round tick values covering `lo...hi` (about `count` of them, steps of 1, 2 or 5 times a power of 10).
func niceTicks(_ lo: Double, _ hi: Double, count: Int = 5) -> [Double] {
    let span = Swift.max(hi - lo, 1e-9)
    let raw = span / Double(Swift.max(count, 1))
    let magnitude = pow(10, floor(log10(raw)))
    let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
    var ticks: [Double] = []
    var t = floor(lo / step) * step
    while t <= hi + step * 1e-9 {
        ticks.append(abs(t) < step * 1e-9 ? 0 : t)
        t += step
    }
    if ticks.last! < hi - step * 1e-9 { ticks.append(ticks.last! + step) }
    return ticks
}

/// Colors (Okabe-Ito, safe for color-blind readers) and dash patterns of the methods.
enum Palette {
    static let majority = "#0072B2"
    static let weighted = "#D55E00"
    static let bestOfN = "#009E73"
    static let passAtN = "#888888"
    static let aggregations = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
    static let grid = "#e6e6e6"
    static let axis = "#444"
}
