import Grading
import Testing

@Suite("Ladder and AnswerGrader")
struct GraderAPITests {
    @Test("each rung reports itself", arguments: [
        ("\\frac12", "\\dfrac{1}{2}", true, LadderRung.normalizedString),
        ("\\frac{2}{4}", "0.5", true, LadderRung.exact),
        ("2\\sqrt{2}", "\\sqrt{8}", true, LadderRung.numeric),
        ("(1,2)", "\\{1,2\\}", false, LadderRung.structure),
        ("\\text{Monday}", "monday", true, LadderRung.text),
    ])
    func rungs(gold: String, pred: String, equal: Bool, rung: LadderRung) {
        let v = grade(gold: gold, predicted: pred)
        #expect(v.isEqual == equal)
        #expect(v.rung == rung)
    }

    @Test("parsed answers are reused: voting over many samples groups by equivalence")
    func grouping() {
        let grader = AnswerGrader()
        let samples = ["\\frac12", "0.5", "1/2", "\\frac{2}{4}", "50\\%", "\\frac13", "x", "(1,2)"]
        let parsed = samples.map { grader.parse($0) }
        var groups: [[Int]] = []
        for (k, p) in parsed.enumerated() {
            if let g = groups.firstIndex(where: { grader.equivalent(parsed[$0[0]], p) }) { groups[g].append(k) } else { groups.append([k]) }
        }
        #expect(groups.first == [0, 1, 2, 3, 4])
        #expect(groups.count == 4)
        #expect(parsed[0].groupingKey == parsed[1].groupingKey)
    }

    @Test("parse(solution:) extracts first")
    func parseSolution() throws {
        let grader = AnswerGrader()
        let p = try #require(grader.parse(solution: "So the answer is $\\boxed{7}$."))
        #expect(p.text == "7" && p.rule == .boxed)
        #expect(grader.parse(solution: "") == nil)
    }

    @Test("limits are configurable and enforced")
    func limits() {
        var limits = GradingLimits()
        limits.maxAnswerLength = 10
        let grader = AnswerGrader(limits: limits)
        let v = grader.grade(gold: "1+1+1+1+1+1+1", predicted: "7")
        #expect(!v.isEqual && v.rung == .bound && v.reason != nil)
    }
}
