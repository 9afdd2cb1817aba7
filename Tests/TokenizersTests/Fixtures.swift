import Foundation
import Tokenizers

/// Path of a file under Fixtures/.
func fixtureURL(_ name: String) -> URL {
    Bundle.module.resourceURL!.appendingPathComponent("Fixtures").appendingPathComponent(name)
}

/// The parity strings of scripts/make_tokenizer_fixtures.py.
func parityStrings() throws -> [String] {
    try JSONDecoder().decode([String].self, from: Data(contentsOf: fixtureURL("strings.json")))
}

/// Expected ids of `name` for each parity string (base64 of little-endian UInt16s).
func parityIDs(_ name: String) throws -> [[Int]] {
    let packed = try JSONDecoder().decode([String].self, from: Data(contentsOf: fixtureURL("\(name).ids.json")))
    return packed.map { text in
        let bytes = [UInt8](Data(base64Encoded: text) ?? Data())
        return stride(from: 0, to: bytes.count - 1, by: 2).map { Int(bytes[$0]) | Int(bytes[$0 + 1]) << 8 }
    }
}

/// A fixture tokenizer.
func fixtureTokenizer(_ name: String) throws -> ByteLevelBPE {
    try ByteLevelBPE(tokenizerJSON: Data(contentsOf: fixtureURL("\(name).tokenizer.json")), file: "\(name).tokenizer.json")
}

/// A fresh empty folder.
func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("TokenizersTests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
