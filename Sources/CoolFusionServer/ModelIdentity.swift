import CoolFusionGGUF
import Foundation

/// What a worker reports as the identity of the model it serves: the SHA-256 of its GGUF file's
/// header (metadata and tensor table: architecture, vocabulary, every tensor's name, shape, type and
/// place) and the file's size. Two different models, or two quantisations of one, differ in it; it
/// costs a read of the header, not of the weights.
enum ModelIdentity {
    static func digest(of file: GGUFFile) -> String {
        var hash = SHA256()
        if let handle = FileHandle(forReadingAtPath: file.path) {
            defer { try? handle.close() }
            if let header = try? handle.read(upToCount: file.dataOffset) { hash.update(Array(header)) }
        }
        hash.update(Array("size \(file.fileSize)".utf8))
        return hash.finalizeHex()
    }
}
