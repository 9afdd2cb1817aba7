import Datasets
import Testing

@Suite struct StepCheckerTests {
    let checker = StepChecker()
    let problem = "Compute (347 + 28) * 6 - 90 / 5."  // 375 * 6 = 2250; 90 / 5 = 18; 2232

    func check(_ steps: [String], answer: String?) throws -> StepCheckResult {
        let completion = steps.joined(separator: "\n\n") + (answer.map { "\n\n# Answer\n\n" + $0 } ?? "")
        return try checker.check(problem: problem, completion: completion)
    }

    @Test func acceptsTheCanonicalAndOtherValidOrders() throws {
        let canonical = try BenchmarkTask(problem: problem).canonicalSteps
        #expect(canonical == ["347 + 28 = 375", "375 * 6 = 2250", "90 / 5 = 18", "2250 - 18 = 2232"])
        let r = try check(canonical, answer: "2232")
        #expect(r.isFullyCorrect && r.labels == [true, true, true, true, true] && r.firstErrorIndex == nil)
        // Independent operations in another order, commuted operands, no spaces.
        let other = try check(["90/5=18", "28 + 347 = 375", "6 * 375 = 2250", "2250 - 18 = 2232"], answer: "2232")
        #expect(other.isFullyCorrect)
    }

    @Test func wrongArithmeticAndWhatBuildsOnIt() throws {
        let r = try check(["347 + 28 = 365", "365 * 6 = 2190", "90 / 5 = 18", "2190 - 18 = 2172"], answer: "2172")
        #expect(r.verdicts == [.wrongArithmetic, .notApplicable, .correct, .notApplicable])
        #expect(!r.answerCorrect && !r.isComplete && r.firstErrorIndex == 0)
        #expect(r.labels == [false, false, true, false, false])
    }

    @Test func skippedStepIsNotApplicable() throws {
        let r = try check(["375 * 6 = 2250", "90 / 5 = 18", "2250 - 18 = 2232"], answer: "2232")
        #expect(r.verdicts == [.notApplicable, .correct, .notApplicable])
        #expect(r.answerCorrect && !r.isComplete && !r.isFullyCorrect)
    }

    @Test func wrongFinalAnswerAndMissingAnswer() throws {
        let steps = try BenchmarkTask(problem: problem).canonicalSteps
        let r = try check(steps, answer: "2233")
        #expect(r.verdicts.allSatisfy(\.isCorrect) && r.isComplete && !r.answerCorrect)
        #expect(r.labels.last == false && r.firstErrorIndex == 4)
        #expect(try check(steps, answer: "\\boxed{2232}").answerCorrect)
        #expect(try check(steps, answer: "2232.0").answerCorrect)
        let none = try check(steps, answer: nil)
        #expect(!none.answerCorrect && none.labels.count == 4 && none.answer == nil)
    }

    @Test func garbageRepeatsAndUnrelatedFacts() throws {
        let r = try check(["xx7 +", "347 + 28 = 375", "347 + 28 = 375", "2 + 2 = 4", "347 + 28 = -9", "1/0=0"],
                          answer: "banana")
        #expect(r.verdicts == [.unparseable, .correct, .notApplicable, .notApplicable, .unparseable, .wrongArithmetic])
        #expect(!r.answerCorrect)
        let empty = try checker.check(problem: problem, completion: "")
        #expect(empty.verdicts.isEmpty && !empty.isComplete && !empty.answerCorrect)
    }

    @Test func equationsUndoTheOperationsOutermostFirst() throws {
        let p = "Solve (x - 12) * 3 + 45 = 120."
        let task = try BenchmarkTask(problem: p)
        #expect(task.canonicalSteps == ["120 - 45 = 75", "75 / 3 = 25", "25 + 12 = 37"] && task.answer == 37)
        let ok = try checker.check(problem: p, completion: "120 - 45 = 75\n\n75 / 3 = 25\n\n12 + 25 = 37\n\n# Answer\n\n37")
        #expect(ok.isFullyCorrect)
        let bad = try checker.check(problem: p, completion: "120 + 45 = 165\n\n165 / 3 = 55\n\n55 + 12 = 67\n\n# Answer\n\n67")
        #expect(bad.labels == [false, false, false, false])
    }

    @Test func labelledSolutionCarriesTheAnswerStep() throws {
        let r = try check(["347 + 28 = 375", "375 * 6 = 2250"], answer: "2250")
        let l = r.labelledSolution(problemID: "p", problem: problem, level: 3)
        #expect(l.steps == ["347 + 28 = 375", "375 * 6 = 2250", "# Answer\n\n2250"])
        #expect(l.labels == [true, true, false])
        #expect(l.prmRecords.map(\.label) == [1, 1, 0])
    }

    @Test func checksAWholeTextAndRejectsForeignProblems() throws {
        let text = SolutionFormat.text(problem: "Compute 2 + 3.", steps: ["2 + 3 = 5"], answer: "5")
        #expect(try checker.check(text: text).isFullyCorrect)
        #expect(throws: BenchmarkParseError.self) { try checker.check(text: "# Question\n\nWhat is love?\n\n# Solution\n\n") }
    }
}
