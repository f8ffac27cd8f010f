import Foundation
import Hummingbird

/// The browser playground `coolfusion serve` answers at `/`: one self-contained HTML page (its CSS and
/// script inline, nothing fetched from elsewhere, so it works offline) that sends streamed requests to
/// this server's own `/v1/completions` and `/v1/chat/completions` and shows every committed segment
/// coloured by the model whose candidate won. Clicking a segment shows its candidates and their
/// perplexity matrix, read from `cool_fusion.segments` of the streamed chunks.
enum Playground {
    /// What the page needs to know about this server to offer only the controls a request can set.
    struct Setup: Codable, Sendable {
        /// The name requests give as `model`.
        var model: String
        /// The fused models, in model order (the order of every `ppl` row and `candidates[].model`).
        var models: [String]
        /// The server's method and selection rule (a request's default), and those a request may name
        /// instead (`"method"`, `"selection"`).
        var method: String
        var selection: String
        var methods: [String]
        var selections: [String]
        /// Tasks a request may name (`"task"`) to be selected with that task's calibrated weights.
        var tasks: [String]
        /// `max_tokens` when a request gives none, and the largest it may ask for.
        var defaultMaxTokens: Int
        var maxTokensLimit: Int
        /// Whether `temperature`, `top_p` and `seed` can be honoured (every member is local).
        var sampling: Bool
    }

    /// The page, with its style sheet and script inline.
    static let page: String = html
        .replacingOccurrences(of: "/*STYLE*/", with: style)
        .replacingOccurrences(of: "/*SCRIPT*/", with: script)

    /// Only this server may be reached: inline style and script, requests to the same origin.
    static let contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
        + "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'"

