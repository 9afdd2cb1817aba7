import Foundation
import Support

/// Writes JSON Lines atomically: records go to a temporary file next to the destination, which
/// replaces the destination only in ``finish()`` (fsync, rename: Support's ``AtomicFileWriter``);
/// an abandoned write leaves the old file intact.
///
/// Keys are sorted and slashes unescaped, so equal records always give equal bytes.
public final class RecordWriter {
    /// The destination path.
    public let path: String
    /// Records written so far.
    public private(set) var written = 0
    private let file: AtomicFileWriter
    private let encoder: JSONEncoder
    private var isClosed = false

    /// Opens a temporary file next to `path`; creates the parent folder if needed.
    public init(path: String) throws {
        self.path = path
        do {
            file = try AtomicFileWriter(path: path, createDirectories: true)
        } catch {
            throw DataError.cannotWrite(path: path, reason: "\(error)")
        }
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    }

    deinit {
        if !isClosed { abandon() }
    }

    /// Appends one record as one line.
    public func write<T: Encodable>(_ record: T) throws {
        precondition(!isClosed, "write after finish/abandon")
        var line: [UInt8]
        do {
            line = [UInt8](try encoder.encode(record))
        } catch EncodingError.invalidValue(let value, _) {
            throw DataError.cannotWrite(path: path, reason: "record \(written + 1) holds \(value), which JSON cannot represent")
        } catch {
            throw DataError.cannotWrite(path: path, reason: "cannot encode record \(written + 1): \(error)")
        }
        line.append(0x0A)
        do { try file.append(line) } catch {
            throw DataError.cannotWrite(path: path, reason: "\(error)")
        }
        written += 1
    }

    /// Flushes, fsyncs and renames the temporary file onto the destination.
    /// - Returns: the number of records written.
    @discardableResult
    public func finish() throws -> Int {
        precondition(!isClosed, "finish called twice")
        isClosed = true
        do { try file.commit() } catch {
            throw DataError.cannotWrite(path: path, reason: "\(error)")
        }
        return written
    }

    /// Discards everything written; the destination is left as it was.
    public func abandon() {
        isClosed = true
        file.abandon()
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
