import Foundation
import Testing

/// Real `coolfusion worker` and `coolfusion serve` processes on loopback: every way a request can end
/// (an answer, a client that hangs up during a stream or before a whole answer) gives its worker
/// session back, so a worker with few session slots keeps serving.
@Suite(.serialized) struct WorkerSessionReleaseTests {
    struct WorkerInfo: Decodable { var sessions: Int }
    struct MasterHealth: Decodable { var running: Int }

    static func port(of url: String) throws -> Int {
        try #require(URLComponents(string: url)?.port, "no port in \(url)")
    }

    /// GETs `path` on a raw socket and decodes its JSON body (a generous no-hang bound: the 2 cores
    /// are shared with engine work).
    static func get<T: Decodable>(_ type: T.Type, port: Int, _ path: String) async throws -> T {
        let connection = try RawHTTPConnection(port: port)
        defer { connection.close() }
        try connection.get(path)
        return try JSONDecoder().decode(T.self, from: Data(try await connection.body(within: .seconds(300))))
    }

    /// Polls the master's `/health` until no generation runs; the bound only keeps a broken server
    /// from hanging the test.
    static func waitUntilIdle(masterPort: Int, running: Int = 0) async throws {
        let clock = ContinuousClock()
        let start = clock.now
        while try await get(MasterHealth.self, port: masterPort, "/health").running != running {
            guard clock.now - start < .seconds(300) else {
                Issue.record("the master still runs a generation after the no-hang bound")
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test func hungUpClientsLeaveNoWorkerSessionBehind() async throws {
        let worker = try ServerProcess(["worker", "--model", "smollm2-135m", "--max-sessions", "2"])
        let master = try ServerProcess(["serve", "--worker", worker.url, "--worker-timeout", "300"])
        defer {
            master.stop()
            worker.stop()
        }
        let masterPort = try Self.port(of: master.url), workerPort = try Self.port(of: worker.url)
        // Three rounds of a streamed and a whole request whose clients hang up: six sessions, three
        // times the worker's two slots.
        for round in 0..<3 {
            for stream in [true, false] {
                let connection = try RawHTTPConnection(port: masterPort)
                try connection.post("/v1/completions", json: """
                    {"prompt": "Count from 1 to 1000: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,", "max_tokens": 1500, \
                    "stream": \(stream)}
                    """)
                if stream {
                    _ = try await connection.read(until: "data: ", within: .seconds(300))
                } else {
                    try await Self.waitUntilIdle(masterPort: masterPort, running: 1)
                }
                connection.close()
                // The generation ends only after its models are closed, so its session is gone by now.
                try await Self.waitUntilIdle(masterPort: masterPort)
                let held = try await Self.get(WorkerInfo.self, port: workerPort, "/v1/worker").sessions
                #expect(held == 0, "round \(round), stream: \(stream): the worker still holds \(held) sessions")
            }
        }
        // The worker's slots are free: a fused request is answered.
        let connection = try RawHTTPConnection(port: masterPort)
        defer { connection.close() }
        try connection.post("/v1/completions", json: #"{"prompt": "Hello", "max_tokens": 2}"#)
        let answer = try await connection.read(until: "\r\n\r\n", within: .seconds(300))
        #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer)")
    }
}
