// The decode scheduler's passes over a logits row: the first largest value (ties, NaNs, -inf,
// tails of every length) and log Σ exp, in each form the CPU runs, against plain loops.

import Foundation
import GEMM
import Kernels
import Testing

@Suite("Logit rows: argmax and log-sum-exp")
struct LogitRowTests {
    static let kernels = GEMMKernel.allCases.filter(\.isSupported)

    /// The plain definition: the first i with row[i] > every earlier value (NaNs never count).
    func reference(_ row: [Float]) -> Int? {
        var best: Int?
        for (i, x) in row.enumerated() where !x.isNaN { if best == nil || x > row[best!] { best = i } }
        return best
    }

    @Test func firstIndexOfTheMaximum() {
        var generator = SystemRandomNumberGenerator()
        var rows: [[Float]] = [[1], [2, 2], [-.infinity, -.infinity], [.nan, 3, .nan, 3], [.nan, .nan], [],
                               [0, .infinity, 5, .infinity], [-1, -2, -0.5, -0.5]]
        for n in [15, 16, 17, 31, 32, 33, 100, 49_152] {
            var row = (0..<n).map { _ in Float(Int.random(in: -50...50, using: &generator)) / 4 }
            rows.append(row)
            row[n - 1] = 100  // the maximum in the tail
            rows.append(row)
            row[n / 2] = 100  // a tie: the first wins
            rows.append(row)
            row[0] = .nan
            rows.append(row)
        }
        for kernel in Self.kernels {
            for row in rows {
                let found = row.withUnsafeBufferPointer { firstIndexOfMaximum($0.baseAddress!, count: row.count, kernel: kernel) }
                #expect(found == reference(row), "\(kernel) n=\(row.count)")
            }
        }
    }

    @Test func logSumExpOfEveryFormAgreesWithDoubles() {
        var generator = SystemRandomNumberGenerator()
        for n in [1, 15, 16, 17, 33, 64, 1_000, 49_152] {
            let row = (0..<n).map { _ in Float.random(in: -30...30, using: &generator) }
            let maximum = Double(row.max()!)
            let expected = maximum + log(row.reduce(0.0) { $0 + exp(Double($1) - maximum) })
            for kernel in Self.kernels {
                let found = row.withUnsafeBufferPointer { logSumExp($0.baseAddress!, count: n, kernel: kernel) }
                #expect(abs(Double(found) - expected) <= 1e-5 * max(1, abs(expected)), "\(kernel) n=\(n): \(found) vs \(expected)")
            }
        }
    }
}
