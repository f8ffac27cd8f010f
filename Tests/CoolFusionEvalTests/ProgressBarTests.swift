import CoolFusionEval
import Testing

@Suite struct ProgressBarTests {
    @Test func lineShowsItemsAccuracyAndETA() {
        var progress = EvalProgress(dataset: "gsm", total: 100, done: 25, columns: ["small", "cool"],
                                    tallies: ["small": .init(count: 25, scoreSum: 1), "cool": .init(count: 25, scoreSum: 2)])
        #expect(ProgressBar(redraw: false).line(progress)
                == "gsm [#####...............] 25/100  small 4.0%  cool 8.0%  ETA --")
        progress.generatedThisSession = 5
        progress.secondsThisSession = 16
        #expect(ProgressBar(redraw: false).line(progress)
                == "gsm [#####...............] 25/100  small 4.0%  cool 8.0%  3.2 s/item  ETA 4m00s")
        #expect(ProgressBar.duration(4000) == "1h06m40s")
        #expect(ProgressBar.duration(7) == "7s")
    }
}
