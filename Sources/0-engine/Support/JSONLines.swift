import Foundation

/// The one JSON Lines reader: every reader of problems, samples and data files splits lines here,
/// so line numbers are always physical lines of the file (1-based, blank lines counted), a UTF-8
/// byte order mark at the start is skipped and a trailing carriage return is dropped.
public enum JSONLines {
    /// Whether a line holds only spaces and tabs (such lines are skipped by every reader).
    @inlinable
    public static func isBlank(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        for b in line where b != 0x20 && b != 0x09 { return false }
        return true
    }

    /// Whether a line holds only spaces and tabs.
    @inlinable
    public static func isBlank(_ line: [UInt8]) -> Bool {
        line.withUnsafeBufferPointer { isBlank($0) }
    }

    /// Where the text starts: 3 when `bytes` begins with a UTF-8 byte order mark, else 0.
    @inlinable
    public static func bodyStart(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0
    }

    /// Calls `body` for each line of `bytes` (numbered from `firstLine`) without its newline and
    /// trailing carriage return. A final line without a newline counts; an empty final segment
    /// does not. Blank lines are passed on (callers skip them with ``isBlank(_:)``).
    @inlinable
    public static func forEachLine(in bytes: UnsafeBufferPointer<UInt8>, firstLine: Int = 1,
                                   _ body: (Int, UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        var start = 0
        var line = firstLine
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            var stop = end
            if stop > start, bytes[stop - 1] == 0x0D { stop -= 1 }
            try body(line, UnsafeBufferPointer(rebasing: bytes[start..<stop]))
            line += 1
            start = end + 1
        }
    }

    /// Splits `bytes` (after any byte order mark) into at most `pieces` ranges that end at
    /// newlines, each with the physical line number it starts on, for parsing in parallel
    /// (newlines are counted on `threads` workers).
    public static func chunks(of bytes: UnsafeBufferPointer<UInt8>, pieces: Int,
                              threads: Int) throws -> [(range: Range<Int>, firstLine: Int)] {
        let start = bodyStart(bytes)
        let n = bytes.count - start
        let wanted = Swift.max(1, pieces)
        var bounds = [start]
        if wanted > 1 {
            for c in 1..<wanted {
                var b = Swift.max(start + n / wanted * c, bounds.last!)
                while b < bytes.count, bytes[b - 1] != 0x0A { b += 1 }
                if b > bounds.last! && b < bytes.count { bounds.append(b) }
            }
        }
        bounds.append(bytes.count)
        let count = bounds.count - 1
        let newlines = try parallelMap(count, threads: threads) { c -> Int in
            var k = 0
            for i in bounds[c]..<bounds[c + 1] where bytes[i] == 0x0A { k += 1 }
            return k
        }
        var out: [(range: Range<Int>, firstLine: Int)] = []
        var line = 1
        for c in 0..<count {
            out.append((bounds[c]..<bounds[c + 1], line))
            line += newlines[c]
        }
        return out
    }

    /// The two shapes of a JSON data file.
    public enum Shape: Sendable, Equatable {
        /// One JSON value per line.
        case lines
        /// One top-level JSON array (e.g. MetaMathQA-395K.json), possibly spread over many lines.
        case array
    }

