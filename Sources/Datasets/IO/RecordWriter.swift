import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes JSON Lines atomically: records go to a temporary file next to the destination, which
/// replaces the destination only in ``finish()``; an abandoned write leaves the old file intact.
///
/// Keys are sorted and slashes unescaped, so equal records always give equal bytes.
public final class RecordWriter {
    /// The destination path.
    public let path: String
    /// Records written so far.
    public private(set) var written = 0
    private let temporaryPath: String
    private let handle: FileHandle
    private let encoder: JSONEncoder
    private var buffer = Data()
    private var isClosed = false

    /// Opens a temporary file next to `path`; creates the parent folder if needed.
    public init(path: String) throws {
        self.path = path
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw DataError.cannotWrite(path: path, reason: "cannot create folder \(folder): \(error.localizedDescription)")
        }
        temporaryPath = (folder as NSString).appendingPathComponent(
            ".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))")
        guard FileManager.default.createFile(atPath: temporaryPath, contents: nil),
              let h = FileHandle(forWritingAtPath: temporaryPath) else {
            throw DataError.cannotWrite(path: path, reason: "cannot create a temporary file in \(folder)")
        }
        handle = h
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    }

    deinit {
        if !isClosed { abandon() }
    }

    /// Appends one record as one line.
    public func write<T: Encodable>(_ record: T) throws {
        precondition(!isClosed, "write after finish/abandon")
        do {
            buffer.append(try encoder.encode(record))
        } catch {
            throw DataError.cannotWrite(path: path, reason: "cannot encode record \(written + 1): \(error)")
        }
        buffer.append(0x0A)
        written += 1
        if buffer.count >= 1 << 20 { try flush() }
    }

    /// Flushes, closes and renames the temporary file onto the destination.
    /// - Returns: the number of records written.
    @discardableResult
    public func finish() throws -> Int {
        precondition(!isClosed, "finish called twice")
        do {
            try flush()
            try handle.synchronize()
            try handle.close()
        } catch {
            abandon()
            throw DataError.cannotWrite(path: path, reason: "\(error.localizedDescription)")
        }
        isClosed = true
        if rename(temporaryPath, path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporaryPath)
            throw DataError.cannotWrite(path: path, reason: reason)
        }
        return written
    }

    /// Discards everything written; the destination is left as it was.
    public func abandon() {
        if !isClosed {
            try? handle.close()
            isClosed = true
        }
        try? FileManager.default.removeItem(atPath: temporaryPath)
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            throw DataError.cannotWrite(path: path, reason: "\(error.localizedDescription)")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes all `records` to `path` atomically.
    @discardableResult
    public static func write<S: Sequence>(_ records: S, to path: String) throws -> Int where S.Element: Encodable {
        let w = try RecordWriter(path: path)
        do {
            for r in records { try w.write(r) }
            return try w.finish()
        } catch {
            w.abandon()
            throw error
        }
    }
}
