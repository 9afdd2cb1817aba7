import Foundation
import Testing

/// Issue 18: every command fed hostile input exits non-zero with a message naming the file, line
/// and field (or the setting and its range), and leaves no output file behind or changed.
@Suite("Hostile input")
struct HostileInputTests {
    let dir: String

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("e2h-hostile-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    func file(_ name: String, _ text: String) throws -> String {
        let path = dir + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// An output that already exists: a failing command must leave it byte for byte.
    func existingOutput(_ name: String) throws -> String { try file(name, "keep me\n") }

    func isUnchanged(_ path: String) -> Bool {
        (try? String(contentsOfFile: path, encoding: .utf8)) == "keep me\n"
    }

    static let problemA = #"{"id": "a", "problem": "1 + 1", "level": 1, "subject": "s", "answer": "2"}"#
    static let problemB = #"{"id": "b", "problem": "2 + 2", "level": 4, "subject": "s", "answer": "4"}"#

    static func prm800k(_ steps: String) -> String {
        #"{"question": {"problem": "What is 1 + 1?"}, "label": {"steps": \#(steps), "finish_reason": "solution"}}"#
    }

    @Test func demoWithAVocabularyOfOneIsASettingErrorNotACrash() throws {
        let result = try runE2H(["demo", "--vocab", "1", "--steps", "2"])
        #expect(result.status == 64)
        #expect(result.err.contains("--vocab is 1; it must be >= 2"), "\(result.err)")
        let heads = try runE2H(["demo", "--heads", "3", "--width", "128", "--steps", "1"])
        #expect(heads.status == 64 && heads.err.contains("--heads 3 must divide --width 128"), "\(heads.err)")
    }

    @Test func helpOfAnUnknownCommandIsAnError() throws {
        let result = try runE2H(["help", "nonexistent"])
        #expect(result.status == 64)
        #expect(result.err.contains("'nonexistent'") && result.err.contains("rerank"), "\(result.err)")
        let nested = try runE2H(["help", "data", "nope"])
        #expect(nested.status == 64 && nested.err.contains("'e2h data' has no command 'nope'"), "\(nested.err)")
        let known = try runE2H(["help", "data", "split"])
        #expect(known.status == 0 && known.out.contains("USAGE: e2h data split"), "\(known.out)")
    }

    @Test func negativeValuesNeedNoEqualsSign() throws {
        let result = try runE2H(["data", "convert", "--from", "prm800k", "--input", dir + "/missing.jsonl",
                                 "--out", dir + "/o.jsonl", "--min-rating", "-1"])
        #expect(!result.err.contains("Missing value"), "\(result.err)")
        #expect(result.err.contains("missing.jsonl"), "\(result.err)")
        let sample = try runE2H(["sample", "--model", dir, "--problems", dir + "/p.jsonl", "--out", dir + "/s.jsonl",
                                 "--temperature", "-1"])
        #expect(sample.status == 64 && sample.err.contains("--temperature is -1.0; it must be"), "\(sample.err)")
    }

    @Test func errorsOfASubcommandPointAtItsOwnHelp() throws {
        let sample = try runE2H(["sample", "--model", dir, "--problems", dir + "/p.jsonl", "--out", dir + "/s.jsonl",
                                 "--top-p", "2"])
        #expect(sample.status == 64)
        #expect(sample.err.contains("'e2h sample --help'"), "\(sample.err)")
        #expect(!sample.err.contains("e2h <subcommand>") && !sample.err.contains("Usage: sample"), "\(sample.err)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/s.jsonl"))
    }

    @Test func aJSONLinesFileWhoseFirstLineIsAnArrayLosesNoRecord() throws {
        let input = try file("p.json", "[1, 2]\n\(Self.problemA)\n\n\(Self.problemB)\n")
        let stop = try runE2H(["data", "split", "--problems", input, "--easy-out", dir + "/e.jsonl", "--hard-out", dir + "/h.jsonl"])
        #expect(stop.status != 0)
        #expect(stop.err.contains("\(input):1: expected an object, found an array"), "\(stop.err)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/e.jsonl"))
        let skip = try runE2H(["data", "split", "--problems", input, "--easy-out", dir + "/e.jsonl", "--hard-out", dir + "/h.jsonl",
                               "--skip-invalid"])
        #expect(skip.status == 0, "\(skip.err)")
        #expect(skip.out.contains("read 2 records from \(input), skipped 1"), "\(skip.out)")
        #expect(skip.out.contains("wrote 1 records to \(dir)/e.jsonl") && skip.out.contains("wrote 1 records to \(dir)/h.jsonl"), "\(skip.out)")
    }

    @Test func duplicateProblemIDsStopTheSplit() throws {
        let input = try file("p.jsonl", [Self.problemA, Self.problemB, Self.problemB].joined(separator: "\n"))
        let easy = try existingOutput("e.jsonl")
        let result = try runE2H(["data", "split", "--problems", input, "--easy-out", easy, "--hard-out", dir + "/h.jsonl"])
        #expect(result.status != 0)
        #expect(result.err.contains("\(input):3: field 'id': duplicate problem id 'b' (first on line 2)"), "\(result.err)")
        #expect(isUnchanged(easy) && !FileManager.default.fileExists(atPath: dir + "/h.jsonl"))
    }

    @Test(arguments: [
        (#"[{"completions": [{"text": "x", "rating": 0.5}], "chosen_completion": 0}]"#,
         "field 'label.steps[0].completions[0].rating': rating must be -1, 0, 1 or null; found 0.5"),
        (#"[{"completions": [{"text": "x", "rating": 3}], "chosen_completion": 0}]"#,
         "field 'label.steps[0].completions[0].rating': rating must be -1, 0, 1 or null; found 3"),
        (#"[{"completions": [{"text": "x", "rating": 1}], "chosen_completion": 4}]"#,
         "field 'label.steps[0].chosen_completion': chosen_completion 4 is out of range (0...0)"),
    ])
    func prm800kValuesOutOfRangeNameTheField(steps: String, message: String) throws {
        let good = Self.prm800k(#"[{"completions": [{"text": "2\n\n# Answer\n\n2", "rating": 1}], "chosen_completion": 0}]"#)
        let input = try file("prm.jsonl", good + "\n" + Self.prm800k(steps) + "\n")
        let out = try existingOutput("o.jsonl")
        let result = try runE2H(["data", "convert", "--from", "prm800k", "--input", input, "--out", out])
        #expect(result.status != 0)
        #expect(result.err.contains("\(input):2: " + message), "\(result.err)")
        #expect(isUnchanged(out))
    }

    @Test func prm800kRecordsWithoutStepsAreCountedNotLost() throws {
        let good = Self.prm800k(#"[{"completions": [{"text": "2\n\n# Answer\n\n2", "rating": 1}], "chosen_completion": 0}]"#)
        let input = try file("prm.jsonl", [good, Self.prm800k("[]"), Self.prm800k(#"[{"completions": []}]"#)].joined(separator: "\n"))
        let result = try runE2H(["data", "convert", "--from", "prm800k", "--input", input, "--out", dir + "/o.jsonl"])
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out.contains("read 3 records"), "\(result.out)")
        #expect(result.out.contains("dropped 2: no steps (steps: [] or a first step without completions)"), "\(result.out)")
    }

    @Test func aLenientConvertThatConvertsNothingFails() throws {
        let input = try file("m.jsonl", "{\"problem\": 1}\nnot json\n")
        let out = try existingOutput("o.jsonl")
        let result = try runE2H(["data", "convert", "--from", "math", "--input", input, "--out", out, "--skip-invalid"])
        #expect(result.status != 0)
        #expect(result.err.contains("none of the 2 records of \(input) could be read; the first: \(input):1: field 'problem'"), "\(result.err)")
        #expect(isUnchanged(out))
    }

    @Test func rerankRefusesAFileAsItsOutputBeforeReading() throws {
        let out = try existingOutput("report")
        // The inputs do not exist: the output is refused first, so nothing was read.
        let result = try runE2H(["rerank", "--problems", dir + "/none.jsonl", "--samples", dir + "/none.jsonl", "--out", out])
        #expect(result.status == 64)
        #expect(result.err.contains("--out \(out) is an existing file"), "\(result.err)")
        #expect(isUnchanged(out))
    }

    @Test func rerankWithoutOutSaysWhatItDidNotWrite() throws {
        let problems = try file("p.jsonl", Self.problemA + "\n" + Self.problemB + "\n")
        let samples = try file("s.jsonl", """
            {"problem_id": "a", "sample_index": 0, "answer": "2", "step_scores": [1.0]}
            {"problem_id": "b", "sample_index": 0, "answer": "5", "step_scores": [-1.0]}

            """)
        let result = try runE2H(["rerank", "--problems", problems, "--samples", samples, "--trials", "2"])
        #expect(result.status == 0, "\(result.err)")
        #expect(result.err.contains("no --out: only the table was printed"), "\(result.err)")
        #expect(!result.out.isEmpty)
    }

    @Test(arguments: [["grade"], ["rerank"]])
    func helpOfGradeAndRerankKeepsItsExamplesOnTheirLines(command: [String]) throws {
        let help = try runE2H(command + ["--help"])
        #expect(help.status == 0)
        // The overview and discussion (everything before USAGE) fit 80 columns, so nothing wraps.
        let discussion = help.out.components(separatedBy: "USAGE:")[0]
        for line in discussion.split(separator: "\n") { #expect(line.count <= 80, "\(line)") }
        let examples = command == ["grade"] ? ["\ne2h grade --benchmark FILE.jsonl\n", "\ne2h grade GOLD PRED\n"]
                                            : ["\ne2h rerank --problems P.jsonl --samples S.jsonl --out DIR\n", "\ne2h rerank --benchmark\n"]
        for example in examples { #expect(help.out.contains(example), "\(help.out)") }
    }

    @Test func outputsOfTheWrongKindAreRefusedBeforeAnyWork() throws {
        let file = try existingOutput("a-file")
        let folder = dir + "/a-folder"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let problems = try self.file("p.jsonl", Self.problemA + "\n")
        let cases: [(arguments: [String], message: String)] = [
            (["run", "--quick", "--out", file], "--out \(file) is an existing file; give a folder"),
            (["train", "policy", "--solutions", problems, "--out", file], "--out \(file) is an existing file; give a folder"),
            (["sample", "--model", folder, "--problems", problems, "--out", folder], "--out \(folder) is an existing folder; give a file path"),
            (["data", "convert", "--from", "math", "--input", problems, "--out", folder], "--out \(folder) is an existing folder"),
            (["data", "split", "--problems", problems, "--easy-out", folder, "--hard-out", dir + "/h.jsonl"], "--easy-out \(folder) is an existing folder"),
        ]
        for (arguments, message) in cases {
            let result = try runE2H(arguments)
            #expect(result.status == 64, "\(arguments)")
            #expect(result.err.contains(message), "\(arguments): \(result.err)")
            #expect(!result.err.contains("NSCocoaErrorDomain"), "\(arguments): \(result.err)")
        }
        #expect(isUnchanged(file))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: dir + "/h.jsonl"))
    }
}
