// The layout of a run directory, named once: every stage of `e2h run` (and `e2h rl`, and the
// reports) finds its inputs and outputs here instead of through path literals.
//
//   config.json                 the run's settings (``RunDirectory/bind(_:)``)
//   data/{train,test,pretrain}.jsonl
//   policy/pretrain, policy/sft model bundles
//   reward-data/easy.jsonl, reward-data/hard-reference.jsonl   labelled policy samples
//   reward/base, reward/<name> (+ calibration.json)            evaluator and reward models
//   test/samples.jsonl, test/scored-<name>.jsonl
//   report/<name>/, summary.json
//   rl/<name>/ (policy, metrics.jsonl, training.svg), test/rl-<name>-scored-prm.jsonl   the RL stage
//   stages/<marker>.done

import Foundation

extension RunDirectory {
    /// A problems file of the run: `train`, `test`.
    public func problems(_ split: ProblemSplit) -> URL { url("data/\(split.rawValue).jsonl") }
    /// The unlabelled pretraining corpus.
    public var pretrainingCorpus: URL { url("data/pretrain.jsonl") }
    /// The policy after pretraining, before SFT.
    public var pretrainedPolicy: URL { url("policy/pretrain") }
    /// The SFT policy: the generator every later stage samples.
    public var policy: URL { url("policy/sft") }
    /// The evaluator's language model, from which the reward models start.
    public var evaluatorBase: URL { url("reward/base") }
    /// A reward model (`prm`, `orm`, `oprm`, `prm-full`, ...).
    public func rewardModel(_ name: String) -> URL { url("reward/\(name)") }
    /// The likelihood layer of a reward model.
    public func calibration(_ name: String) -> URL { rewardModel(name).appendingPathComponent("calibration.json") }
    /// Labelled policy samples of the easy training problems (the method's only supervision).
    public var easyRewardSamples: URL { url("reward-data/easy.jsonl") }
    /// Labelled samples of hard training problems, for the full-supervision reference only.
    public var hardReferenceSamples: URL { url("reward-data/hard-reference.jsonl") }
    /// The policy's samples of the test problems.
    public var testSamples: URL { url("test/samples.jsonl") }
    /// The test samples scored by one reward model.
    public func scoredSamples(_ name: String) -> URL { url("test/scored-\(name).jsonl") }
    /// The report folder of one reward model.
    public func report(_ name: String) -> URL { url("report/\(name)") }
    /// The run's summary.
    public var summary: URL { url("summary.json") }
    /// An RL run's folder (`e2h rl`, and the RL stage of `e2h run`).
    public func rlOutput(_ name: String) -> URL { url("rl/\(name)") }
    /// The RL policy's test samples, graded and scored by the easy-trained PRM.
    public func rlScoredTestSamples(_ name: String) -> URL { url("test/rl-\(name)-scored-prm.jsonl") }
}

/// The problem files of a run.
public enum ProblemSplit: String, Sendable {
    case train, test
}

/// The steps `e2h run` announces in its log (README, "What `e2h run` does"), numbered in one place.
enum RunStep: Int, CaseIterable {
    case data = 1, policy, rewardData, rewardModels, reference, test, report

    /// `[3/7]`.
    var prefix: String { "[\(rawValue)/\(Self.allCases.count)]" }
}

/// The marker files of `stages/`: a stage (or a job inside one) is done when its marker exists.
public enum StageMarker: Sendable, Equatable {
    case data, policy, rewardData, evaluatorBase, rewardModels, testSamples
    /// One reward model of the reward-model stage.
    case rewardModel(String)
    /// The RL stage's policy of one RL setting, and its scored test samples.
    case rlPolicy(String), rlTestSamples(String)

    /// The marker's file name without `.done` (the names of earlier runs, so they resume).
    var name: String {
        switch self {
        case .data: "data"
        case .policy: "policy"
        case .rewardData: "reward-data"
        case .evaluatorBase: "reward-base"
        case .rewardModels: "reward-models"
        case .testSamples: "test-samples"
        case .rewardModel(let model): "reward-\(model)"
        case .rlPolicy(let name): "rl-\(name)"
        case .rlTestSamples(let name): "rl-\(name)-test"
        }
    }
}

extension RunDirectory {
    /// Whether `marker`'s stage finished in an earlier invocation.
    public func isDone(_ marker: StageMarker) -> Bool { isDone(marker.name) }
    /// Marks `marker`'s stage finished.
    public func markDone(_ marker: StageMarker) throws { try markDone(marker.name) }
}
