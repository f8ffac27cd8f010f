/// Why a test could not even start what it tests.
public enum TestSupportError: Error, CustomStringConvertible {
    case missingExecutable(searched: [String])
    case missingRepositoryFile(String)

    public var description: String {
        switch self {
        case .missingExecutable(let searched):
            return "the coolfusion executable was not built (looked at " + searched.joined(separator: ", ")
                + "); build the package before testing"
        case .missingRepositoryFile(let path):
            return "the repository file \(path) does not exist"
        }
    }
}
