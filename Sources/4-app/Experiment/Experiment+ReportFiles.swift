// Writes a reward model's re-ranking report (summary.json, SVG plots, index.html) into the run directory.

import Foundation
import Reports
import Reranking

extension Experiment {
    func writeRerankReport(_ summary: RerankSummary, name: String) throws {
        let directory = run.report(name)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        _ = try writeReport(summary, to: directory.path)
    }
}
