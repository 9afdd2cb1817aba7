import ArgumentParser
import Foundation

extension E2H {
    /// Parses, then runs, with three rules the plain entry point lacks:
    /// - `e2h help CMD...` is `e2h CMD... --help`, so an unknown command is an error (exit 64),
    ///   not the top help with status 0;
    /// - a negative number after an option (`--min-rating -1`) is its value, as `--min-rating=-1`;
    /// - an error of a subcommand's work prints that subcommand's message (and usage, for
    ///   validation errors), not the root usage line.
    static func main() {
        var arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "help" {
            let words = Array(arguments.dropFirst())
            var current: ParsableCommand.Type = E2H.self
            for (k, word) in words.enumerated() where !word.hasPrefix("-") {
                guard let next = current.configuration.subcommands.first(where: { commandName(of: $0) == word }) else {
                    let path = (["e2h"] + words.prefix(k)).joined(separator: " ")
                    let known = current.configuration.subcommands.map(commandName(of:)).joined(separator: ", ")
                    printError("Error: '\(path)' has no command '\(word)'; commands: \(known)")
                    Foundation.exit(64)
                }
                current = next
            }
            arguments = words + ["--help"]
        }
        var command: ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            // Read again with negative values joined to their options; its error (say, a range
            // check of the negative value) is then the one that explains the input.
            let joined = joiningNegativeValues(arguments)
            guard joined != arguments else { exit(withError: error) }
            do { command = try parseAsRoot(joined) } catch { exit(withError: error) }
        }
        do {
            try checkOutputs(of: command)
            try command.run()
        } catch let error as ValidationError {
            // Thrown by the work, after parsing: the message and where to read the help of this
            // very command (ArgumentParser would print the root's usage line here).
            let path = commandPath(of: type(of: command)).joined(separator: " ")
            printError("Error: \(error.message)\n  See '\(path) --help' for more information.")
            Foundation.exit(64)
        } catch {
            exit(withError: error)
        }
    }

    /// The name a command is called by (`commandName`, else its type name in kebab case).
    static func commandName(of type: ParsableCommand.Type) -> String {
        if let name = type.configuration.commandName { return name }
        var out = ""
        for (i, c) in String(describing: type).enumerated() {
            if c.isUppercase, i > 0 { out += "-" }
            out += c.lowercased()
        }
        return out
    }

    /// The words that call `type` from the root (`["e2h", "data", "split"]`).
    static func commandPath(of type: ParsableCommand.Type) -> [String] {
        func search(_ node: ParsableCommand.Type, _ path: [String]) -> [String]? {
            if ObjectIdentifier(node) == ObjectIdentifier(type) { return path }
            for sub in node.configuration.subcommands {
                if let found = search(sub, path + [commandName(of: sub)]) { return found }
            }
            return nil
        }
        return search(E2H.self, ["e2h"]) ?? ["e2h"]
    }

    static func printError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// `--name -1` -> `--name=-1` for every long option followed by a negative number
    /// (`-1`, `-0.5`, `-.5`, `-1e-3`, `-inf`, `-nan`).
    static func joiningNegativeValues(_ arguments: [String]) -> [String] {
        var out: [String] = []
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            if a.hasPrefix("--"), !a.contains("="), a.count > 2, i + 1 < arguments.count, isNegativeNumber(arguments[i + 1]) {
                out.append(a + "=" + arguments[i + 1])
                i += 2
            } else {
                out.append(a)
                i += 1
            }
        }
        return out
    }

    static func isNegativeNumber(_ text: String) -> Bool {
        guard text.hasPrefix("-"), text.count > 1 else { return false }
        let rest = text.dropFirst().lowercased()
        return Double(rest) != nil || rest == "inf" || rest == "nan" || rest == "infinity"
    }
}
