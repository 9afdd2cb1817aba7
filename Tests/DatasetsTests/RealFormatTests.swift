import Datasets
import Testing

@Suite struct MATHFormatTests {
    @Test func readsTheMATHFolderWithBoxedAnswersAndPathIDs() throws {
        var problems: [Problem] = []
        let report = try RecordReader.read(MATHRecord.self, from: fixture("MATH")) { r, loc in
            problems.append(try r.problem(at: loc))
        }
        #expect(report.read == 3 && report.skipped == 0)
        #expect(problems.map(\.id) == ["test/algebra/1.json", "test/prealgebra/10.json", "train/number_theory/2.json"])
        #expect(problems.map(\.answer) == ["2", "180", "4"])
        #expect(problems.map(\.level) == [3, 2, 5])
        #expect(problems.map(\.subject) == ["Algebra", "Prealgebra", "Number Theory"])
    }

    @Test func readsPRM800KMathSplits() throws {
        var problems: [Problem] = []
        _ = try RecordReader.read(MATHRecord.self, from: fixture("prm800k/math_splits_test.jsonl")) { r, loc in
            problems.append(try r.problem(at: loc))
        }
        #expect(problems.map(\.id) == ["test/algebra/1.json", "test/precalculus/807.json"])
        #expect(problems[1].answer == #"\left( 3, \frac{\pi}{2} \right)"#)
        #expect(problems.map(\.level) == [3, 2])
    }

    @Test func levelQuestionMarkIsAFieldError() throws {
        let r = MATHRecord.LevelField.text("Level ?")
        #expect(r.value == nil)
        #expect(MATHRecord.LevelField.text("Level 4").value == 4)
        #expect(MATHRecord.LevelField.number(6).value == nil)
    }
}

@Suite struct PRM800KFormatTests {
    func records(_ name: String) throws -> [PRM800KRecord] {
        try RecordReader.readAll(PRM800KRecord.self, from: fixture("prm800k/\(name)")).records
    }

    @Test func prmRecordsOnePerRatedCompletionNeutralIsPositive() throws {
        var counts = PRM800KConversionCounts()
        let recs = try records("phase1_train.jsonl").flatMap { $0.prmRecords(counts: &counts) }
        #expect(recs.count == 10)
        #expect(counts.unratedCompletions == 1)
        #expect(recs.map(\.label) == [1, 1, 1, 1, 0, 1, 1, 0, 0, 1])
        // The prefix follows chosen_completion, then human_completion.
        #expect(recs[3].outputPrefix == "So if a number leaves a remainder of 2 when divided by 8, it's of the form 8n+2.\n\n"
            + "So we want to know the number of positive two-digit integers of the form 8n+2.\n\n")
        #expect(recs[3].output.hasSuffix(".\n\n"))
        #expect(recs[9].outputPrefix.contains("(y-1)(y-4)"))
        #expect(recs[9].input.hasPrefix("What is the sum"))
    }

    @Test func phase2LoneCompletionsAreWalked() throws {
        var counts = PRM800KConversionCounts()
        let r = try #require(try records("phase2_train.jsonl").first)
        #expect(r.walk.count == 3)
        #expect(r.prmRecords(counts: &counts).map(\.label) == [1, 1, 0])
        #expect(r.labelledWalk().labels == [true, true, false])
        #expect(r.sftRecord(minimumRating: 0, counts: &counts) == nil)
    }

    @Test func sftKeepsOnlyPositiveWalksEndingInAnAnswer() throws {
        var counts = PRM800KConversionCounts()
        let rs = try records("phase1_train.jsonl")
        let sft = try #require(rs[0].sftRecord(problemID: "p", counts: &counts))
        #expect(sft.steps.count == 3 && sft.answer == "12")
        #expect(sft.text.hasSuffix("so n runs from 1 to 12.\n\n# Answer\n\n12"))
        #expect(rs[1].sftRecord(counts: &counts) == nil)
        #expect(counts.rejectedSolutions.values.reduce(0, +) == 1)
        // With neutral steps allowed, the human completion is followed and the answer split off.
        let lenient = try #require(rs[1].sftRecord(minimumRating: 0, counts: &counts))
        #expect(lenient.steps == ["The expression is undefined when the denominator is zero.",
                                  "So we solve $y^2-5y+4=(y-1)(y-4)=0$, which gives $y=1$ or $y=4$.",
                                  "The sum is $1+4=5$."])
        #expect(lenient.answer == "5")
    }
}

@Suite struct MetaMathAndShepherdTests {
    @Test func metaMathResponsesBecomeSteps() throws {
        let (recs, report) = try RecordReader.readAll(MetaMathRecord.self, from: fixture("MetaMathQA-395K.json"))
        #expect(recs.count == 3 && report.skipped == 0)
        let s = try recs[0].solution(problemID: "m0")
        #expect(s.answer == "18" && s.subject == "GSM_Rephrased")
        #expect(s.steps == ["Janet's ducks lay 16 eggs per day.",
                            "She eats 3 eggs for breakfast and uses 4 eggs for muffins, so she uses a total of 3 + 4 = 7 eggs.",
                            "The remaining eggs are 16 - 7 = 9 eggs.",
                            "She sells them for $2 each, so she makes 9 * $2 = $18."])
        let m = try recs[1].solution(problemID: "m1")
        #expect(m.steps == ["We have $\\sqrt{16} = 4$.", "So $36 \\times 4 = 144$, and $\\sqrt{144} = 12$.",
                            "The value is 12.5 minus 0.5, i.e. 12."])
        #expect(throws: FieldError(field: "response", "no 'The answer is:' in the response")) {
            try recs[2].solution(problemID: "m2")
        }
    }

    @Test func shepherdTagsBecomeStepLabels() throws {
        let recs = try RecordReader.readAll(MathShepherdRecord.self, from: fixture("math-shepherd.jsonl")).records
        let gsm = try recs[0].labelledSolution(problemID: "s0")
        #expect(gsm.problem.hasSuffix("at the farmers' market?"))
        #expect(gsm.steps.count == 4 && gsm.labels == [true, true, true, true])
        #expect(gsm.steps[0].hasPrefix("Janet's ducks lay 16 eggs per day, and"))
        #expect(gsm.steps[2] == "She sells the 9 eggs for $2 each, so she makes 9 * 2 = $<<9*2=18>>18.")
        #expect(gsm.steps[3] == "# Answer\n\n18")
        let math = try recs[1].labelledSolution(problemID: "s1")
        #expect(math.labels == [true, true, false, false])
        #expect(math.steps.last == "# Answer\n\n5")
        #expect(math.trl.completions == math.steps && math.trl.prompt == math.problem)
        let prm = math.prmRecords
        #expect(prm.map(\.label) == [1, 1, 0, 0])
        #expect(prm[2].outputPrefix == math.steps[0] + "\n\n" + math.steps[1] + "\n\n")
    }

    @Test func shepherdLabelMismatchIsAFieldError() throws {
        var r = try #require(try RecordReader.readAll(MathShepherdRecord.self, from: fixture("math-shepherd.jsonl")).records.first)
        r.label = r.label.replacingOccurrences(of: "16 eggs", with: "61 eggs")
        #expect(throws: FieldError.self) { try r.labelledSolution(problemID: "x") }
    }
}

import Foundation
