/// A gate generations wait at: the test learns when one has arrived, and releases all of them.
actor Hold {
    private var released = false
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private var arrivals: [CheckedContinuation<Void, Never>] = []
    private var arrived = 0

    func arriveAndWait() async {
        arrived += 1
        for arrival in arrivals { arrival.resume() }
        arrivals = []
        guard !released else { return }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Returns once some generation waits here (at once if one already arrived).
    func firstArrival() async {
        guard arrived == 0 else { return }
        await withCheckedContinuation { arrivals.append($0) }
    }

    func release() {
        released = true
        for continuation in waiting { continuation.resume() }
        waiting = []
    }
}
