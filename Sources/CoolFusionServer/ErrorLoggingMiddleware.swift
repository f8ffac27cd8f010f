import Hummingbird

/// Turns any error a handler throws into an OpenAI-shaped JSON error answer (`APIError`), so clients
/// never see an empty 500, and logs server-side failures.
struct ErrorLoggingMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            // A generation cancelled because its client left is expected, not a server failure.
            if error.status.code >= 500, error.body.error.type != "cancelled" {
                context.logger.error("\(request.uri.path): \(error.body.error.message)")
            }
            throw error
        } catch let error as HTTPError {
            throw APIError(error.status, error.body ?? error.status.reasonPhrase)
        } catch {
            let mapped = ErrorMapping.apiError(error)
            if let api = mapped as? APIError {
                context.logger.error("\(request.uri.path): \(api.body.error.message)")
                throw api
            }
            throw APIError(.internalServerError, String(describing: error))
        }
    }
}
