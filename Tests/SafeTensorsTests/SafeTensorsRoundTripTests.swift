// Writing then reading: values, shapes, metadata, layout, atomic replacement, writer errors.

import Foundation
import SafeTensors
import Testing

@Suite("SafeTensors round trip")
struct SafeTensorsRoundTripTests {
    @Test func writeThenReadFromDisk() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let url = directory.url.appendingPathComponent("model.safetensors")
        let weights: [Float] = (0..<24).map { Float($0) * 0.5 - 3 }
        var writer = SafeTensorsWriter(metadata: ["format": "pt", "config": "{\"a\": 1}\n"])
        writer.add("layer.weight", shape: [4, 6], floats: weights)
        writer.add("tokens", shape: [2, 3], int32s: [1, -2, 3, Int32.max, Int32.min, 0])
        writer.add("scalar", shape: [], floats: [7.25])
        writer.add("empty", shape: [0, 5], floats: [])
        try writer.write(to: url)

        let file = try SafeTensorsFile(contentsOf: url)
        #expect(file.names == ["empty", "layer.weight", "scalar", "tokens"])
        #expect(file.metadata == ["format": "pt", "config": "{\"a\": 1}\n"])
        #expect(try file.info("layer.weight").shape == [4, 6])
        #expect(try file.info("layer.weight").dtype == .F32)
        #expect(try file.floats("layer.weight") == weights)
        #expect(try file.int32s("tokens") == [1, -2, 3, Int32.max, Int32.min, 0])
        #expect(try file.info("scalar").shape == [])
        #expect(try file.floats("scalar") == [7.25])
        #expect(try file.floats("empty") == [])

        var destination = [Float](repeating: 0, count: 24)
        try destination.withUnsafeMutableBufferPointer {
            try file.copyFloats("layer.weight", into: $0, expectedShape: [4, 6])
        }
        #expect(destination == weights)
    }

    @Test func layoutMatchesTheSpecification() throws {
        var writer = SafeTensorsWriter()
        writer.add("b", shape: [3], floats: [1, 2, 3])
        writer.add("a", shape: [1], int32s: [9])
        let bytes = try writer.serialized()
        let headerLength = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(headerLength % 8 == 0)
        let header = String(decoding: bytes[8..<(8 + headerLength)], as: UTF8.self)
        // Same dtype rank order as Python: F32 before I32, then by name; padded with spaces.
        #expect(header.hasPrefix(#"{"b":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},"a":{"dtype":"I32","#))
        let padding = header.reversed().prefix { $0 == " " }.count
        #expect(padding < 8 && header.dropLast(padding).hasSuffix("}"))
        #expect(bytes.count == 8 + headerLength + 16)
    }

    @Test func writeReplacesAnExistingFileAndLeavesNoTemporaryFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let url = directory.url.appendingPathComponent("ckpt.safetensors")
        for version in 1...2 {
            var writer = SafeTensorsWriter(metadata: ["step": "\(version)"])
            writer.add("w", shape: [2], floats: [Float(version), 0])
            try writer.write(to: url)
        }
        let file = try SafeTensorsFile(contentsOf: url)
        #expect(file.metadata["step"] == "2")
        #expect(try file.floats("w") == [2, 0])
        let listing = try FileManager.default.contentsOfDirectory(atPath: directory.url.path)
        #expect(listing == ["ckpt.safetensors"])
    }

    @Test func writeIntoAMissingDirectoryThrows() throws {
        let url = URL(fileURLWithPath: "/nonexistent-\(UUID().uuidString)/x.safetensors")
        var writer = SafeTensorsWriter()
        writer.add("w", shape: [1], floats: [1])
        #expect(throws: SafeTensorsError.self) { try writer.write(to: url) }
    }

    @Test func writerRejectsBadTensors() throws {
        var duplicate = SafeTensorsWriter()
        duplicate.add("w", shape: [1], floats: [1])
        duplicate.add("w", shape: [1], floats: [2])
        #expect(throws: SafeTensorsError.self) { try duplicate.serialized() }

        var wrongCount = SafeTensorsWriter()
        wrongCount.add("w", shape: [2, 2], floats: [1, 2, 3])
        #expect(throws: SafeTensorsError.self) { try wrongCount.serialized() }

        var reserved = SafeTensorsWriter()
        reserved.add("__metadata__", shape: [1], floats: [1])
        #expect(throws: SafeTensorsError.self) { try reserved.serialized() }
    }

    @Test func namesWithSpecialCharactersRoundTrip() throws {
        var writer = SafeTensorsWriter(metadata: ["quote\"key": "tab\there \u{1}é"])
        writer.add("weird \"name\"\\\n", shape: [1], floats: [3])
        let file = try SafeTensorsFile(bytes: writer.serialized())
        #expect(file.names == ["weird \"name\"\\\n"])
        #expect(file.metadata == ["quote\"key": "tab\there \u{1}é"])
    }

    @Test func accessorErrorsNameTheFileTensorAndShapes() throws {
        var writer = SafeTensorsWriter()
        writer.add("model.norm.weight", shape: [4], floats: [1, 1, 1, 1])
        writer.add("tokens", shape: [2], int32s: [1, 2])
        let file = try SafeTensorsFile(bytes: writer.serialized(), name: "ckpt.safetensors")

        do {
            var buffer = [Float](repeating: 0, count: 8)
            try buffer.withUnsafeMutableBufferPointer {
                try file.copyFloats("model.norm.weight", into: $0, expectedShape: [8])
            }
            Issue.record("expected a shape mismatch")
        } catch let error as SafeTensorsError {
            #expect(error == .shapeMismatch(file: "ckpt.safetensors", tensor: "model.norm.weight",
                                            expected: [8], found: [4]))
            #expect(error.description.contains("[8]") && error.description.contains("[4]"))
        }
        #expect(throws: SafeTensorsError.missingTensor(file: "ckpt.safetensors", tensor: "lm_head.weight",
                                                       available: ["model.norm.weight", "tokens"])) {
            try file.info("lm_head.weight")
        }
        #expect(throws: SafeTensorsError.dtypeNotConvertible(file: "ckpt.safetensors", tensor: "tokens",
                                                             dtype: .I32, to: "Float")) {
            try file.floats("tokens")
        }
        #expect(throws: SafeTensorsError.dtypeNotConvertible(file: "ckpt.safetensors", tensor: "model.norm.weight",
                                                             dtype: .F32, to: "Int32")) {
            try file.int32s("model.norm.weight")
        }
        var small = [Float](repeating: 0, count: 3)
        #expect(throws: SafeTensorsError.self) {
            try small.withUnsafeMutableBufferPointer {
                try file.copyFloats("model.norm.weight", into: $0, expectedShape: [4])
            }
        }
    }

    @Test func missingFileThrowsAnIOError() {
        #expect(throws: SafeTensorsError.self) {
            try SafeTensorsFile(contentsOf: URL(fileURLWithPath: "/nonexistent/\(UUID().uuidString)"))
        }
    }
}
