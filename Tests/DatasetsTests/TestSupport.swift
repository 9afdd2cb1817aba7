import Foundation

/// Path of a file or folder under Fixtures/.
func fixture(_ name: String) -> String {
    let root = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")
    return root.appendingPathComponent(name).path
}

/// A fresh empty folder for one test's outputs.
func temporaryFolder() throws -> String {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("DatasetsTests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url.path
}

func lines(of path: String) throws -> [String] {
    try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
}
