import Foundation
import Testing

/// The samples format is read one way: `e2h run`'s report and `e2h rerank` on the run's own files
/// give the same curves, to the last digit.
@Suite("e2h run and e2h rerank agree")
struct RunRerankAgreementTests {
    @Test func rerankOfTheRunsFilesReproducesTheRunsCurves() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("e2h-run-rerank-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = dir.appendingPathComponent("run")
        let result = try runE2H(["run", "--quick", "--out", run.path])
        #expect(result.status == 0, "\(result.err)")
        // The quick run's re-ranking settings: 20 trials, seed 1, easy 1-3, hard 4-5.
        for name in ["prm", "orm"] {
            let out = dir.appendingPathComponent("rerank-\(name)")
            let rerank = try runE2H(["rerank", "--problems", run.appendingPathComponent("data/test.jsonl").path,
                                     "--samples", run.appendingPathComponent("test/scored-\(name).jsonl").path,
                                     "--trials", "20", "--seed", "1", "--easy-levels", "1-3", "--hard-levels", "4-5",
                                     "--out", out.path])
            #expect(rerank.status == 0, "\(rerank.err)")
            let fromRun = try curves(run.appendingPathComponent("report/\(name)/summary.json"))
            let fromRerank = try curves(out.appendingPathComponent("summary.json"))
            #expect(!fromRun.isEmpty)
            #expect(fromRun == fromRerank, "report/\(name) and e2h rerank differ")
        }
    }

    /// The `curves` member of a re-ranking summary, re-serialized with sorted keys.
    private func curves(_ url: URL) throws -> String {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
        let curves = try #require(object?["curves"])
        return String(decoding: try JSONSerialization.data(withJSONObject: curves, options: [.sortedKeys]), as: UTF8.self)
    }
}
