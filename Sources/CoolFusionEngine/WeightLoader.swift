import CoolFusionGGUF
import CoolFusionKernels

/// Looks up tensors by name and checks them against the shapes the hyperparameters imply, so a
/// damaged or mismatched file fails at load time with the tensor's name, never mid-forward.
struct WeightLoader {
    let file: GGUFFile

    func info(_ name: String) throws(EngineError) -> GGUFTensorInfo {
        guard let info = file.tensorInfo(name) else { throw .missingTensor(name) }
        return info
    }

    func has(_ name: String) -> Bool { file.tensorInfo(name) != nil }

    /// A matrix of a linear layer y = W x with `rows` outputs and `cols` inputs (ggml shape [cols, rows]),
    /// left in the memory map.
    func matrix(_ name: String, rows: Int, cols: Int) throws(EngineError) -> WeightMatrix {
        let info = try info(name)
        guard info.shape == [cols, rows] else { throw .wrongShape(tensor: name, expected: [cols, rows], actual: info.shape) }
        guard Kernels.isSupported(info.type), cols % info.type.blockSize == 0 else {
            throw .unsupportedTensorType(tensor: name, type: info.type.name)
        }
        let data = file.data(of: info)
        guard let base = data.baseAddress, data.count >= rows * info.rowBytes else {
            throw .wrongShape(tensor: name, expected: [cols, rows], actual: info.shape)
        }
        do {
            return try WeightMatrix(type: info.type, rows: rows, cols: cols, data: base)
        } catch {
            throw .unsupportedTensorType(tensor: name, type: info.type.name)
        }
    }

    /// A small vector (norm weight, bias) dequantized to floats: [count].
    func vector(_ name: String, count: Int) throws(EngineError) -> [Float] {
        let info = try info(name)
        guard info.shape == [count] else { throw .wrongShape(tensor: name, expected: [count], actual: info.shape) }
        guard Kernels.isSupported(info.type), count % info.type.blockSize == 0 else {
            throw .unsupportedTensorType(tensor: name, type: info.type.name)
        }
        let data = file.data(of: info)
        guard let base = data.baseAddress else { throw .wrongShape(tensor: name, expected: [count], actual: info.shape) }
        var result = [Float](repeating: 0, count: count)
        do {
            try result.withUnsafeMutableBufferPointer { buffer in
                try Kernels.dequantize(info.type, from: base, to: buffer.baseAddress!, count: count)
            }
        } catch {
            throw .unsupportedTensorType(tensor: name, type: info.type.name)
        }
        return result
    }
}
