@testable import coolfusion
import CoolFusionEval
import CoolFusionTestSupport
import Testing

/// `calibrate` runs a mixed file's items grouped by task, so consecutive prompts share few-shot
/// exemplars and each model reuses the prompt state it holds.
@Suite struct CalibrateOrderTests {
    @Test func groupsTheCommittedMixedDevSplitByTaskKeepingFileOrder() throws {
        let items = try EvalDataset.load(path: RepositoryFiles.path("data/mixed_dev.jsonl"))
        let grouped = CalibrateCommand.groupedBySubset(items)
        #expect(grouped.map(\.id).sorted() == items.map(\.id).sorted())
        // Every subset is one run, subsets in order of first appearance.
        var runs: [String?] = []
        for item in grouped where runs.last != item.subset { runs.append(item.subset) }
        var firstSeen: [String?] = []
        for item in items where !firstSeen.contains(item.subset) { firstSeen.append(item.subset) }
        #expect(runs == firstSeen)
        #expect(runs.count == 5)
        // Within a subset, the file's order.
        for subset in firstSeen {
            #expect(grouped.filter { $0.subset == subset }.map(\.id) == items.filter { $0.subset == subset }.map(\.id))
        }
    }
}
