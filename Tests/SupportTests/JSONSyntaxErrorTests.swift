import Foundation
import Support
import Testing

/// A JSON document that does not parse is described with the line and column where it breaks.
@Suite struct JSONSyntaxErrorTests {
    @Test func validDocumentsHaveNoError() {
        #expect(jsonSyntaxError(in: Data(#"{"a": [1, 2, {"b": null}]}"#.utf8)) == nil)
        #expect(jsonSyntaxError(in: Data("3".utf8)) == nil)
    }

    @Test func aTruncatedDocumentIsAnError() {
        #expect(jsonSyntaxError(in: Data(#"{"a": [1, 2"#.utf8)) != nil)
    }

    @Test(arguments: [
        ("{\n  \"seed\": 3,\n  \"trials\": 20,,\n}\n", 3, 16),
        ("{\"a\": 1 \"b\": 2}", 1, 9),
        ("{\n\"é\": 1 2}", 2, 8),
    ])
    func errorsNameLineAndColumn(text: String, line: Int, column: Int) throws {
        let message = try #require(jsonSyntaxError(in: Data(text.utf8)))
        #expect(message.hasPrefix("line \(line), column \(column):"), "\(message)")
    }

    @Test func decodingErrorsOfBadBytesCarryTheLocation() {
        struct S: Decodable { var a: Int }
        let data = Data("{\n  \"a\": 1,,\n}".utf8)
        do {
            _ = try JSONDecoder().decode(S.self, from: data)
            Issue.record("decoded invalid JSON")
        } catch {
            #expect(describeDecodingError(error, in: data).hasPrefix("not valid JSON: line 2, column"))
        }
    }
}