    /// Tells a JSON Lines file from a top-level JSON array without reading the whole file.
    ///
    /// A `.jsonl` / `.ndjson` file is always JSON Lines. Otherwise a file whose first value starts
    /// with `[` is an array unless that value ends on its first line and more text follows it on a
    /// later line (then it is JSON Lines whose first record happens to be an array). A pipe
    /// (`<(...)`, `/dev/stdin`) can be read only once, so it is taken as JSON Lines unread.
    public static func shape(ofFileAt path: String) throws -> Shape {
        let lower = path.lowercased()
        if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") { return .lines }
        if isStream(path) { return .lines }
        var reader = try ChunkedFileReader(path: path, chunkSize: 1 << 16)
        var started = false, depth = 0, inString = false, escaped = false
        while let b = try reader.nextByte() {
            if !started {
                if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 || b == 0xEF || b == 0xBB || b == 0xBF { continue }
                guard b == UInt8(ascii: "[") else { return .lines }
                started = true
                depth = 1
                continue
            }
            if inString {
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch b {
            case 0x0A: return .array  // the first value spans lines: a (pretty-printed) array document
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"): depth += 1
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth -= 1
                if depth == 0 { return try rest(&reader) }
            default: break
            }
        }
        return .array
    }

    /// Whether `path` (symbolic links followed) is a pipe or a character device: data that can be
    /// read only once.
    public static func isStream(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        let type = info.st_mode & S_IFMT
        return type == S_IFIFO || type == S_IFCHR
    }

    /// After a first value that ended on line 1: JSON Lines if a later line holds more text,
    /// an array document (one line) otherwise.
    private static func rest(_ reader: inout ChunkedFileReader) throws -> Shape {
        var newline = false
        while let b = try reader.nextByte() {
            if b == 0x0A { newline = true; continue }
            if b == 0x20 || b == 0x09 || b == 0x0D { continue }
            return newline ? .lines : .array
        }
        return .array
    }
}

/// Reads a JSON Lines file one non-blank line at a time with bounded memory; line numbers are
/// physical lines of the file.
public struct JSONLinesFileReader {
    private var reader: ChunkedFileReader
    private var line = 0
    private var bytes: [UInt8] = []

    /// Opens `path`.
    /// - Throws: ``ChunkedFileReader/OpenError`` when the file cannot be opened.
    public init(path: String) throws {
        reader = try ChunkedFileReader(path: path)
    }

    /// The next non-blank line (without newline, carriage return or byte order mark) and its
    /// 1-based line number; nil at the end of the file.
    public mutating func next() throws -> (line: Int, bytes: [UInt8])? {
        while try reader.readLine(into: &bytes) {
            line += 1
            if line == 1, bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
            if bytes.last == 0x0D { bytes.removeLast() }
            if JSONLines.isBlank(bytes) { continue }
            return (line, bytes)
        }
        return nil
    }
}

/// Reads a file in fixed-size chunks so memory stays bounded whatever the file size.
public struct ChunkedFileReader {
    /// The file could not be opened.
    public struct OpenError: Error, CustomStringConvertible {
        public var path: String
        public var description: String { "cannot open \(path): no such file or not readable" }
    }

    private let handle: FileHandle
    private let chunkSize: Int
    private var buffer: [UInt8] = []
    private var position = 0
    private var isAtEnd = false

    public init(path: String, chunkSize: Int = 1 << 20) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
              let h = FileHandle(forReadingAtPath: path) else {
            throw OpenError(path: path)
        }
        handle = h
        self.chunkSize = chunkSize
    }

    /// Makes sure unread bytes are buffered; false at the end of the file.
    public mutating func fill() throws -> Bool {
        if position < buffer.count { return true }
        if isAtEnd { return false }
        let data = try handle.read(upToCount: chunkSize) ?? Data()
        if data.isEmpty {
            isAtEnd = true
            try? handle.close()
            return false
        }
        buffer = [UInt8](data)
        position = 0
        return true
    }

    /// The next byte, or nil at the end of the file.
    public mutating func nextByte() throws -> UInt8? {
        guard try fill() else { return nil }
        defer { position += 1 }
        return buffer[position]
    }

    /// Appends bytes up to (not including) the next `delimiter` to `line` and consumes the
    /// delimiter; false when the file ended before any byte or delimiter was found.
    public mutating func readLine(into line: inout [UInt8], delimiter: UInt8 = 0x0A) throws -> Bool {
        line.removeAll(keepingCapacity: true)
        var sawAnything = false
        while try fill() {
            sawAnything = true
            if let nl = buffer[position...].firstIndex(of: delimiter) {
                line.append(contentsOf: buffer[position..<nl])
                position = nl + 1
                return true
            }
            line.append(contentsOf: buffer[position...])
            position = buffer.count
        }
        return sawAnything
    }
}
