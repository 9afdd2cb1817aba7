import ArgumentParser

/// The `e2h` command: every stage of the easy-to-hard method, and the engine's benchmarks.
@main
struct E2H: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "e2h",
        abstract: "Easy-to-hard generalization (Sun et al., 2024) on one CPU.",
        discussion: """
            Train an evaluator with supervision on easy problems only and use it to solve hard
            problems better. Run `e2h demo` to train a tiny model and watch the loss fall.
            """,
        subcommands: [Demo.self, Bench.self])
}
