import Foundation
import Testing

/// The `e2h` binary built beside the tests.
func e2hBinary() throws -> URL {
    let here = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    var candidates = [here.appendingPathComponent("e2h"), here.deletingLastPathComponent().appendingPathComponent("e2h")]
    for configuration in ["release", "debug"] {
        candidates.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            .appendingPathComponent(".build/\(configuration)/e2h"))
    }
    guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
        throw CLIError("no e2h binary next to the tests (looked in \(candidates.map(\.path)))")
    }
    return found
}

struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs e2h with `arguments` (and `environment` added to the child's); returns exit status,
/// standard output and standard error.
func runE2H(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
    let process = Process()
    process.executableURL = try e2hBinary()
    process.arguments = arguments
    if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}

/// One name per concept across every command: `--out` (alias `-o`, `--output`) for outputs,
/// `--problems` / `--samples` / `--input` for inputs, `--seed` for seeds.
@Suite("Command-line vocabulary")
struct CommandLineTests {
    /// Commands that write something, by the words that name them.
    static let writers: [[String]] = [["run"], ["sample"], ["label"], ["score"], ["rerank"], ["train", "policy"],
                                      ["train", "reward"], ["data", "generate"], ["data", "convert"]]

    @Test func versionIsPrinted() throws {
        let result = try runE2H(["--version"])
        #expect(result.status == 0)
        #expect(result.out.trimmingCharacters(in: .whitespacesAndNewlines).first?.isNumber == true)
    }

    @Test(arguments: writers)
    func everyWriterNamesItsOutputOut(command: [String]) throws {
        let help = try runE2H(command + ["--help"])
        #expect(help.status == 0)
        #expect(help.out.contains("--out"), "\(command.joined(separator: " ")) --help lacks --out")
        #expect(help.out.contains("--out, --output <") || help.out.contains("--out <"), "\(command.joined(separator: " ")): --out is not the primary name")
    }

    @Test(arguments: [["sample"], ["label"], ["score"], ["rerank"], ["train", "reward"]])
    func samplesAndProblemsInputsShareTheirNames(command: [String]) throws {
        let help = try runE2H(command + ["--help"]).out
        #expect(help.contains("--problems"), "\(command) lacks --problems")
        if command != ["sample"] { #expect(help.contains("--samples"), "\(command) lacks --samples") }
    }

    @Test func oldSpellingsStillWork() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("e2h-cli-\(UUID().uuidString)").path
        let result = try runE2H(["data", "generate", "--levels", "1", "--count", "2", "--output", dir + "/p.jsonl"])
        #expect(result.status == 0, "\(result.err)")
        #expect(FileManager.default.fileExists(atPath: dir + "/p.jsonl"))
        let split = try runE2H(["data", "split", "--input", dir + "/p.jsonl", "--easy-output", dir + "/e.jsonl",
                                "--hard-output", dir + "/h.jsonl"])
        #expect(split.status == 0, "\(split.err)")
    }

    @Test func twoOutputsNamingOneFileAreRefusedAndNothingIsWritten() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("e2h-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        _ = try runE2H(["data", "generate", "--levels", "1-5", "--count", "2", "--out", dir + "/p.jsonl"])
        let split = try runE2H(["data", "split", "--problems", dir + "/p.jsonl", "--easy-out", dir + "/same.jsonl",
                                "--hard-out", dir + "/./same.jsonl"])
        #expect(split.status != 0)
        #expect(split.err.contains("same file"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/same.jsonl"))
        let generate = try runE2H(["data", "generate", "--count", "2", "-o", dir + "/x.jsonl", "--test-count", "1",
                                   "--test-out", dir + "/x.jsonl"])
        #expect(generate.status != 0)
        #expect(!FileManager.default.fileExists(atPath: dir + "/x.jsonl"))
    }

    @Test func levelListsParseTheSameEverywhere() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("e2h-cli-\(UUID().uuidString)").path
        _ = try runE2H(["data", "generate", "--levels", "1-5", "--count", "2", "--out", dir + "/p.jsonl"])
        let split = try runE2H(["data", "split", "--problems", dir + "/p.jsonl", "--easy", "1,3", "--hard", "4-5",
                                "--easy-out", dir + "/e.jsonl", "--hard-out", dir + "/h.jsonl"])
        #expect(split.status == 0, "\(split.err)")
        let bad = try runE2H(["data", "split", "--problems", dir + "/p.jsonl", "--easy", "-1",
                              "--easy-out", dir + "/e2.jsonl", "--hard-out", dir + "/h2.jsonl"])
        #expect(bad.status != 0)
        #expect(!FileManager.default.fileExists(atPath: dir + "/e2.jsonl"))
    }
}
