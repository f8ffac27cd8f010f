import CoolFusionKernels
import Foundation
import Testing

@Suite("f32 vector helpers")
struct VectorTests {
    let n = 1003   // not a multiple of 8 or 16, so SIMD tails run
    var a: [Float] { randomFloats(n, seed: 1, range: -4...4) }
    var b: [Float] { randomFloats(n, seed: 2, range: -4...4) }

    @Test func sumOfSquares() {
        let a = a
        let squares = a.reduce(0.0) { $0 + Double($1) * Double($1) }
        #expect(abs(Double(Kernels.sumOfSquares(a, count: n)) - squares) / squares < 1e-5)
    }

    @Test func add() {
        let (a, b) = (a, b)
        var y = b
        Kernels.add(a, to: &y, count: n)
        #expect(y == zip(a, b).map { $0 + $1 })
    }

    @Test func softmaxAndActivations() {
        let a = a, b = b
        var p = a
        Kernels.softmax(&p, count: n)
        let m = a.max()!
        let e = a.map { exp(Double($0 - m)) }
        let total = e.reduce(0, +)
        #expect(nmse(p, e.map { Float($0 / total) }) < 1e-10)
        var reference = a
        Kernels.softmax(&reference, count: n, implementation: .scalarReference)
        #expect(p == reference)
        // −∞ (masked keys) gives exactly 0; far-below-max values underflow to 0 too.
        var masked: [Float] = [0, -.infinity, 1, -200, -.infinity, 2, 0.5, -90]
        Kernels.softmax(&masked, count: masked.count)
        #expect(masked[1] == 0 && masked[4] == 0 && masked[3] == 0)
        #expect(abs(masked.reduce(0, +) - 1) < 1e-6)

        var g = a
        Kernels.siluMultiply(gate: &g, up: b, count: n)
        #expect(nmse(g, zip(a, b).map { Float(Double($0) / (1 + exp(-Double($0))) * Double($1)) }) < 1e-10)

        g = a
        Kernels.geluMultiply(gate: &g, up: b, count: n)
        // ggml's CPU GELU reads an f16 table: gelu(x) = f16(gelu_f32(f16(x))).
        let geluTable = zip(a, b).map { x, u -> Float in
            let h = Float(Float16(x))
            let inner = 0.7978845608028654 as Float * h * (1 + 0.044715 * h * h)
            return Float(Float16(0.5 * h * (1 + tanhf(inner)))) * u
        }
        let geluExact = zip(a, b).map { x, u -> Float in
            let v = Double(x)
            return Float(0.5 * v * (1 + tanh(0.7978845608028654 * (v + 0.044715 * v * v * v))) * Double(u))
        }
        #expect(nmse(g, geluTable) < 1e-9)   // equal but for rare last-f16-bit ties of tanhf rounding
        #expect(nmse(g, geluExact) < 1e-6)   // the f16 table costs ~2^-12 relative per element
    }

    @Test("roundToHalf gives the nearest f16 value, ties to even, like Float16(x)")
    func roundToHalf() {
        var x = randomFloats(n, seed: 3, range: -70000...70000)
        x += [0, -0.0, 1e-8, -6e-8, 3e-5, 65504, 65519.99, 65520, 1 + 0x1p-11, 1 + 0x1p-11 + 0x1p-23, 1 + 3 * 0x1p-11]
        var y = x
        Kernels.roundToHalf(&y, count: y.count)
        #expect(y == x.map { Float(Float16($0)) })
    }

    @Test("attention row helpers match double-precision sums; SIMD equals the scalar reference",
          arguments: [64, 72, 13], [AttentionOrder.batch, .single])
    func attentionRows(width: Int, order: AttentionOrder) {
        let count = 23, stride = width + 5   // strided rows, count not a multiple of 4
        let rows = randomFloats(count * stride, seed: 31)
        let q = randomFloats(width, seed: 32)
        var scores = [Float](repeating: 0, count: count)
        Kernels.dotRows(q, rows: rows, stride: stride, count: count, width: width, scale: 0.125, into: &scores, order: order)
        let expected = (0..<count).map { t in
            Float((0..<width).reduce(0.0) { $0 + Double(q[$1]) * Double(rows[t * stride + $1]) } * 0.125)
        }
        #expect(nmse(scores, expected) < 1e-10)

        var referenceScores = scores
        Kernels.dotRows(q, rows: rows, stride: stride, count: count, width: width, scale: 0.125, into: &referenceScores,
                        order: order, implementation: .scalarReference)
        #expect(scores == referenceScores)

        // Value sums in lanes (key position mod 8), split into two runs as prefix + own segment are.
        var reference = [Double](repeating: 0, count: width)
        for t in 0..<count { for i in 0..<width { reference[i] += Double(scores[t]) * Double(rows[t * stride + i]) } }
        var outputs: [[Float]] = []
        for implementation in [KernelImplementation.simd, .scalarReference] {
            var lanes = [Float](repeating: 0, count: order.laneCount * width)
            let split = 9, firstPosition = 5
            scores.withUnsafeBufferPointer { w in
                rows.withUnsafeBufferPointer { r in
                    Kernels.weightedSumLanes(w.baseAddress!, rows: r.baseAddress!, stride: stride, count: split, width: width,
                                             firstLane: firstPosition % order.laneCount, lanes: &lanes, order: order,
                                             implementation: implementation)
                    Kernels.weightedSumLanes(w.baseAddress! + split, rows: r.baseAddress! + split * stride, stride: stride,
                                             count: count - split, width: width,
                                             firstLane: (firstPosition + split) % order.laneCount,
                                             lanes: &lanes, order: order, implementation: implementation)
                }
            }
            var out = [Float](repeating: .nan, count: width)
            Kernels.reduceLanes(lanes, width: width, into: &out, order: order, implementation: implementation)
            #expect(nmse(out, reference.map { Float($0) }) < 1e-10)
            outputs.append(out)
        }
        #expect(outputs[0] == outputs[1])
    }
}
