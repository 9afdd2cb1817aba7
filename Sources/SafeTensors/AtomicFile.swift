// Crash-safe file replacement: write a temporary file next to the target, fsync it, rename it
// over the target (atomic on POSIX file systems), then fsync the directory so the rename itself
// is durable.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Atomic whole-file writes.
enum AtomicFile {
    /// Writes the concatenation of `chunks` to `path` atomically.
    static func write(to path: String, chunks: [[UInt8]]) throws {
        let directory = parentDirectory(of: path)
        let base = String(path.split(separator: "/").last ?? "checkpoint")
        // O_EXCL with a counter: never clobbers another writer's temporary file, no randomness needed.
        var fd: Int32 = -1
        var temporary = ""
        for attempt in 0..<1000 {
            temporary = "\(directory)/.\(base).tmp-\(getpid())-\(attempt)"
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else { throw FileBytes.ioError(temporary, "create temporary file") }
        var done = false
        defer {
            if !done {
                close(fd)
                unlink(temporary)
            }
        }
        for chunk in chunks {
            try chunk.withUnsafeBytes { try writeAll(fd, $0, path: temporary) }
        }
        guard fsync(fd) == 0 else { throw FileBytes.ioError(temporary, "fsync") }
        done = true
        guard close(fd) == 0 else {
            unlink(temporary)
            throw FileBytes.ioError(temporary, "close")
        }
        guard rename(temporary, path) == 0 else {
            let error = FileBytes.ioError(path, "rename \(temporary) to")
            unlink(temporary)
            throw error
        }
        let directoryFD = open(directory, O_RDONLY | O_CLOEXEC)
        if directoryFD >= 0 {
            _ = fsync(directoryFD)  // Best effort: some file systems refuse fsync on directories.
            close(directoryFD)
        }
    }

    private static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var written = 0
        while written < bytes.count {
            let n = posixWrite(fd, bytes.baseAddress! + written, bytes.count - written)
            if n < 0 {
                if errno == EINTR { continue }
                throw FileBytes.ioError(path, "write")
            }
            written += n
        }
    }

    private static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let parent = String(path[..<slash])
        return parent.isEmpty ? "/" : parent
    }
}

/// POSIX `write`, named apart from `AtomicFile.write(to:chunks:)`.
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
