import Datasets
import Foundation
import Testing

/// A problems file made by hand needs only `id`, `problem` and `answer`.
@Suite struct ProblemRecordTests {
    @Test func subjectAndLevelMayBeLeftOut() throws {
        let p = try JSONDecoder().decode(Problem.self, from: Data(#"{"id": "a", "problem": "1+1?", "answer": "2"}"#.utf8))
        #expect(p.level == 0 && p.subject == "" && p.solution == nil && p.answer == "2")
        let full = try JSONDecoder().decode(Problem.self, from: Data(
            #"{"id": "b", "problem": "x", "answer": "3", "level": 4, "subject": "Algebra", "solution": "s"}"#.utf8))
        #expect(full == Problem(id: "b", problem: "x", level: 4, subject: "Algebra", answer: "3", solution: "s"))
    }

    @Test func theAnswerIsRequired() {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Problem.self, from: Data(#"{"id": "a", "problem": "1+1?"}"#.utf8))
        }
    }
}
