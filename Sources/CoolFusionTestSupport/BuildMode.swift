/// Whether the tests were compiled in release mode. Real models are far too slow in a debug build
/// (numeric code without optimisation), so their tests run with `swift test -c release`; the logic
/// tests on synthetic models run in both.
public enum BuildMode {
    public static var isRelease: Bool {
        #if DEBUG
        return false
        #else
        return true
        #endif
    }
}