    static func response() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-cache"
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: page)))
    }

    static let html = #"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>CoolFusion playground</title>
    <link rel="icon" href="data:,">
    <style>/*STYLE*/</style>
    </head>
    <body>
    <header>
      <h1>CoolFusion playground</h1>
      <p id="setup">Reading the server's setup…</p>
    </header>
    <main>
      <section id="conversation" aria-live="polite"></section>
      <p id="status" role="status"></p>
      <form id="ask">
        <textarea id="prompt" rows="4" placeholder="Write a message (Ctrl+Enter sends)"></textarea>
        <div class="controls">
          <label>Mode <select id="mode">
            <option value="chat">chat</option>
            <option value="completion">completion</option>
          </select></label>
          <label>Method <select id="method"></select></label>
          <label>Selection <select id="selection"></select></label>
          <label class="gate" hidden>Leader <select id="leader"><option value="">server's</option></select></label>
          <label class="gate" hidden>Gate threshold <input id="gate-threshold" type="number" step="any" placeholder="server's"></label>
          <label>Max tokens <input id="max-tokens" type="number" min="1" step="1"></label>
          <label class="sampling">Temperature <input id="temperature" type="number" min="0" max="2" step="any" value="0"></label>
          <label class="sampling">Top p <input id="top-p" type="number" min="0.01" max="1" step="any" value="1"></label>
          <label class="sampling">Seed <input id="seed" type="number" step="1" value="0"></label>
          <label id="task-control" hidden>Task <select id="task"><option value="">server's rule</option></select></label>
        </div>
        <div class="buttons">
          <button id="send" type="submit">Send</button>
          <button id="stop" type="button" disabled>Stop</button>
          <button id="reset" type="button">New conversation</button>
        </div>
      </form>
      <section id="details" hidden></section>
    </main>
    <script>/*SCRIPT*/</script>
    </body>
    </html>
    """#

    static let style = #"""
    body { font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 60rem; padding: 0 1rem 2rem; color: #222; }
    h1 { font-size: 1.3rem; margin: 1rem 0 0; }
    #setup { color: #555; margin-top: 0.2rem; }
    .turn { border-top: 1px solid #ddd; padding: 0.6rem 0; }
    .who { font-size: 0.8rem; color: #666; text-transform: uppercase; letter-spacing: 0.04em; }
    .user-text, .prompt-text, .answer-text { white-space: pre-wrap; word-wrap: break-word; }
    .prompt-text { color: #666; }
    .segment { color: var(--colour); cursor: pointer; border-radius: 2px; }
    .segment:hover, .segment:focus, .segment.selected { background: color-mix(in srgb, var(--colour) 18%, white); outline: none; }
    .segment.fused { text-decoration: underline; text-underline-offset: 3px; }
    .legend { font-size: 0.85rem; color: #444; margin-top: 0.3rem; display: flex; flex-wrap: wrap; gap: 0.3rem 1rem; }
    .swatch { display: inline-block; width: 0.8em; height: 0.8em; border-radius: 2px; margin-right: 0.3em;
              background: var(--colour); vertical-align: -0.05em; }
    #status { min-height: 1.5em; margin: 0.4rem 0; }
    #status.error { color: #a40000; background: #fdecea; border: 1px solid #f5c2bc; padding: 0.4rem 0.6rem; border-radius: 4px; }
    textarea { width: 100%; box-sizing: border-box; font: inherit; padding: 0.4rem; }
    .controls, .buttons { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; margin-top: 0.4rem; align-items: center; }
    .controls input { width: 5rem; }
    #details { margin-top: 1rem; border: 1px solid #ccc; border-radius: 4px; padding: 0.6rem; }
    #details h2 { font-size: 1rem; margin: 0 0 0.4rem; }
    table { border-collapse: collapse; font-size: 0.9rem; }
    th, td { border: 1px solid #ddd; padding: 0.2rem 0.5rem; text-align: left; vertical-align: top; }
    td.number { text-align: right; font-variant-numeric: tabular-nums; }
    td.candidate { white-space: pre-wrap; font-family: ui-monospace, monospace; }
    tr.winner { background: #fff8d6; font-weight: 600; }
    td.best { text-decoration: underline; }
    .note { color: #555; font-size: 0.85rem; }
    """#

    static let script = #"""
    "use strict";
    // The CoolFusion playground: streamed requests to this server, segments coloured by the model
    // whose candidate won, and each segment's candidates with their perplexity matrix on click.
    const $ = (id) => document.getElementById(id);
    const palette = ["#1565c0", "#c62828", "#2e7d32", "#6a1b9a", "#ef6c00", "#00838f", "#6d4c41", "#ad1457"];
    let setup = null;       // GET playground/config.json
    let messages = [];      // the conversation so far (chat mode)
    let controller = null;  // aborts the running request

    function colour(model) { return model == null ? "#555555" : palette[model % palette.length]; }
    function modelName(model) {
      return model == null ? "Cool's own answer" : (setup.models[model] || "model " + model);
    }
    function element(tag, className, text) {
      const node = document.createElement(tag);
      if (className) node.className = className;
      if (text != null) node.textContent = text;
      return node;
    }
    function formatNumber(value) {
      if (value == null) return "—";
      return Math.abs(value) < 1e4 ? value.toFixed(2) : value.toExponential(2);
    }
    function showStatus(text, kind) {
      const status = $("status");
      status.textContent = text;
      status.className = kind ? "error" : "";
      if (kind) status.dataset.kind = kind; else delete status.dataset.kind;
    }

    async function loadSetup() {
      try {
        const response = await fetch("playground/config.json");
        if (!response.ok) throw new Error("HTTP " + response.status);
        setup = await response.json();
      } catch (error) {
        $("setup").textContent = "Could not read the server's setup (" + error.message + ").";
        $("send").disabled = true;
        return;
      }
      $("setup").textContent = "Fusing " + setup.models.join(", ") + " · server default: method " + setup.method
        + ", selection " + setup.selection;
      // The server's own rule may carry options (majority+RULE) that the list of names has not.
      for (const [id, names, current] of [["method", setup.methods, setup.method],
                                          ["selection", setup.selections, setup.selection]]) {
        for (const name of names.includes(current) ? names : [current].concat(names)) $(id).append(new Option(name, name));
        $(id).value = current;
      }
      $("max-tokens").value = setup.default_max_tokens;
      $("max-tokens").max = setup.max_tokens_limit;
      if (!setup.sampling) {
        for (const label of document.querySelectorAll(".sampling")) {
          label.querySelector("input").disabled = true;
          label.title = "sampling needs every fused model to be local to this server";
        }
      }
      if (setup.tasks.length > 0) {
        for (const task of setup.tasks) $("task").append(new Option(task, task));
        $("task-control").hidden = false;
      }
      for (const model of setup.models) $("leader").append(new Option(model, model));
      showGateControls();
    }

    // The leader and the threshold mean something only to gated fusion.
    function showGateControls() {
      for (const label of document.querySelectorAll(".gate")) label.hidden = $("method").value !== "gated";
    }

    // The request body from the controls.
    function requestBody(chat, text) {
      const body = { model: setup.model, stream: true, max_tokens: Number($("max-tokens").value) };
      if (setup.sampling) {
        body.temperature = Number($("temperature").value);
        body.top_p = Number($("top-p").value);
        body.seed = Number($("seed").value);
      }
      if ($("task").value) body.task = $("task").value;
      if ($("method").value !== setup.method) body.method = $("method").value;
      if ($("selection").value !== setup.selection) body.selection = $("selection").value;
      if ($("method").value === "gated") {
        if ($("leader").value) body.leader = $("leader").value;
        if ($("gate-threshold").value !== "") body.gate_threshold = Number($("gate-threshold").value);
      }
      if (chat) body.messages = messages.concat([{ role: "user", content: text }]);
      else body.prompt = text;
      return body;
    }

    // A new turn in the conversation: what was asked, and an empty answer to fill.
    function newTurn(chat, text, how) {
      const turn = element("div", "turn");
      turn.append(element("div", "who", chat ? "you" : "prompt"), element("div", chat ? "user-text" : "prompt-text", text));
      const answer = { text: "", segments: [], shown: 0, selected: null, notes: [],
                       node: element("div", "answer-text"), legend: element("div", "legend") };
      answer.node.playgroundAnswer = answer;
      answer.turn = turn;
      turn.append(element("div", "who", "fused answer · " + how), answer.node, answer.legend);
      $("conversation").append(turn);
      return answer;
    }

    async function send(event) {
      event.preventDefault();
      const text = $("prompt").value;
      if (!setup || controller || !text.trim()) return;
      const chat = $("mode").value === "chat";
      const body = requestBody(chat, text);
      const chosenSelection = body.selection || setup.selection;
      const led = body.leader ? ", led by " + body.leader : "";
      const gate = body.gate_threshold !== undefined ? ", gate " + body.gate_threshold : "";
      const answer = newTurn(chat, text, (body.method || setup.method) + led + gate + ", selection " + chosenSelection);
      answer.selection = chosenSelection;
      $("prompt").value = "";
      controller = new AbortController();
      setRunning(true);
      showStatus("Generating…");
      try {
        const response = await fetch(chat ? "v1/chat/completions" : "v1/completions", {
          method: "POST", headers: { "Content-Type": "application/json" },
          body: JSON.stringify(body), signal: controller.signal,
        });
        if (!response.ok) {
          // Nothing was generated: drop the empty turn and give the text back for a retry.
          await refused(response);
          answer.turn.remove();
          $("prompt").value = text;
          return;
        }
        const complete = await readEvents(response, (data) => handle(data, answer));
        if (!answer.failed && !complete) showStatus("The stream ended before the answer was complete.", "failure");
        if (chat && !answer.failed) {
          messages = body.messages.concat([{ role: "assistant", content: answer.text }]);
        }
      } catch (error) {
        if (error.name === "AbortError") showStatus("Stopped.");
        else showStatus("The connection to the server failed: " + error.message, "failure");
      } finally {
        controller = null;
        setRunning(false);
      }
    }

    function setRunning(running) {
      $("send").disabled = running;
      $("stop").disabled = !running;
    }

    // An answer refused before it started: busy (503 with Retry-After), a bad request, a failure.
    async function refused(response) {
      let error = {};
      try { error = (await response.json()).error || {}; } catch (_) { /* not JSON */ }
      const message = error.message || response.statusText;
      if (response.status === 503 && error.type === "server_busy") {
        const retry = response.headers.get("Retry-After");
        showStatus("Busy: " + (retry ? "try again in " + retry + " s" : "try again later") + " (" + message + ").", "busy");
      } else if (response.status >= 500) {
        showStatus("The generation failed (HTTP " + response.status + "): " + message, "failure");
      } else {
        showStatus("The request was refused (HTTP " + response.status + "): " + message, "refused");
      }
    }

    // Reads server-sent events, calling onEvent with each parsed `data:`; true once `[DONE]` came.
    async function readEvents(response, onEvent) {
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return false;
        buffer += decoder.decode(value, { stream: true });
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split("\n").filter((line) => line.startsWith("data:"))
            .map((line) => line.slice(5).trim()).join("\n");
          if (data === "[DONE]") return true;
          if (data) onEvent(JSON.parse(data));
        }
      }
    }

    // One streamed chunk: a committed segment, the closing chunk, or an error (a worker failed).
    function handle(data, answer) {
      if (data.error) {
        answer.failed = true;
        const kind = data.error.type === "worker_error" ? "A fused model's worker failed: " : "The generation failed: ";
        showStatus(kind + data.error.message, "failure");
        return;
      }
      const choice = (data.choices || [])[0] || {};
      const text = choice.text != null ? choice.text : ((choice.delta || {}).content || "");
      const info = data.cool_fusion || {};
      // Notes: a model without a chat template (plain format), a worker dropped after failing.
      for (const note of (info.warnings || []).concat(info.dropped_models || [])) {
        if (answer.notes.includes(note)) continue;
        answer.notes.push(note);
        answer.legend.after(element("div", "note", note));
      }
      for (const segment of info.segments || []) record(answer, segment);
      answer.text += text;
      render(answer);
      if (choice.finish_reason) {
        const stats = info.stats || {};
        const reason = choice.finish_reason === "length" ? "reached max tokens" : "stopped";
        showStatus("Done: " + reason + ", " + answer.shown + " segments"
          + (stats.seconds != null ? " in " + stats.seconds.toFixed(1) + " s" : "") + ".");
      }
    }

    // Records a committed segment. The streamed text may lag behind the segments (text that could begin
    // a stop sequence is held back), so each segment keeps its whole text (the winning candidate's) and
    // the answer is coloured by offsets. When a stop sequence begins inside an earlier segment, the
    // server reports that segment again (same candidates), cut short: it replaces the earlier one.
    function record(answer, segment) {
      const key = JSON.stringify(segment.candidates);
      const earlier = answer.segments.findIndex((entry) => entry.key === key);
      if (earlier >= 0) answer.segments.length = earlier;
      const won = segment.candidates[segment.winner] || {};
      answer.segments.push({ segment, key, winner: won.model, whole: won.text != null ? won.text : segment.text });
    }

    // Draws the answer's text as one span per segment, coloured by the model whose candidate won.
    function render(answer) {
      answer.node.replaceChildren();
      answer.shown = 0;
      let start = 0;
      answer.segments.forEach((entry, index) => {
        const last = index === answer.segments.length - 1;
        const end = last ? answer.text.length : Math.min(answer.text.length, start + entry.whole.length);
        const part = answer.text.slice(start, end);
        start = end;
        entry.shown = part.length > 0;
        if (!entry.shown) return;
        answer.shown += 1;
        const { segment, winner } = entry;
        const span = element("span", "segment", part);
        span.style.setProperty("--colour", colour(winner));
        span.tabIndex = 0;
        span.title = modelName(winner) + (segment.gate ? (segment.gate.fused ? " (fused step)" : " (leader alone)") : "");
        if (segment.gate && segment.gate.fused) span.classList.add("fused");
        if (answer.selected === index) span.classList.add("selected");
        span.dataset.index = index;
        span.dataset.model = winner == null ? "" : winner;
        span.addEventListener("click", () => showDetails(answer, index));
        span.addEventListener("keydown", (key) => { if (key.key === "Enter") showDetails(answer, index); });
        answer.node.append(span);
      });
      drawLegend(answer);
    }

    // Segments won per model among those shown (and, for gated fusion, how many steps were fused).
    function drawLegend(answer) {
      const won = new Map();
      let fused = 0, gated = 0;
      for (const { segment, winner, shown } of answer.segments) {
        if (!shown) continue;
        won.set(winner, (won.get(winner) || 0) + 1);
        if (segment.gate) { gated += 1; if (segment.gate.fused) fused += 1; }
      }
      answer.legend.replaceChildren();
      const models = setup.models.map((_, index) => index);
      if (won.has(null) || won.has(undefined)) models.push(null);
      for (const model of models) {
        const item = element("span", "legend-item");
        const swatch = element("span", "swatch");
        swatch.style.setProperty("--colour", colour(model));
        const count = won.get(model) || 0;
        item.append(swatch, modelName(model) + ": " + count + (count === 1 ? " segment" : " segments"));
        item.dataset.model = model == null ? "" : model;
        item.dataset.won = count;
        answer.legend.append(item);
      }
      if (gated > 0) answer.legend.append(element("span", "legend-item", fused + " of " + gated + " steps fused (underlined)"));
    }

    // The candidates of one segment: who proposed what, each scorer's perplexity, the rule's score, the winner.
    function showDetails(answer, index) {
      for (const node of document.querySelectorAll(".segment.selected")) node.classList.remove("selected");
      for (const other of document.querySelectorAll(".answer-text")) if (other.playgroundAnswer) other.playgroundAnswer.selected = null;
      answer.selected = index;
      for (const node of answer.node.querySelectorAll(".segment")) {
        if (Number(node.dataset.index) === index) node.classList.add("selected");
      }
      const { segment, winner } = answer.segments[index];
      const details = $("details");
      details.replaceChildren();
      details.hidden = false;
      details.append(element("h2", null, "Segment " + (index + 1) + ": won by " + modelName(winner)));
      if (segment.gate) {
        const value = segment.gate.value == null ? "n/a" : segment.gate.value.toFixed(3);
        details.append(element("p", "note", segment.gate.fused
          ? "Fused step: the leader's " + segment.gate.signal + " (" + value + ") was below the gate, so every model proposed and scored."
          : "The leader wrote this segment alone (" + segment.gate.signal + " " + value + "); no other model was consulted."));
      }
      const table = element("table", "candidates");
      const head = table.createTHead().insertRow();
      for (const title of ["", "proposed by", "candidate"]) head.append(element("th", null, title));
      for (const name of setup.models) head.append(element("th", null, "PPL under " + name));
      head.append(element("th", null, "score"));
      const columns = setup.models.map((_, scorer) =>
        Math.min(...segment.candidates.map((c) => c.ppl[scorer] == null ? Infinity : c.ppl[scorer])));
      const rows = table.createTBody();
      segment.candidates.forEach((candidate, position) => {
        const row = rows.insertRow();
        if (position === segment.winner) row.className = "winner";
        row.append(element("td", null, position === segment.winner ? "won" : ""));
        const proposer = element("td", null, modelName(candidate.model));
        proposer.style.color = colour(candidate.model);
        row.append(proposer, element("td", "candidate", JSON.stringify(candidate.text)));
        setup.models.forEach((_, scorer) => {
          const value = candidate.ppl[scorer];
          const cell = element("td", "number", formatNumber(value));
          if (value != null && value === columns[scorer]) cell.classList.add("best");
          row.append(cell);
        });
        row.append(element("td", "number", formatNumber(candidate.score)));
      });
      details.append(table, element("p", "note", "Each row is one model's candidate, each PPL column one model's perplexity "
        + "of it in its own tokens (lower is better; the lowest in a column is underlined). The selection rule ("
        + (answer.selection || setup.selection) + ") picks the lowest score."));
    }

    function reset() {
      if (controller) controller.abort();
      messages = [];
      $("conversation").replaceChildren();
      $("details").hidden = true;
      showStatus("");
    }

    $("ask").addEventListener("submit", send);
    $("method").addEventListener("change", showGateControls);
    $("stop").addEventListener("click", () => { if (controller) controller.abort(); });
    $("reset").addEventListener("click", reset);
    $("prompt").addEventListener("keydown", (key) => {
      if (key.key === "Enter" && (key.ctrlKey || key.metaKey)) $("ask").requestSubmit();
    });
    loadSetup();
    """#
}
