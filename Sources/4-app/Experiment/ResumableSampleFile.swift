// A samples JSONL file that grows one whole line at a time, so a sampling run that stops (a crash,
// Ctrl-C, a lost server) can be rerun and append only what is missing.

import Datasets
import Foundation
import Support
import Training

/// A samples file opened for appending: existing complete records are kept, a torn last line (a
/// write cut short) is dropped, and each new record is written as one line in one `write`.
final class ResumableSampleFile: @unchecked Sendable {
    let path: String
    /// The records already in the file, in file order.
    private(set) var records: [SampleRecord] = []
    /// Bytes of a half-written last line that opening removed (0 when the file ended cleanly).
    private(set) var droppedBytes = 0
    private let handle: FileHandle
    private let encoder: JSONEncoder
    private let lock = NSLock()

    /// Opens (or creates) `path`.
    /// - Throws: ``ExperimentError`` for a complete line that is not a sample record (the file is
    ///   not touched then), or when the file cannot be opened.
    init(path: String) throws {
        self.path = path
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        var data = FileManager.default.contents(atPath: path) ?? Data()
        if let lastNewline = data.lastIndex(of: 0x0A) {
            droppedBytes = data.count - (lastNewline + 1)
            data = data.prefix(lastNewline + 1)
        } else {
            droppedBytes = data.count
            data = Data()
        }
        let decoder = JSONDecoder()
        for (number, line) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            do { records.append(try decoder.decode(SampleRecord.self, from: Data(line))) } catch {
                throw ExperimentError.invalid("\(path):\(number + 1): not a sample record (\(error)); move the file away or fix the line to resume")
            }
        }
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw ExperimentError.invalid("\(path): cannot open for writing") }
        self.handle = handle
        if droppedBytes > 0 { try handle.truncate(atOffset: UInt64(data.count)) }
        try handle.seekToEnd()
    }

    deinit { try? handle.close() }

    /// Appends one record as one line (one `write`: a killed process leaves a whole line or none).
    func append(_ record: SampleRecord) throws {
        var line: Data
        do { line = try encoder.encode(record) } catch {
            throw ExperimentError.invalid("\(path): cannot encode sample \(record.problemID)#\(record.sampleIndex): \(error)")
        }
        line.append(0x0A)
        try lock.withLock {
            try handle.write(contentsOf: line)
            records.append(record)
        }
    }

    /// Replaces the file, atomically, with its records in `order` (one per key, the first kept).
    func rewrite(sortedBy order: (SampleRecord, SampleRecord) -> Bool) throws {
        var seen = Set<String>()
        let unique = records.filter { seen.insert("\($0.problemID)\u{0}\($0.sampleIndex)").inserted }
        try lock.withLock {
            try handle.synchronize()
            try RecordWriter.write(unique.sorted(by: order), to: path)
        }
    }
}
