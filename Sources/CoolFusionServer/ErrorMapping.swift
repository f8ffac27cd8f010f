import CoolFusion
import CoolFusionEngine
import CoolFusionRemote

/// How errors of the layers below become HTTP answers: misuse of a session (commit before assess, a
/// finished generation) is the client's fault (409/400); a failed worker is a bad gateway (502) or a
/// gateway timeout (504); anything else is a 500 that still says what happened.
enum ErrorMapping {
    static func apiError(_ error: any Error) -> any Error {
        switch error {
        case let error as APIError:
            return error
        case is CancellationError:
            return error
        case let error as FusionError:
            switch error {
            case .generationEnded, .noAssessment: return APIError(.conflict, error.description)
            default: return APIError.badRequest(error.description)
            }
        case let error as EngineError:
            switch error {
            case .contextOverflow, .invalidToken, .emptyInput, .invalidPosition:
                return APIError.badRequest(error.description)
            default:
                return APIError(.internalServerError, error.description)
            }
        case let error as RemoteModelError:
            if case .timedOut = error { return APIError(.gatewayTimeout, error.description, type: "worker_error") }
            return APIError(.badGateway, error.description, type: "worker_error")
        default:
            return APIError(.internalServerError, String(describing: error))
        }
    }
}
