import Foundation
import Reranking
import Support

/// Writes a summary's report into a directory: `summary.json`, the SVG figures, `index.html`.
public enum ReportWriter {
    /// The JSON of a summary: pretty-printed with sorted keys, so equal summaries give equal bytes.
    public static func json(_ summary: RerankSummary) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(summary)
    }

    /// Writes every file (creating the directory) and returns the names written.
    /// - Throws: ``RerankError/io(_:)`` naming the path that could not be written.
    @discardableResult
    public static func write(_ summary: RerankSummary, to directory: String) throws -> [String] {
        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw RerankError.io("cannot create directory \(directory): \(error.localizedDescription)")
        }
        func put(_ name: String, _ data: Data) throws {
            let path = (directory as NSString).appendingPathComponent(name)
            do { try AtomicFile.write(data, to: URL(fileURLWithPath: path)) } catch {
                throw RerankError.io("cannot write \(path): \(error)")
            }
        }
        var names = ["summary.json"]
        try put("summary.json", try json(summary))
        let figures = SummaryFigures.all(summary)
        for f in figures { try put(f.name, Data(f.svg.utf8)); names.append(f.name) }
        try put("index.html", Data(HTMLReport.page(summary, figures: figures.map(\.name)).utf8))
        names.append("index.html")
        return names
    }
}

/// Writes `summary.json`, the SVG figures and `index.html` into `directory`; returns the file names.
@discardableResult
public func writeReport(_ summary: RerankSummary, to directory: String) throws -> [String] {
    try ReportWriter.write(summary, to: directory)
}
