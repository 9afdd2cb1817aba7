// Reading the PyTorch reference values written by scripts/make_objective_fixtures.py, and the
// comparisons the suites share.

import Foundation
import Testing

/// One case of a fixture file: settings (numbers), options (strings) and tensors (flat, row-major).
struct FixtureCase: Decodable {
    let name: String
    let settings: [String: Double]
    let options: [String: String]
    let tensors: [String: [Double]]

    /// A tensor as Float (the inputs were float32 in the script, so this is exact for inputs).
    func floats(_ key: String) -> [Float] {
        guard let values = tensors[key] else {
            Issue.record("\(name): no tensor \(key)")
            return []
        }
        return values.map(Float.init)
    }

    /// A one-element tensor.
    func scalar(_ key: String) -> Double { tensors[key]?.first ?? .nan }

    /// An integer setting.
    func int(_ key: String) -> Int { Int(settings[key] ?? -1) }

    /// A boolean option ("true" / "false").
    func flag(_ key: String) -> Bool { options[key] == "true" }
}

private struct FixtureFile: Decodable { let cases: [FixtureCase] }

/// The cases of `Fixtures/<name>.json`.
func fixtureCases(_ name: String) throws -> [FixtureCase] {
    guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures") else {
        throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "Fixtures/\(name).json"])
    }
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf",
                                                                    nan: "nan")
    let cases = try decoder.decode(FixtureFile.self, from: Data(contentsOf: url)).cases
    #expect(!cases.isEmpty, "Fixtures/\(name).json has no cases")
    return cases
}

/// |a − b| ≤ tolerance·(1 + |b|) elementwise, same length.
func expectClose(_ a: [Float], _ b: [Float], tolerance: Double = 1e-5, _ label: String,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(a.count == b.count, "\(label): \(a.count) values, expected \(b.count)", sourceLocation: sourceLocation)
    for (i, (x, y)) in zip(a, b).enumerated() where !(abs(Double(x) - Double(y)) <= tolerance * (1 + abs(Double(y)))) {
        Issue.record("\(label)[\(i)]: \(x), expected \(y)", sourceLocation: sourceLocation)
        return
    }
}

/// |a − b| ≤ tolerance·(1 + |b|).
func expectClose(_ a: Float, _ b: Double, tolerance: Double = 1e-5, _ label: String,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(abs(Double(a) - b) <= tolerance * (1 + abs(b)), "\(label): \(a), expected \(b)",
            sourceLocation: sourceLocation)
}
