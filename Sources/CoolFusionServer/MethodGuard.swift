import Hummingbird

/// Answers a request whose path exists but whose method does not (GET on a POST route) with 405 and
/// the method to use (`Allow`), instead of the router's 404, which says the path does not exist.
enum MethodGuard {
    static let methods: [HTTPRequest.Method] = [.get, .post, .put, .delete, .patch]

    /// Adds the refusals for every path of `routes` (path → the one method it takes).
    static func add(to router: Router<ServerRequestContext>, routes: [(path: String, method: HTTPRequest.Method)]) {
        for (path, method) in routes {
            for other in methods where other != method && !routes.contains(where: { $0.path == path && $0.method == other }) {
                router.on(RouterPath(path), method: other) { _, _ -> Response in
                    throw APIError.methodNotAllowed(path, allowed: method.rawValue)
                }
            }
        }
    }
}
