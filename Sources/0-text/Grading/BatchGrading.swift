import Foundation

/// Line-by-line grading of JSONL files (`e2h grade --input`) and the benchmark (`e2h grade --benchmark`).

/// What one input line produced.
public enum BatchOutcome: Sendable, Equatable {
    case equal, notEqual, error
}

/// The JSON line written for one input line, and its outcome.
public struct BatchLineResult: Sendable, Equatable {
    public var json: String
    public var outcome: BatchOutcome
}

/// Grades JSONL lines with string fields `gold` and `pred` (other fields are ignored).
public struct BatchGrader: Sendable {
    public var grader: AnswerGrader

    public init(grader: AnswerGrader = AnswerGrader()) {
        self.grader = grader
    }

    /// Grades one line. Output: `{"equal":..,"gold_answer":..,"pred_answer":..,"rung":..}` (plus
    /// `"reason"` when there is one), or `{"line":N,"error":"..."}` naming the problem.
    public func gradeLine(_ line: String, lineNumber: Int) -> BatchLineResult {
        gradeLine(bytes: Array(line.utf8), lineNumber: lineNumber)
    }

    /// Grades one line given as raw bytes: bytes that are not UTF-8 give an error line naming the
    /// column (distinct invalid inputs are never replaced by the same character and graded equal).
    public func gradeLine(bytes line: [UInt8], lineNumber: Int) -> BatchLineResult {
        let fields: [String]
        switch JSONFields.stringFields(bytes: line, ["gold", "pred"], optional: ["finish_reason"], lineNumber: lineNumber) {
        case .success(let f): fields = f
        case .failure(let message):
            return BatchLineResult(json: "{\"line\":\(lineNumber),\"error\":\(JSONFields.quote(message))}", outcome: .error)
        }
        // `"finish_reason": "length"` (as in `e2h sample`'s files): the prediction was cut at its token limit.
        let v = grader.grade(gold: fields[0], predicted: fields[1], predictedCutAtTokenLimit: fields[2] == "length")
        var json = "{\"equal\":\(v.isEqual),\"gold_answer\":\(JSONFields.quote(v.goldAnswer)),"
        json += "\"pred_answer\":\(JSONFields.quote(v.predictedAnswer)),\"rung\":\(JSONFields.quote(v.rung.rawValue))"
        if let r = v.reason { json += ",\"reason\":\(JSONFields.quote(r))" }
        json += "}"
        return BatchLineResult(json: json, outcome: v.isEqual ? .equal : .notEqual)
    }

}

/// The fields of one JSON line (lines are split by the caller: Support's `JSONLines` in the CLI).
enum JSONFields {
    enum FieldResult {
        case success([String])
        case failure(String)
    }

    /// The named string fields of a JSON object line, or a message naming the problem and its column.
    static func stringFields(_ line: String, _ names: [String], lineNumber: Int) -> FieldResult {
        stringFields(bytes: Array(line.utf8), names, lineNumber: lineNumber)
    }

    /// The same for the raw bytes of a line (invalid UTF-8 is reported, never replaced); each of `optional`
    /// follows the required fields in the result, "" when absent or null.
    static func stringFields(bytes: [UInt8], _ names: [String], optional: [String] = [], lineNumber: Int) -> FieldResult {
        guard bytes.contains(where: { !Bytes.isSpace($0) }) else {
            return .failure("line \(lineNumber): empty line, expected a JSON object")
        }
        var reader = JSONLineReader(bytes)
        let members: [String: String?]
        do {
            members = try reader.objectStrings()
        } catch let f as JSONLineReader.Failure where f.message == "expected a JSON object" {
            return .failure("line \(lineNumber): expected a JSON object")
        } catch let f as JSONLineReader.Failure {
            return .failure("line \(lineNumber), column \(f.column): not valid JSON: \(f.message)")
        } catch {
            return .failure("line \(lineNumber): not valid JSON: \(error)")
        }
        var out: [String] = []
        for n in names {
            guard let value = members[n] else { return .failure("line \(lineNumber): missing field \"\(n)\"") }
            guard let s = value else { return .failure("line \(lineNumber): field \"\(n)\" is not a string") }
            out.append(s)
        }
        for n in optional {
            guard let value = members[n] else { out.append(""); continue }
            out.append(value ?? "")
        }
        return .success(out)
    }

    /// A JSON string literal (or `null`).
    static func quote(_ s: String?) -> String {
        guard let s else { return "null" }
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}

/// One benchmark case: `gold`, `pred`, the `expected` verdict, an optional `category`.
public struct BenchmarkCase: Sendable, Codable, Equatable {
    public var gold: String
    public var pred: String
    public var expected: Bool
    public var category: String?

