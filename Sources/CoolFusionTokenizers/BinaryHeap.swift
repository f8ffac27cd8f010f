/// Elements of a `BinaryHeap`: `precedes` is true when `a` must be popped before `b`.
protocol HeapOrdered {
    static func precedes(_ a: Self, _ b: Self) -> Bool
}

/// A minimal binary heap for the merge queues (a `std::priority_queue` in llama.cpp).
/// The pop order is fully determined by `precedes`, which breaks every tie, so it matches llama.cpp's.
struct BinaryHeap<Element: HeapOrdered> {
    private(set) var storage: [Element] = []

    var isEmpty: Bool { storage.isEmpty }

    mutating func removeAll() { storage.removeAll(keepingCapacity: true) }

    mutating func push(_ element: Element) {
        storage.append(element)
        var child = storage.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Element.precedes(storage[child], storage[parent]) else { break }
            storage.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Element? {
        guard let top = storage.first else { return nil }
        let last = storage.removeLast()
        if !storage.isEmpty {
            storage[0] = last
            var parent = 0
            let count = storage.count
            while true {
                let left = 2 * parent + 1
                if left >= count { break }
                var best = left
                let right = left + 1
                if right < count && Element.precedes(storage[right], storage[left]) { best = right }
                guard Element.precedes(storage[best], storage[parent]) else { break }
                storage.swapAt(best, parent)
                parent = best
            }
        }
        return top
    }
}
