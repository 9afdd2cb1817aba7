import Datasets
import Foundation
import Grading
import Testing

@Suite struct BenchmarkGeneratorTests {
    let counts = [1: 40, 2: 40, 3: 40, 4: 40, 5: 40]

    @Test func sameSeedSameBytesOtherSeedOtherProblems() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (name, seed) in [("a", 11), ("b", 11), ("c", 12)] {
            let g = BenchmarkGenerator(seed: UInt64(seed))
            try RecordWriter.write(try g.problems(countsByLevel: counts), to: "\(dir)/\(name).jsonl")
            try RecordWriter.write(try g.pretrainingDocuments(count: 30), to: "\(dir)/\(name)-corpus.jsonl")
        }
        let a = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/a.jsonl"))
        #expect(a == (try Data(contentsOf: URL(fileURLWithPath: "\(dir)/b.jsonl"))))
        #expect(a != (try Data(contentsOf: URL(fileURLWithPath: "\(dir)/c.jsonl"))))
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(dir)/a-corpus.jsonl"))
            == (try Data(contentsOf: URL(fileURLWithPath: "\(dir)/b-corpus.jsonl"))))
    }

    @Test func levelsAreIndependentStreamsAndProblemsAreDistinct() throws {
        let g = BenchmarkGenerator(seed: 3)
        let alone = try g.problems(level: 5, count: 10)
        let together = try g.problems(countsByLevel: [1: 100, 5: 10]).filter { $0.level == 5 }
        #expect(alone == together)
        let many = try g.problems(level: 1, count: 500)
        #expect(Set(many.map(\.problem)).count == 500)
        let excluded = try g.problems(level: 5, count: 10, excluding: Set(alone.map(\.problem)))
        #expect(Set(excluded.map(\.problem)).isDisjoint(with: alone.map(\.problem)))
    }

    /// The split shares no text, has the sizes asked for, repeats for a seed, and gives the test
    /// split level 1's one-operation problems at the training split's rate, not at the rate of the
    /// first draws (near a third: they run out within a few hundred draws).
    @Test func trainAndTestSplitsFollowOneDistribution() throws {
        let g = BenchmarkGenerator(seed: 6)
        let (train, test) = try g.split(trainCountsByLevel: [1: 1500, 4: 50], testCountsByLevel: [1: 300, 4: 20])
        #expect(train.filter { $0.level == 1 }.count == 1500 && test.filter { $0.level == 1 }.count == 300)
        #expect(train.filter { $0.level == 4 }.count == 50 && test.filter { $0.level == 4 }.count == 20)
        #expect(Set(train.map(\.problem)).isDisjoint(with: test.map(\.problem)))
        #expect(Set((train + test).map(\.id)).count == train.count + test.count)
        let again = try g.split(trainCountsByLevel: [1: 1500, 4: 50], testCountsByLevel: [1: 300, 4: 20])
        #expect(again.train == train && again.test == test)
        func oneOperationShare(_ problems: [Problem]) -> Double {
            let level1 = problems.filter { $0.level == 1 }
            let one = level1.filter { p in p.problem.filter { "+-*/".contains($0) }.count == 1 }
            return Double(one.count) / Double(level1.count)
        }
        let firstDraws = try g.problems(level: 1, count: 90)
        #expect(oneOperationShare(firstDraws) > 0.2)
        #expect(abs(oneOperationShare(test) - oneOperationShare(train)) < 0.05)
    }

    @Test func everyProblemIsSolvedByItsCanonicalStepsAndFitsTheContext() throws {
        let problems = try BenchmarkGenerator(seed: 5).problems(countsByLevel: counts)
        let checker = StepChecker()
        for p in problems {
            let task = try BenchmarkTask(problem: p.problem)
            #expect(task.answerText == p.answer)
            #expect(task.subject.rawValue == p.subject)
            let sample = try #require(SolutionRecord(problem: p))
            #expect(sample.text.unicodeScalars.count <= 254)
            let result = try checker.check(text: sample.text)
            #expect(result.isFullyCorrect, "\(p.problem)")
            #expect(result.verdicts.count == task.computation.operationCount)
            // The grader accepts the canonical answer, alone and inside the solution text.
            #expect(grade(gold: p.answer, predicted: p.answer).isEqual)
            let extracted = try #require(extractAnswer(from: sample.text))
            #expect(grade(gold: p.answer, predicted: extracted.text).isEqual, "\(sample.text)")
        }
    }

    /// The standard levels: hard problems need more steps than any easy level on average (every
    /// one has four, the easy maximum), level 5 uses two-digit numbers throughout, and every value
    /// stays below 100 (the arithmetic the small policy can learn).
    @Test func hardLevelsAreHarderInKind() throws {
        let problems = try BenchmarkGenerator(seed: 9).problems(countsByLevel: counts)
        func mean(_ level: Int, _ f: (Problem) -> Int) -> Double {
            let ps = problems.filter { $0.level == level }
            return Double(ps.map(f).reduce(0, +)) / Double(ps.count)
        }
        let stepsOf = { (p: Problem) in SolutionFormat.splitSteps(p.solution ?? "").count }
        let steps = (1...5).map { l in mean(l, stepsOf) }
        #expect(steps[0] < steps[1] && steps[1] < steps[2] && steps[2] < steps[3] && steps[3] == steps[4], "\(steps)")
        #expect(problems.filter { $0.level >= 4 }.allSatisfy { stepsOf($0) == 4 })
        #expect(problems.filter { $0.level <= 3 }.allSatisfy { stepsOf($0) <= 4 })
        func numbers(_ p: Problem) -> [Int] { p.problem.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) } }
        func largest(_ p: Problem) -> Int {
            (p.solution ?? "").split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }.max() ?? 0
        }
        #expect(problems.allSatisfy { largest($0) <= 99 })
        // Level 5: the first number and every added or subtracted one have two digits.
        for p in problems where p.level == 5 { #expect(numbers(p)[0] >= 10, "\(p.problem)") }
        let operand = (1...5).map { l in mean(l) { p in numbers(p).reduce(0, +) / max(1, numbers(p).count) } }
        #expect(operand[4] > operand[3] && operand[3] > operand[1], "\(operand)")
        #expect(Set(problems.map(\.subject)) == ["arithmetic"])
    }

    /// Chain-shaped levels read left to right: step k takes the previous result and the (k+1)-th
    /// number of the problem; the checker accepts the canonical steps; old JSON without `shape`
    /// still decodes (as trees).
    @Test func chainExpressionsReadLeftToRight() throws {
        var config = BenchmarkConfig.standard
        for i in config.levels.indices { config.levels[i].shape = .chain; config.levels[i].equationShare = 0 }
        let problems = try BenchmarkGenerator(config: config, seed: 4).problems(countsByLevel: counts)
        let checker = StepChecker()
        for p in problems {
            let numbers = p.problem.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            let steps = try SolutionFormat.splitSteps(p.solution ?? "").map { try #require(StepChecker.parseStep($0)) }
            #expect(steps.count == numbers.count - 1, "\(p.problem)")
            for (k, step) in steps.enumerated() {
                #expect(step.0 == (k == 0 ? numbers[0] : steps[k - 1].3), "\(p.problem)")
                #expect(step.2 == numbers[k + 1], "\(p.problem)")
            }
            #expect(try checker.check(text: try #require(SolutionRecord(problem: p)).text).isFullyCorrect)
        }
        let level = try JSONEncoder().encode(config.levels[0])
        var object = try #require(try JSONSerialization.jsonObject(with: level) as? [String: Any])
        #expect(object["shape"] as? String == "chain")
        object["shape"] = nil
        let old = try JSONDecoder().decode(LevelSpec.self, from: try JSONSerialization.data(withJSONObject: object))
        #expect(old.shape == .tree)
    }

    @Test func pretrainingCorpusHoldsOnlyTrueSingleFacts() throws {
        let docs = try BenchmarkGenerator(seed: 1).pretrainingDocuments(count: 200)
        #expect(docs.count == 200)
        var digits = Set<Int>()
        var previous: Int?, continued = 0, facts = 0
        for d in docs {
            #expect(d.text.unicodeScalars.count <= 254)
            #expect(!d.text.contains("Compute") && !d.text.contains("Solve") && !d.text.contains("#"))
            for fact in SolutionFormat.splitSteps(d.text) {
                let (a, op, b, c) = try #require(StepChecker.parseStep(fact), "\(fact)")
                #expect(op.apply(a, b) == c, "\(fact)")
                digits.insert(String(max(a, b, c)).count)
                if let previous, a == previous || b == previous { continued += 1 }
                previous = c
                facts += 1
            }
            previous = nil
        }
        #expect(digits.isSuperset(of: [1, 2, 3, 4]))
        // About 60% of facts continue from the previous result (chains teach copying a number).
        #expect(Double(continued) / Double(facts) > 0.4, "\(continued) of \(facts)")
    }

    @Test func unknownLevelAndBadConfigurationsAreErrors() {
        #expect(throws: DataError.self) { try BenchmarkGenerator(seed: 1).problems(level: 6, count: 1) }
        var config = BenchmarkConfig.standard
        config.levels[2].operations = []
        #expect(throws: DataError.self) { try BenchmarkGenerator(config: config, seed: 1).problems(level: 1, count: 1) }
        config = .standard
        config.pretraining.divisorDigits = 0...2
        #expect(throws: DataError.self) { try BenchmarkGenerator(config: config, seed: 1).pretrainingDocuments(count: 1) }
        #expect(throws: Never.self) { try BenchmarkConfig.standard.validate() }
    }

    @Test func expressionsPrintAndParseBack() throws {
        let e = Expression.binary(.subtract, .number(10), .binary(.subtract, .number(5), .number(2)))
        #expect(e.text == "10 - (5 - 2)")
        #expect(try Expression.parse(e.text) == e)
        #expect(try Expression.parse("2+3*4") == .binary(.add, .number(2), .binary(.multiply, .number(3), .number(4))))
        #expect(throws: BenchmarkParseError.self) { try Expression.parse("2 + ") }
        #expect(throws: BenchmarkParseError.self) { try BenchmarkTask(problem: "What is 2 + 2?") }
        #expect(throws: BenchmarkParseError.self) { try BenchmarkTask(problem: "Compute 2 - 5.") }
        #expect(throws: BenchmarkParseError.self) { try BenchmarkTask(problem: "Solve 2 * x = 7.") }
        let eq = try BenchmarkTask(problem: "Solve 3 * x + 7 = 25.")
        #expect(eq.answer == 6 && eq.canonicalSteps == ["25 - 7 = 18", "18 / 3 = 6"])
    }
}
