// Writes a reward model's re-ranking summary (and, via Reports, its plots) into the run directory.

import Foundation
import Reports
import Reranking

extension Experiment {
    func writeRerankReport(_ summary: RerankSummary, name: String) throws {
        let directory = run.url("report/\(name)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(summary).write(to: directory.appendingPathComponent("summary.json"), options: .atomic)
    }
}
