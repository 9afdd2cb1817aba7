// A truncated or corrupted file must throw a SafeTensorsError, never trap: hand-made corruptions
// with their specific errors, then a seeded fuzz of truncations and byte flips.

import Foundation
import SafeTensors
import Testing

@Suite("SafeTensors corrupted files")
struct CorruptionTests {
    private func error(_ bytes: [UInt8]) -> SafeTensorsError? {
        do {
            _ = try SafeTensorsFile(bytes: bytes, name: "bad.safetensors")
            return nil
        } catch let error as SafeTensorsError {
            return error
        } catch {
            Issue.record("unexpected error type \(error)")
            return nil
        }
    }

    @Test func tooShortForThePrefix() {
        #expect(error([]) == .truncated(file: "bad.safetensors", size: 0))
        #expect(error([1, 2, 3]) == .truncated(file: "bad.safetensors", size: 3))
    }

    @Test func headerLengthBeyondFile() {
        #expect(error(rawFile(header: "{}", declaredLength: 100))
            == .headerBeyondFile(file: "bad.safetensors", headerLength: 100, fileSize: 10))
        #expect(error(rawFile(header: "{}", declaredLength: .max))
            == .headerBeyondFile(file: "bad.safetensors", headerLength: .max, fileSize: 10))
    }

    @Test func emptyHeaderIsAValidEmptyFile() throws {
        let file = try SafeTensorsFile(bytes: rawFile(header: "{}"))
        #expect(file.names.isEmpty)
    }

    @Test(arguments: [
        "", "{", "[1,2]", "null", "{\"a\": 1}", "{\"a\": {\"dtype\": \"F32\"}}",
        "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0]}}",
        "{\"a\": {\"dtype\": \"F32\", \"shape\": [1.5], \"data_offsets\": [0, 4]}}",
        "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 1e300]}}",
        "{\"__metadata__\": {\"k\": 3}}",
    ])
    func invalidHeaders(header: String) {
        guard case .invalidHeader? = error(rawFile(header: header, data: [UInt8](repeating: 0, count: 4))) else {
            Issue.record("expected invalidHeader for \(header.prefix(60))")
            return
        }
    }

    @Test func deeplyNestedHeaderIsRejectedWithoutStackOverflow() {
        guard case .invalidHeader? = error(rawFile(header: String(repeating: "[", count: 100_000))) else {
            Issue.record("expected invalidHeader")
            return
        }
    }

    @Test func unknownDType() {
        let bytes = rawFile(header: #"{"a":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}"#, data: [0])
        #expect(error(bytes) == .unknownDType(file: "bad.safetensors", tensor: "a", dtype: "F8_E4M3"))
    }

    @Test func invalidShapes() {
        let negative = rawFile(header: #"{"a":{"dtype":"F32","shape":[-1,-4],"data_offsets":[0,16]}}"#,
                               data: [UInt8](repeating: 0, count: 16))
        #expect(error(negative) == .invalidShape(file: "bad.safetensors", tensor: "a", shape: [-1, -4]))
        let huge = rawFile(header: #"{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,16]}}"#)
        #expect(error(huge) == .invalidShape(file: "bad.safetensors", tensor: "a", shape: [4_611_686_018_427_387_904, 4]))
    }

    @Test func offsetsOutOfRangeOrMismatched() {
        let beyond = rawFile(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: [0, 0, 0, 0])
        #expect(error(beyond) == .offsetsOutOfRange(file: "bad.safetensors", tensor: "a", begin: 0, end: 8, dataSize: 4))
        let reversed = rawFile(header: #"{"a":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}}"#, data: [0, 0, 0, 0])
        #expect(error(reversed) == .offsetsOutOfRange(file: "bad.safetensors", tensor: "a", begin: 4, end: 0, dataSize: 4))
        let negative = rawFile(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}"#, data: [0, 0, 0, 0])
        #expect(error(negative) == .offsetsOutOfRange(file: "bad.safetensors", tensor: "a", begin: -4, end: 0, dataSize: 4))
        let wrongSize = rawFile(header: #"{"a":{"dtype":"F16","shape":[3],"data_offsets":[0,8]}}"#,
                                data: [UInt8](repeating: 0, count: 8))
        #expect(error(wrongSize) == .sizeMismatch(file: "bad.safetensors", tensor: "a", dtype: .F16, shape: [3],
                                                  expectedBytes: 6, foundBytes: 8))
    }

    @Test func overlappingTensors() {
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        #expect(error(rawFile(header: header, data: [UInt8](repeating: 0, count: 8)))
            == .offsetsOverlap(file: "bad.safetensors", tensor: "b", other: "a"))
    }

    @Test func truncatedFileOnDiskThrowsAtOpen() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let url = directory.url.appendingPathComponent("cut.safetensors")
        try Data(pythonFixture.prefix(pythonFixture.count - 10)).write(to: url)
        #expect(throws: SafeTensorsError.self) { try SafeTensorsFile(contentsOf: url) }
        try Data().write(to: url)
        #expect(throws: SafeTensorsError.truncated(file: url.path, size: 0)) { try SafeTensorsFile(contentsOf: url) }
    }

    /// Every truncation length, and 3,000 files with 1-4 random byte changes (biased toward the
    /// header, where a change alters meaning): each must load or throw, never trap.
    @Test func fuzzTruncationsAndByteFlips() throws {
        var writer = SafeTensorsWriter(metadata: ["k": "v"])
        writer.add("w", shape: [3, 2], floats: [1, 2, 3, 4, 5, 6])
        writer.add("t", shape: [4], int32s: [1, 2, 3, 4])
        let valid = try writer.serialized()
        var corpus = [valid, pythonFixture]
        var generator = SplitMix64(seed: 0x5AFE_7E45)
        var loaded = 0, rejected = 0

        func attempt(_ bytes: [UInt8]) {
            do {
                try touchEverything(SafeTensorsFile(bytes: bytes))
                loaded += 1
            } catch is SafeTensorsError {
                rejected += 1
            } catch {
                Issue.record("non-SafeTensorsError thrown: \(error)")
            }
        }
        for base in corpus {
            for length in 0..<base.count { attempt(Array(base.prefix(length))) }
        }
        corpus.append(contentsOf: corpus)
        for round in 0..<3000 {
            var bytes = corpus[round % corpus.count]
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let headerEnd = min(bytes.count, 8 + Int(bytes[0]) + Int(bytes[1]) << 8)
                let inHeader = Bool.random(using: &generator) && headerEnd > 0
                let position = inHeader ? Int.random(in: 0..<headerEnd, using: &generator)
                                        : Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes[position] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &generator)
                case 1: bytes[position] = UInt8.random(in: 0...255, using: &generator)
                default: bytes[position] = Array("0123456789[]{},:\"-".utf8).randomElement(using: &generator)!
                }
            }
            attempt(bytes)
        }
        #expect(loaded > 0 && rejected > 0)
    }
}
