import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import Reports
import Reranking
import RerankingFixtures

@Suite struct ReportTests {
    static func summary() throws -> RerankSummary {
        var input = Pools.random(problems: 10, samples: 12)
        for k in input.samples.indices {
            input.samples[k].stepLabels = input.samples[k].stepScores!.map { $0 > 0 }
        }
        return try Pools.run(input, Pools.options(trials: 5))
    }

    @Test func writesEveryFile() throws {
        let s = try Self.summary()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rerank-report-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let names = try writeReport(s, to: dir)
        #expect(names == ["summary.json", "curves.svg", "curves_levels.svg", "aggregations.svg",
                          "best_of_n_aggregations.svg", "weighted_voting_aggregations.svg", "index.html"])
        for name in names { #expect(FileManager.default.fileExists(atPath: dir + "/" + name)) }

        // summary.json decodes back to the same summary.
        let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/summary.json"))
        let decoded = try JSONDecoder().decode(RerankSummary.self, from: data)
        #expect(decoded == s)
        let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let curve = (object["curves"] as! [[String: Any]]).first!
        #expect(curve["aggregation"] is NSNull) // explicit null for majority voting
        #expect(object["schema_version"] as? Int == 1)

        // Every SVG is well-formed XML; the main figure has four lines per panel (all, easy, hard).
        for name in names where name.hasSuffix(".svg") {
            let svg = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name))
            #expect(XMLParser(data: svg).parse(), "\(name) is not well-formed")
        }
        let curves = try String(contentsOfFile: dir + "/curves.svg", encoding: .utf8)
        #expect(curves.components(separatedBy: "<polyline").count - 1 == 3 * 4)
        #expect(curves.contains("weighted voting (prod)") && curves.contains("best-of-N (min)"))
        let html = try String(contentsOfFile: dir + "/index.html", encoding: .utf8)
        #expect(html.contains("<img src=\"curves.svg\""))
        #expect(html.contains("<h3>hard (levels 4,5): 4 problems</h3>"))
    }

    @Test func sameSummarySameBytes() throws {
        let a = try ReportWriter.json(try Self.summary()), b = try ReportWriter.json(try Self.summary())
        #expect(a == b)
    }

    @Test func terminalTable() throws {
        let s = try Self.summary()
        let text = TerminalTable.render(s)
        #expect(text.contains("easy (6 problems)"))
        #expect(text.contains("hard (4 problems)"))
        #expect(text.contains("all (10 problems)"))
        let rows = text.split(separator: "\n").filter { $0.hasPrefix("weighted prod") }
        #expect(rows.count == 3)
        // One column per N: 1 2 4 8 12.
        #expect(rows[0].split(separator: " ").count == 2 + s.nValues.count)
        #expect(text.contains("step AUC"))
    }

    @Test func unscoredSummaryHasOnlyTheCurves() throws {
        var input = Pools.random(problems: 4, samples: 6)
        for k in input.samples.indices { input.samples[k].stepScores = nil }
        let s = try Pools.run(input, Pools.options(trials: 3))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rerank-report-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try writeReport(s, to: dir) == ["summary.json", "curves.svg", "curves_levels.svg", "index.html"])
    }
}
