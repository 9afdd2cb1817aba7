// Helpers shared by the SafeTensors test suites.

import Foundation
import SafeTensors

/// A fresh temporary directory, removed by `cleanup()`.
struct TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("safetensors-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func cleanup() { try? FileManager.default.removeItem(at: url) }
}

/// SplitMix64: a tiny seeded generator so the fuzz test is reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Builds a file from a hand-written header and data, for corruption tests.
func rawFile(header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) -> [UInt8] {
    let json = Array(header.utf8)
    let length = declaredLength ?? UInt64(json.count)
    var out = (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * UInt64($0))) }
    out += json
    out += data
    return out
}

/// Reads every tensor of `file` through every accessor, as a loader would.
func touchEverything(_ file: SafeTensorsFile) throws {
    for name in file.names {
        let info = try file.info(name)
        if info.dtype.isFloatingPoint {
            let values = try file.floats(name)
            var copy = [Float](repeating: 0, count: info.elementCount)
            try copy.withUnsafeMutableBufferPointer {
                try file.copyFloats(name, into: $0, expectedShape: info.shape)
            }
            _ = values
        } else if info.dtype != .BOOL {
            _ = try file.int32s(name)
        }
        _ = try file.withRawBytes(name) { $0.reduce(0) { $0 &+ Int($1) } }
    }
}
