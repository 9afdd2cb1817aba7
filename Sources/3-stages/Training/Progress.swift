// Progress of long stages: a redrawn bar on a terminal, plain log lines otherwise.

import Foundation

/// Reports step/total, rate, loss and ETA of a long stage on standard error.
public final class ProgressReporter: @unchecked Sendable {
    public let label: String
    public let total: Int
    private let isTerminal: Bool
    private let logEvery: Int
    private let start = Date()
    private var lastDraw = Date.distantPast
    private let quiet: Bool

    /// - Parameters:
    ///   - quiet: print nothing (tests).
    ///   - logLines: when not a terminal, how many log lines to print over the whole stage.
    public init(label: String, total: Int, quiet: Bool = false, logLines: Int = 10) {
        self.label = label
        self.total = max(1, total)
        self.quiet = quiet
        isTerminal = isatty(2) == 1
        logEvery = max(1, total / max(1, logLines))
    }

    /// Records that `done` of `total` units are finished; `detail` is appended (e.g. "loss 1.23").
    public func update(_ done: Int, unit: String = "steps", rate: Double? = nil, detail: String = "") {
        guard !quiet else { return }
        let elapsed = Date().timeIntervalSince(start)
        let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
        var parts = ["\(label) \(done)/\(total) \(unit)"]
        if let rate { parts.append(String(format: "%.0f tok/s", rate)) }
        if !detail.isEmpty { parts.append(detail) }
        parts.append("elapsed \(Self.clock(elapsed)) eta \(Self.clock(eta))")
        if isTerminal {
            guard Date().timeIntervalSince(lastDraw) > 0.1 || done == total else { return }
            lastDraw = Date()
            let width = 24, filled = width * done / total
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            FileHandle.standardError.write(Data(("\r[\(bar)] " + parts.joined(separator: "  ") + "\u{1B}[K"
                + (done == total ? "\n" : "")).utf8))
        } else if done == total || done % logEvery == 0 || done == 1 {
            FileHandle.standardError.write(Data((parts.joined(separator: "  ") + "\n").utf8))
        }
    }

    /// Prints a line (above the bar on a terminal).
    public func log(_ line: String) {
        guard !quiet else { return }
        FileHandle.standardError.write(Data(((isTerminal ? "\r\u{1B}[K" : "") + line + "\n").utf8))
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                         : String(format: "%d:%02d", s / 60, s % 60)
    }
}
