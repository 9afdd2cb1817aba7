import ArgumentParser

/// The `e2h` command: every stage of the easy-to-hard method, and the engine's benchmarks.
@main
struct E2H: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "e2h",
        abstract: "Easy-to-hard generalization (Sun et al., 2024) on one CPU.",
        discussion: """
            Train an evaluator with supervision on easy problems only and use it to solve hard \
            problems better. `e2h run` runs the whole method on the built-in benchmark; the other \
            commands run one stage each on files.
            """,
        version: e2hVersion,
        subcommands: [Run.self, DataCommand.self, Train.self, Sample.self, Label.self, Score.self, Rerank.self,
                      Grade.self, Bench.self, Demo.self, RL.self, Tokenize.self, Generate.self, Serve.self])
}

/// The version `e2h --version` prints.
let e2hVersion = "0.2.0"
