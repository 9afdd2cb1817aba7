import Foundation
import Support
import Testing

/// The reference xoshiro256** of Blackman and Vigna's C code, seeded by SplitMix64, written
/// independently of ``SeededGenerator``.
private func referenceStream(seed: UInt64, count: Int) -> [UInt64] {
    var x = seed
    func splitmix() -> UInt64 {
        x = x &+ 0x9E3779B97F4A7C15
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
    var s = [splitmix(), splitmix(), splitmix(), splitmix()]
    func rotl(_ v: UInt64, _ k: UInt64) -> UInt64 { (v << k) | (v >> (64 - k)) }
    return (0..<count).map { _ in
        let result = rotl(s[1] &* 5, 7) &* 9
        let t = s[1] << 17
        s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result
    }
}

@Suite struct SeededGeneratorTests {
    @Test(arguments: [0, 1, 42, UInt64.max])
    func matchesTheReferenceAlgorithm(seed: UInt64) {
        var g = SeededGenerator(seed: seed)
        #expect((0..<100).map { _ in g.next() } == referenceStream(seed: seed, count: 100))
    }

    @Test func stateRoundTripsThroughJSONAndResumesTheStream() throws {
        var g = SeededGenerator(seed: 7)
        for _ in 0..<13 { _ = g.next() }
        let copy = try JSONDecoder().decode(SeededGenerator.self, from: JSONEncoder().encode(g))
        var a = g, b = copy
        #expect((0..<10).map { _ in a.next() } == (0..<10).map { _ in b.next() })
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(SeededGenerator.self, from: Data(#"{"state":[1,2]}"#.utf8))
        }
    }

    @Test func streamsAreIndependentAndStable() {
        var a = SeededGenerator(seed: 5, stream: 1), b = SeededGenerator(seed: 5, stream: 2)
        var a2 = SeededGenerator(seed: 5, stream: 1)
        #expect(a.next() != b.next())
        _ = a2.next()
        #expect(a.next() == a2.next())
        var p = SeededGenerator(seed: 5, stream: "problem-1"), q = SeededGenerator(seed: 5, stream: "problem-2")
        #expect(p.next() != q.next())
    }

    @Test func boundedDrawsStayInRange() {
        var g = SeededGenerator(seed: 3)
        var seen = Set<Int>()
        for _ in 0..<2_000 {
            let v = g.int(in: 3...9)
            #expect((3...9).contains(v))
            seen.insert(v)
            #expect(g.below(5) < 5)
            let u = g.nextUniform()
            #expect(u >= 0 && u < 1)
        }
        #expect(seen == Set(3...9))
    }
}

@Suite struct LevelSetTests {
    @Test(arguments: [("4", [4]), ("1-3", [1, 2, 3]), ("1...3", [1, 2, 3]), ("1,2,3", [1, 2, 3]),
                      ("1-2,5", [1, 2, 5]), (" 3 , 1 ", [1, 3]), ("2,2", [2])])
    func parsesEveryForm(text: String, levels: [Int]) throws {
        #expect(try LevelSet(parsing: text).levels == levels)
    }

    @Test(arguments: ["", "-1", "0", "3-1", "a", "1-", "1,,2", "1-2-3", "1-100000000"])
    func refusesWithTheTextAndTheReason(text: String) {
        #expect(throws: LevelSetError.self) { try LevelSet(parsing: text) }
        do { _ = try LevelSet(parsing: text) } catch let error as LevelSetError {
            #expect(error.description.contains("'\(text)'"))
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test func describesAndEncodesInTheShortestForm() throws {
        #expect(LevelSet([1, 2, 3, 5]).description == "1-3,5")
        let data = try JSONEncoder().encode(LevelSet([4, 5]))
        #expect(String(decoding: data, as: UTF8.self) == #""4-5""#)
        #expect(try JSONDecoder().decode(LevelSet.self, from: data) == [4, 5])
        #expect(try JSONDecoder().decode(LevelSet.self, from: Data("[3,1]".utf8)) == [1, 3])
    }
}

@Suite struct AtomicFileTests {
    func folder() throws -> String {
        let path = NSTemporaryDirectory() + "support-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func writesReplacesAndLeavesNoTemporaryFile() throws {
        let dir = try folder()
        let path = dir + "/a/b/file.txt"
        #expect(throws: FileError.self) { try AtomicFile.write(to: path, text: "no folder") }
        try AtomicFile.write(to: path, text: "one", createDirectories: true)
        try AtomicFile.write(to: path, text: "two")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "two")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/a/b") == ["file.txt"])
    }

    @Test func anAbandonedWriteKeepsTheOldFile() throws {
        let path = try folder() + "/file.txt"
        try AtomicFile.write(to: path, text: "old")
        do {
            let writer = try AtomicFileWriter(path: path)
            try writer.append("new, half written")
            writer.abandon()
        }
        do {
            let writer = try AtomicFileWriter(path: path)
            try writer.append("dropped without commit")
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old")
        #expect(try FileManager.default.contentsOfDirectory(atPath: (path as NSString).deletingLastPathComponent) == ["file.txt"])
    }

    @Test func aFolderInTheWayIsAnErrorNamingThePath() throws {
        let path = try folder() + "/taken"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        #expect(throws: FileError.self) { try AtomicFile.write(to: path, text: "x") }
    }
}

@Suite struct ParallelTests {
    @Test func mapKeepsOrderAndRethrowsTheFirstError() throws {
        #expect(try parallelMap(100, threads: 4) { $0 * $0 } == (0..<100).map { $0 * $0 })
        struct Failure: Error, Equatable { var k: Int }
        #expect(throws: Failure(k: 3)) { try parallelMap(50, threads: 4) { k in if k % 10 == 3 { throw Failure(k: k) }; return k } }
    }

    @Test func chunksCoverEveryIndexOnce() {
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: 1_000)
        counts.initialize(repeating: 0, count: 1_000)
        defer { counts.deallocate() }
        parallelChunks(1_000, minimumPerChunk: 10, threads: 3) { range in for i in range { counts[i] += 1 } }
        #expect((0..<1_000).allSatisfy { counts[$0] == 1 })
    }

    @Test func theWorkerLimitLowersTheDefault() {
        WorkerLimit.with(1) { #expect(defaultThreadCount == 1) }
        #expect(workerCount(3) == 3)
        #expect(workerCount(nil) == defaultThreadCount)
    }
}
