/// A row-major float matrix owned by a forward pass: [rows][cols].
struct Activations {
    let rows: Int
    let cols: Int
    let base: UnsafeMutablePointer<Float>

    static func allocate(rows: Int, cols: Int) -> Activations {
        let base = UnsafeMutablePointer<Float>.allocate(capacity: max(1, rows * cols))
        base.initialize(repeating: 0, count: max(1, rows * cols))
        return Activations(rows: rows, cols: cols, base: base)
    }

    func deallocate() { base.deallocate() }

    @inline(__always) func row(_ i: Int) -> UnsafeMutablePointer<Float> { base + i * cols }
}
