import Foundation
import Support
import Testing

/// The one JSON Lines reader: physical line numbers, byte order mark, carriage returns, blank
/// lines, and telling a JSON array document from JSON Lines whose first record is an array.
@Suite struct JSONLinesTests {
    func temporaryFile(_ name: String, _ bytes: [UInt8]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("e2h-jsonl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func fileReaderNumbersPhysicalLinesAndSkipsBlankOnes() throws {
        let text = Array("\u{FEFF}{\"a\":1}\r\n\n   \n{\"a\":2}\n\t\n{\"a\":3}".utf8)
        var reader = try JSONLinesFileReader(path: try temporaryFile("x.jsonl", text))
        var seen: [(Int, String)] = []
        while let (line, bytes) = try reader.next() { seen.append((line, String(decoding: bytes, as: UTF8.self))) }
        #expect(seen.map(\.0) == [1, 4, 6])
        #expect(seen.map(\.1) == ["{\"a\":1}", "{\"a\":2}", "{\"a\":3}"])
    }

    @Test func parallelChunksNumberLinesAsOneSerialPass() throws {
        var text = "\u{FEFF}"
        for i in 0..<5_000 { text += i % 7 == 0 ? "\n" : "{\"i\":\(i)}\r\n" }
        let bytes = Array(text.utf8)
        var serial: [Int: String] = [:]
        bytes.withUnsafeBufferPointer { all in
            JSONLines.forEachLine(in: UnsafeBufferPointer(rebasing: all[JSONLines.bodyStart(all)...])) { line, b in
                if !JSONLines.isBlank(b) { serial[line] = String(decoding: b, as: UTF8.self) }
            }
        }
        for pieces in [1, 2, 7, 64] {
            var chunked: [Int: String] = [:]
            try bytes.withUnsafeBufferPointer { all in
                let chunks = try JSONLines.chunks(of: all, pieces: pieces, threads: 2)
                #expect(chunks.first?.range.lowerBound == 3 && chunks.last?.range.upperBound == all.count)
                for c in chunks {
                    JSONLines.forEachLine(in: UnsafeBufferPointer(rebasing: all[c.range]), firstLine: c.firstLine) { line, b in
                        if !JSONLines.isBlank(b) { chunked[line] = String(decoding: b, as: UTF8.self) }
                    }
                }
            }
            #expect(chunked == serial, "pieces \(pieces)")
        }
        #expect(serial[2] == "{\"i\":1}" && serial[1] == nil && serial.count == 5_000 - 715)
    }

    @Test func aPipeIsJSONLinesWithoutBeingRead() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fifo-\(UUID().uuidString)").path
        #expect(mkfifo(path, 0o600) == 0)
        defer { try? FileManager.default.removeItem(atPath: path) }
        // Opening a FIFO without a writer would block: the shape must come from its type alone.
        #expect(try JSONLines.shape(ofFileAt: path) == .lines)
        #expect(JSONLines.isStream(path))
        #expect(!JSONLines.isStream(#filePath))
    }

    @Test func shapeTellsArraysFromLinesWhoseFirstRecordIsAnArray() throws {
        let linesStartingWithArray = Array("[1, 2]\n{\"a\": 1}\n".utf8)
        #expect(try JSONLines.shape(ofFileAt: temporaryFile("x.json", linesStartingWithArray)) == .lines)
        #expect(try JSONLines.shape(ofFileAt: temporaryFile("x.jsonl", Array("[{\"a\": 1}]".utf8))) == .lines)
        #expect(try JSONLines.shape(ofFileAt: temporaryFile("one-line.json", Array("[{\"a\": 1}, {\"a\": 2}]\n".utf8))) == .array)
        #expect(try JSONLines.shape(ofFileAt: temporaryFile("pretty.json", Array("[\n  {\"a\": \"]\"},\n  {\"a\": 2}\n]\n".utf8))) == .array)
        #expect(try JSONLines.shape(ofFileAt: temporaryFile("bom.json", [0xEF, 0xBB, 0xBF] + Array("  [{\"a\": 1}]".utf8))) == .array)
        #expect(try JSONLines.shape(ofFileAt: temporaryFile("obj.json", Array("{\"a\": 1}\n".utf8))) == .lines)
        #expect(throws: ChunkedFileReader.OpenError.self) { try JSONLines.shape(ofFileAt: "/nonexistent/x.json") }
    }
}