    public init(gold: String, pred: String, expected: Bool, category: String? = nil) {
        self.gold = gold
        self.pred = pred
        self.expected = expected
        self.category = category
    }
}

/// An error reading a benchmark file: the line and what is wrong with it (`missing field "expected"`).
public struct BenchmarkFileError: Error, CustomStringConvertible, Sendable {
    public var line: Int
    public var message: String
    public var description: String { "line \(line): \(message)" }

    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }
}

/// Accuracy and throughput of the grader on a case file.
public struct BenchmarkReport: Sendable {
    public var cases: Int
    public var correct: Int
    /// Wall-clock seconds for all rounds.
    public var seconds: Double
    /// Processor time of this process for all rounds (less sensitive to other load on the machine).
    public var cpuSeconds: Double
    public var repeats: Int
    /// Cases where the grader disagreed with `expected`: index, case, verdict.
    public var failures: [(Int, BenchmarkCase, Verdict)]

    public var accuracy: Double { cases == 0 ? 0 : Double(correct) / Double(cases) }
    public var casesPerSecond: Double { seconds > 0 ? Double(cases * repeats) / seconds : 0 }
    /// Cases per second of processor time.
    public var casesPerCPUSecond: Double { cpuSeconds > 0 ? Double(cases * repeats) / cpuSeconds : 0 }

    /// One JSON line with the figures.
    public var json: String {
        String(format: "{\"grader\":\"e2h\",\"cases\":%d,\"correct\":%d,\"accuracy\":%.4f,\"seconds\":%.6f,\"cpu_seconds\":%.6f,\"repeats\":%d,\"cases_per_second\":%.1f,\"cases_per_cpu_second\":%.1f}",
               cases, correct, accuracy, seconds, cpuSeconds, repeats, casesPerSecond, casesPerCPUSecond)
    }
}

/// Runs the benchmark.
public enum GradingBenchmark {
    /// Reads one case from a line (a JSON object with strings `gold`, `pred`, bool `expected`, optional string
    /// `category`); the error names the field or the column.
    public static func parseCase(_ line: [UInt8], lineNumber: Int) throws -> BenchmarkCase {
        var reader = JSONLineReader(line)
        let members: [String: JSONLineReader.Member]
        do {
            members = try reader.objectMembers()
        } catch let f as JSONLineReader.Failure {
            let message = f.message == "expected a JSON object" ? f.message : "column \(f.column): not valid JSON: \(f.message)"
            throw BenchmarkFileError(line: lineNumber, message: message)
        }
        func string(_ name: String) throws -> String {
            guard let m = members[name] else { throw BenchmarkFileError(line: lineNumber, message: "missing field \"\(name)\"") }
            guard case .string(let s) = m else { throw BenchmarkFileError(line: lineNumber, message: "field \"\(name)\" is not a string") }
            return s
        }
        guard let e = members["expected"] else { throw BenchmarkFileError(line: lineNumber, message: "missing field \"expected\"") }
        guard case .bool(let expected) = e else {
            throw BenchmarkFileError(line: lineNumber, message: "field \"expected\" is not true or false")
        }
        var category: String? = nil
        if case .string(let c)? = members["category"] { category = c }
        return BenchmarkCase(gold: try string("gold"), pred: try string("pred"), expected: expected, category: category)
    }

    /// Grades every case `repeats` times (timing all rounds; accuracy from the first).
    public static func run(_ cases: [BenchmarkCase], repeats: Int = 1, grader: AnswerGrader = AnswerGrader()) -> BenchmarkReport {
        var failures: [(Int, BenchmarkCase, Verdict)] = []
        var correct = 0
        let clock = ContinuousClock()
        let start = clock.now
        let cpuStart = Foundation.clock()
        for round in 0..<max(1, repeats) {
            for (k, c) in cases.enumerated() {
                let v = grader.grade(gold: c.gold, predicted: c.pred)
                if round == 0 {
                    if v.isEqual == c.expected { correct += 1 } else { failures.append((k, c, v)) }
                }
            }
        }
        let cpuSeconds = Double(Foundation.clock() - cpuStart) / Double(CLOCKS_PER_SEC)
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return BenchmarkReport(cases: cases.count, correct: correct, seconds: seconds, cpuSeconds: cpuSeconds,
                               repeats: max(1, repeats), failures: failures)
    }
}
