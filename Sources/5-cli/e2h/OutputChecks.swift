import ArgumentParser
import Foundation

/// What an output option names: a file (written atomically) or a folder (created if needed).
enum OutputKind { case file, folder }

/// A command whose outputs are checked before any work: a file output must not be an existing
/// folder, a folder output must not be an existing file. (Before, `--out FILE` for a folder failed
/// with an `NSCocoaErrorDomain` text, and `--out DIR` for a file failed only after all the work.)
protocol WritesOutputs {
    /// (flag, path, kind) of every output option; nil paths are not given.
    var outputTargets: [(flag: String, path: String?, kind: OutputKind)] { get }
}

/// Refuses outputs of the wrong kind, naming the option and the path.
func checkOutputs(of command: ParsableCommand) throws {
    guard let command = command as? WritesOutputs else { return }
    for (flag, path, kind) in command.outputTargets {
        guard let path else { continue }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
        switch kind {
        case .file where isDirectory.boolValue:
            throw ValidationError("\(flag) \(path) is an existing folder; give a file path")
        case .folder where !isDirectory.boolValue:
            throw ValidationError("\(flag) \(path) is an existing file; give a folder (new or existing)")
        default: break
        }
    }
}

extension Run: WritesOutputs {
    var outputTargets: [(flag: String, path: String?, kind: OutputKind)] { [("--out", out, .folder)] }
}

extension TrainPolicy: WritesOutputs {
    var outputTargets: [(flag: String, path: String?, kind: OutputKind)] { [("--out", out, .folder)] }
}

extension TrainReward: WritesOutputs {
    var outputTargets: [(flag: String, path: String?, kind: OutputKind)] { [("--out", out, .folder)] }
}

extension Sample: WritesOutputs {
    var outputTargets: [(flag: String, path: String?, kind: OutputKind)] { [("--out", out, .file)] }
}

extension Label: WritesOutputs {
    var outputTargets: [(flag: String, path: String?, kind: OutputKind)] { [("--out", out, .file)] }
}

extension Score: WritesOutputs {
    var outputTargets: [(flag: String, path: String?, kind: OutputKind)] { [("--out", out, .file)] }
}

extension DataCommand.Generate: WritesOutputs {
    var outputTargets: [(flag: String, path: String?, kind: OutputKind)] {
        [("--out", output, .file), ("--test-out", testOutput, .file), ("--pretraining-out", pretrainingOutput, .file)]
    }
}

extension DataCommand.Convert: WritesOutputs {
    var outputTargets: [(flag: String, path: String?, kind: OutputKind)] { [("--out", output, .file)] }
}

extension DataCommand.Split: WritesOutputs {
    var outputTargets: [(flag: String, path: String?, kind: OutputKind)] {
        [("--easy-out", easyOutput, .file), ("--hard-out", hardOutput, .file)]
    }
}
