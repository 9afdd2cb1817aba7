import Foundation
import Datasets
import Support
import Testing

@Suite struct PipelineTests {
    @Test func convertMATHExcludingMATH500() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let out = folder + "/math.jsonl"
        var options = DataPipeline.ConvertOptions()
        options.exclude = [fixture("prm800k/math_splits_test.jsonl")]
        let report = try DataPipeline.convert(from: .math, to: .problems, input: fixture("MATH"), output: out, options: options)
        let problems = try RecordReader.readAll(Problem.self, from: out).records
        #expect(problems.map(\.id) == ["test/prealgebra/10.json", "train/number_theory/2.json"])
        #expect(report.dropped == ["excluded (in --exclude)": 1])
        #expect(report.render().contains("wrote 2 records to \(out)"))
    }

    @Test func convertPRM800KWithLevelsFromMathSplits() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var options = DataPipeline.ConvertOptions()
        options.levelsFrom = [fixture("prm800k/math_splits_train.jsonl")]
        options.levels = LevelSet(1...3)
        let report = try DataPipeline.convert(from: .prm800k, to: .prm, input: fixture("prm800k/phase1_train.jsonl"),
                                              output: dir + "/prm.jsonl", options: options)
        // The level-4 problem is dropped; the level-2 one gives 6 PRM records.
        #expect(report.dropped == ["level outside 1-3": 1])
        #expect(report.written.first?.count == 6)
        #expect(report.notes == ["unrated completions skipped": 1])

        let sft = try DataPipeline.convert(from: .prm800k, to: .sft, input: fixture("prm800k/phase1_train.jsonl"),
                                           output: dir + "/sft.jsonl", options: options)
        let recs = try RecordReader.readAll(SolutionRecord.self, from: dir + "/sft.jsonl").records
        #expect(recs.count == 1 && recs[0].level == 2 && recs[0].problemID == "train/number_theory/7115.json")
        #expect(sft.written.first?.count == 1)

        #expect(throws: DataError.self) {
            try DataPipeline.convert(from: .metamath, to: .prm, input: fixture("MetaMathQA-395K.json"), output: dir + "/x.jsonl")
        }
    }

    @Test func convertMetaMathAndShepherdCountEverything() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let m = try DataPipeline.convert(from: .metamath, to: .sft, input: fixture("MetaMathQA-395K.json"), output: dir + "/m.jsonl")
        #expect(m.reads.first?.read == 2 && m.reads.first?.skipped == 1 && m.written.first?.count == 2)
        #expect(m.render().contains("MetaMathQA-395K.json:"))  // the skipped record is reported with its line
        let s = try DataPipeline.convert(from: .shepherd, to: .trl, input: fixture("math-shepherd.jsonl"), output: dir + "/t.jsonl")
        #expect(s.written.first?.count == 2)
        let trl = try RecordReader.readAll(TRLPRMRecord.self, from: dir + "/t.jsonl").records
        #expect(trl.map(\.labels.count) == [4, 4])
    }

    @Test func splitByLevelKeepsTheTestSetOut() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = dir + "/all.jsonl"
        let problems = try BenchmarkGenerator(seed: 2).problems(countsByLevel: [1: 5, 2: 5, 3: 5, 4: 5, 5: 5])
        try RecordWriter.write(problems, to: input)
        try RecordWriter.write(problems.filter { $0.level == 5 }.prefix(2), to: dir + "/test.jsonl")
        let report = try DataPipeline.split(input: input, split: .paper, easyOutput: dir + "/easy.jsonl",
                                            hardOutput: dir + "/hard.jsonl", exclude: [dir + "/test.jsonl"])
        #expect(report.written.map(\.count) == [15, 8])
        #expect(report.dropped == ["excluded (in --exclude)": 2])
        let easy = try RecordReader.readAll(Problem.self, from: dir + "/easy.jsonl").records
        #expect(easy == problems.filter { $0.level <= 3 })
        #expect(throws: DataError.self) { try DifficultySplit(easyLevels: 1...3, hardLevels: 3...5) }
        #expect(try DifficultySplit.parseLevels("2-4") == LevelSet(2...4))
        #expect(try DifficultySplit.parseLevels("1,3") == [1, 3])
        #expect(throws: DataError.self) { try DifficultySplit.parseLevels("4-2") }
    }

    @Test func statsOfAGeneratedSetAndOfLabels() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try RecordWriter.write(try BenchmarkGenerator(seed: 4).problems(countsByLevel: [1: 10, 4: 6]), to: dir + "/p.jsonl")
        let s = try DatasetStats.compute(path: dir + "/p.jsonl")
        #expect(s.kind == .problems && s.records == 16 && s.byLevel == [1: 10, 4: 6])
        #expect(s.checkerAccepted == 16 && s.checkerChecked == 16)
        #expect(s.stepsByLevel[4].map { (4...5).contains($0.mean) } == true)  // level 4 has 4-5 steps
        let text = s.render()
        #expect(text.contains("level  count  steps min/mean/max  characters min/mean/max"))
        let levelOne = try #require(s.stepsByLevel[1])
        #expect(text.contains("1      10     \(levelOne.text)"))
        #expect(text.contains("canonical solutions accepted by the step checker: 16/16"))

        let prm = try DatasetStats.compute(path: fixture("prm800k/phase1_train.jsonl"))
        #expect(prm.kind == .prm800k && prm.positiveLabels == 7 && prm.negativeLabels == 3)
        #expect(prm.render().contains("labels: 7 positive, 3 negative (70.0% positive)"))
        #expect(try DatasetStats.compute(path: fixture("math-shepherd.jsonl")).kind == .shepherd)
        #expect(try DatasetStats.compute(path: fixture("MetaMathQA-395K.json")).kind == .metamath)
        #expect(try DatasetStats.compute(path: fixture("MATH")).kind == .math)
        #expect(try DatasetStats.compute(path: fixture("prm800k/math_splits_test.jsonl")).kind == .math)
    }

    /// `generate` with a test output writes both splits of one pool, the test file per level's count.
    @Test func generateWritesATrainAndATestSplit() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let report = try DataPipeline.generate(generator: BenchmarkGenerator(seed: 8), countsByLevel: [1: 30, 5: 10],
                                               output: dir + "/train.jsonl", testCountsByLevel: [1: 5, 5: 4],
                                               testOutput: dir + "/test.jsonl")
        let train = try RecordReader.readAll(Problem.self, from: dir + "/train.jsonl").records
        let test = try RecordReader.readAll(Problem.self, from: dir + "/test.jsonl").records
        #expect(train.count == 40 && test.count == 9 && report.written.map(\.count) == [40, 9])
        #expect(test.filter { $0.level == 5 }.count == 4)
        #expect(Set(train.map(\.problem)).isDisjoint(with: test.map(\.problem)))
    }
}
