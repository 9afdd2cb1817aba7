// Read-only bytes of a safetensors file: a memory map of the file (checkpoints are GBs, and
// the pages are only read once, straight into the model's parameter buffer) or an owned copy
// for in-memory data. The only unsafe memory of the reader lives here and in the conversions.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Immutable bytes that stay valid as long as this object lives.
final class FileBytes: @unchecked Sendable {
    /// First byte; nil when `count == 0`.
    let base: UnsafeRawPointer?
    /// Number of bytes.
    let count: Int
    private let isMapped: Bool

    /// Memory-maps the file at `path` read-only.
    init(mapping path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Self.ioError(path, "open") }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw Self.ioError(path, "stat") }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw SafeTensorsError.io(file: path, operation: "open", reason: "not a regular file")
        }
        let size = Int(status.st_size)
        isMapped = size > 0
        count = size
        if size == 0 {
            base = nil
            return
        }
        let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let address, address != MAP_FAILED else { throw Self.ioError(path, "mmap") }
        base = UnsafeRawPointer(address)
    }

    /// Copies `bytes` into owned memory.
    init(copying bytes: [UInt8]) {
        count = bytes.count
        isMapped = false
        if bytes.isEmpty {
            base = nil
        } else {
            let memory = UnsafeMutableRawPointer.allocate(byteCount: bytes.count, alignment: 16)
            bytes.withUnsafeBytes { memory.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
            base = UnsafeRawPointer(memory)
        }
    }

    deinit {
        guard let base else { return }
        if isMapped {
            munmap(UnsafeMutableRawPointer(mutating: base), count)
        } else {
            base.deallocate()
        }
    }

    /// The bytes `[offset, offset + length)`; the caller has checked the range.
    func slice(_ offset: Int, _ length: Int) -> UnsafeRawBufferPointer {
        guard let base, length > 0 else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: base + offset, count: length)
    }

    static func ioError(_ path: String, _ operation: String) -> SafeTensorsError {
        .io(file: path, operation: operation, reason: String(cString: strerror(errno)))
    }
}
