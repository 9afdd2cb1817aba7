// Crash-safe file replacement, the one writer every file `e2h` writes goes through: write a
// temporary file next to the target, fsync it, rename it over the target (atomic on POSIX file
// systems), then fsync the directory so the rename itself is durable. An abandoned or failed write
// leaves the old file (or no file) in place, never a half-written one.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed file operation: the path, the operation and the system's reason.
public struct FileError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var operation: String
    public var reason: String

    public init(path: String, operation: String, reason: String) {
        self.path = path; self.operation = operation; self.reason = reason
    }

    /// The error of the last failed system call (`errno`).
    static func system(_ path: String, _ operation: String) -> FileError {
        FileError(path: path, operation: operation, reason: String(cString: strerror(errno)))
    }

    public var description: String { "\(path): cannot \(operation): \(reason)" }
}

/// Atomic whole-file writes.
public enum AtomicFile {
    /// Writes the concatenation of `chunks` to `path` atomically; the folder must exist unless
    /// `createDirectories`.
    public static func write(to path: String, chunks: [[UInt8]], createDirectories: Bool = false) throws {
        let writer = try AtomicFileWriter(path: path, createDirectories: createDirectories)
        for chunk in chunks { try writer.append(chunk) }
        try writer.commit()
    }

    /// Writes `bytes` to `path` atomically.
    public static func write(to path: String, bytes: [UInt8], createDirectories: Bool = false) throws {
        try write(to: path, chunks: [bytes], createDirectories: createDirectories)
    }

    /// Writes `text` as UTF-8 to `path` atomically.
    public static func write(to path: String, text: String, createDirectories: Bool = false) throws {
        try write(to: path, chunks: [Array(text.utf8)], createDirectories: createDirectories)
    }

    /// The folder that holds `path` ("." for a bare name).
    public static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let parent = String(path[..<slash])
        return parent.isEmpty ? "/" : parent
    }

    /// Creates `path` and its missing parents (like `mkdir -p`).
    public static func makeDirectories(_ path: String) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o755) != 0 && errno != EEXIST { throw FileError.system(current, "create folder") }
        }
    }
}

/// A file written in pieces that appears at its destination only when ``commit()`` succeeds.
public final class AtomicFileWriter {
    /// The destination.
    public let path: String
    private let temporary: String
    private var fd: Int32
    private var buffer: [UInt8] = []
    private var isOpen = true

    /// Opens a temporary file next to `path`; creates the parent folder when `createDirectories`
    /// (otherwise a missing folder is an error naming it).
    public init(path: String, createDirectories: Bool = false) throws {
        self.path = path
        let directory = AtomicFile.parentDirectory(of: path)
        if createDirectories { try AtomicFile.makeDirectories(directory) }
        let base = String(path.split(separator: "/").last ?? "file")
        // O_EXCL with a counter: never clobbers another writer's temporary file, no randomness needed.
        var fd: Int32 = -1
        var temporary = ""
        for attempt in 0..<1000 {
            temporary = "\(directory)/.\(base).tmp-\(getpid())-\(attempt)"
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else { throw FileError.system(temporary, "create a temporary file") }
        self.fd = fd
        self.temporary = temporary
    }

    deinit { if isOpen { abandon() } }

    /// Appends bytes (buffered).
    public func append(_ bytes: [UInt8]) throws {
        precondition(isOpen, "append after commit or abandon")
        buffer += bytes
        if buffer.count >= 1 << 20 { try flush() }
    }

    /// Appends UTF-8 text.
    public func append(_ text: String) throws { try append(Array(text.utf8)) }

    private func flush() throws {
        try buffer.withUnsafeBytes { try writeAll($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes what is buffered, fsyncs, and renames the file onto its destination.
    public func commit() throws {
        precondition(isOpen, "commit called twice")
        do {
            try flush()
            guard fsync(fd) == 0 else { throw FileError.system(temporary, "fsync") }
        } catch {
            abandon()
            throw error
        }
        isOpen = false
        guard close(fd) == 0 else {
            unlink(temporary)
            throw FileError.system(temporary, "close")
        }
        guard rename(temporary, path) == 0 else {
            let error = FileError.system(path, "rename \(temporary) to")
            unlink(temporary)
            throw error
        }
        // Make the rename durable: fsync the directory entry (best effort; some file systems refuse).
        let directory = open(AtomicFile.parentDirectory(of: path), O_RDONLY | O_CLOEXEC)
        if directory >= 0 {
            _ = fsync(directory)
            close(directory)
        }
    }

    /// Removes the temporary file; the destination is untouched.
    public func abandon() {
        guard isOpen else { return }
        isOpen = false
        close(fd)
        unlink(temporary)
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var written = 0
        while written < bytes.count {
            let n = posixWrite(fd, bytes.baseAddress! + written, bytes.count - written)
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError.system(temporary, "write")
            }
            written += n
        }
    }
}

/// POSIX `write`, named apart from the methods above.
@inline(__always)
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, buffer, count)
    #elseif canImport(Musl)
    return Musl.write(fd, buffer, count)
    #else
    return Darwin.write(fd, buffer, count)
    #endif
}

import struct Foundation.Data
import struct Foundation.URL

extension AtomicFile {
    /// Writes `data` to the file `url` atomically (temporary file, fsync, rename, fsync of the folder).
    public static func write(_ data: Data, to url: URL) throws {
        try write(to: url.path, chunks: [[UInt8](data)])
    }
}
