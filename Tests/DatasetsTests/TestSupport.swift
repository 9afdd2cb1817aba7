import Foundation

/// Path of a file or folder under Fixtures/.
func fixture(_ name: String) -> String {
    let root = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")
    return root.appendingPathComponent(name).path
}

/// The folder of this test process's scratch folders, removed when the process exits.
let scratchRoot: URL = {
    atexit { try? FileManager.default.removeItem(at: FileManager.default.temporaryDirectory.appendingPathComponent("e2h-datasets-tests-\(getpid())")) }
    return FileManager.default.temporaryDirectory.appendingPathComponent("e2h-datasets-tests-\(getpid())")
}()

/// A fresh empty folder for one test's outputs.
func temporaryFolder() throws -> String {
    let url = scratchRoot.appendingPathComponent(UUID().uuidString)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url.path
}

func lines(of path: String) throws -> [String] {
    try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
}
