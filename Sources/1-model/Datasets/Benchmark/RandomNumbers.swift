// Draws of the benchmark generator on top of the project's one seeded generator.

import Support

extension SeededGenerator {
    /// A number with a uniformly chosen digit count in `digits`, uniform among those numbers
    /// (1-digit numbers include 0 only when `allowZero`).
    mutating func number(digits: ClosedRange<Int>, allowZero: Bool = false) -> Int {
        let d = int(in: digits)
        let low = d == 1 ? (allowZero ? 0 : 1) : pow10(d - 1)
        return int(in: low...(pow10(d) - 1))
    }
}

/// 10^n for small n.
func pow10(_ n: Int) -> Int {
    var r = 1
    for _ in 0..<n { r *= 10 }
    return r
}
