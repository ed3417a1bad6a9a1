"""Real HTTP servers on 127.0.0.1 that speak the Anthropic Messages API (and its batches endpoints)
and OpenAI chat completions, played by a scripted solver. Used by tests/test_teachers*.py and bench/.

The solver is stateless: it reads the conversation in each request and answers the next step of
its script (look around with bash, quote what it saw, run one more command, call ``finish``), so any
number of concurrent episodes can share one server. Token counts are characters / 4 of what it
received and sent. Anthropic prompt caching is simulated from the ``cache_control`` breakpoints it
receives: a prefix written at a breakpoint is read back by a later request sharing it, so a test can
see whether the client's breakpoints make the growing conversation cached.

Faults are scripted per request, in order of arrival: ``429`` (with ``retry-after``), ``529``,
``500``, ``drop`` (half a response, then the connection closes), ``slow`` (no answer before the
client's timeout), ``malformed`` (a tool call whose arguments fail the schema or are not JSON);
``401`` (a rejected key, quoted in the error message); ``ok`` serves the request normally (to space
faults out).
``delivered`` holds the usage of every complete response the server sent, by response id.
``text_reply`` (optional) scripts the answer to a request without tools: it gets the text of the
last user turn and returns the reply's text (None: the default reasoning answer).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CHARS_PER_TOKEN = 4
DEFAULT_COMMANDS = ("echo scripted-solver && ls", "echo checked")
REASONING_ANSWER = (
    "1. The constraints that matter: the team's size, the load it must carry and how often it changes.\n"
    "2. Option one is simpler to run and to debug, but couples the parts and fails together under load.\n"
    "3. Option two absorbs spikes and isolates failures, at the cost of one more system to operate.\n"
    "4. What would change the decision: a tenfold growth in traffic, or a second team owning one side.\n\n"
    "Answer: start with the simpler option, keep the boundary explicit, and revisit when load or ownership changes."
)


def tokens(value: Any) -> int:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return max(1, len(text) // CHARS_PER_TOKEN)


def _strip_cache(block: Any) -> Any:
    return {k: v for k, v in block.items() if k != "cache_control"} if isinstance(block, dict) else block


@dataclass
class ServerState:
    faults: deque[str] = field(default_factory=deque)
    latency: float = 0.0
    slow_seconds: float = 3.0
    delivered: dict[str, dict[str, int]] = field(default_factory=dict)
    faults_served: list[str] = field(default_factory=list)
    auth_headers: list[str] = field(default_factory=list)
    requests_seen: list[dict[str, Any]] = field(default_factory=list)
    cache: set[str] = field(default_factory=set)
    batches: dict[str, dict[str, Any]] = field(default_factory=dict)
    batch_polls_to_end: int = 2
    commands: tuple[str, ...] = DEFAULT_COMMANDS
    text_reply: Callable[[str], str | None] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def next_fault(self) -> str | None:
        with self.lock:
            if not self.faults:
                return None
            fault = self.faults.popleft()
            self.faults_served.append(fault)
            return fault

    def new_id(self, prefix: str) -> str:
        with self.lock:
            return f"{prefix}_{next(self.ids):06d}"


# -- the scripted solver -----------------------------------------------------------------------


def _fill_required(schema: dict[str, Any]) -> dict[str, Any]:
    """Arguments satisfying a tool's required parameters (strings, numbers, booleans)."""
    values = {"string": "done", "integer": 0, "number": 0, "boolean": True, "array": [], "object": {}}
    props = schema.get("properties", {})
    return {
        name: values.get(props.get(name, {}).get("type", "string"), "done")
        for name in schema.get("required", [])
    }


def solver_step(
    observations: list[str],
    tool_names: dict[str, dict[str, Any]],
    commands: tuple[str, ...] = DEFAULT_COMMANDS,
) -> tuple[str, str, dict[str, Any]] | str:
    """(thought, tool, arguments) for the next step, or the final text when the script is over."""
    step = len(observations)
    if not tool_names and step == 0:  # a single-turn request without tools (reasoning stages)
        return REASONING_ANSWER
    if step == 0:
        return "Let me look at the workspace first.", "bash", {"command": commands[0]}
    if step == 1:
        first = (observations[-1].strip().splitlines() or ["(nothing)"])[0]
        return f"The output starts with {first!r}. One more step.", "bash", {"command": commands[1]}
    if "finish" in tool_names:
        return "I have seen enough; finishing.", "finish", _fill_required(tool_names["finish"])
    return "Done: the workspace was inspected."


def last_user_text(messages: list[dict[str, Any]]) -> str:
    """The text of the last user turn, in either protocol's message shape."""
    for message in reversed(messages):
        if message["role"] == "user":
            content = message["content"]
            if isinstance(content, str):
                return content
            return "".join(b.get("text", "") for b in content if b.get("type") == "text")
    return ""


def scripted_text(state: ServerState, body: dict[str, Any], has_tools: bool) -> str | None:
    """The scripted reply to a request without tools, when the test set one."""
    if has_tools or state.text_reply is None:
        return None
    return state.text_reply(last_user_text(body["messages"]))


# -- Anthropic ---------------------------------------------------------------------------------


def anthropic_cache_usage(state: ServerState, body: dict[str, Any]) -> tuple[int, int, int]:
    """(uncached input, cache write, cache read) from the request's breakpoints, like the real API."""
    blocks: list[Any] = [("tool", t) for t in body.get("tools", [])]
    system = body.get("system", [])
    blocks += [
        ("system", b) for b in ([{"type": "text", "text": system}] if isinstance(system, str) else system)
    ]
    for message in body["messages"]:
        content = message["content"]
        content = [{"type": "text", "text": content}] if isinstance(content, str) else content
        blocks += [(message["role"], b) for b in content]
    digest, cumulative, prefixes, breakpoints = hashlib.sha256(), 0, [], []
    for index, (role, block) in enumerate(blocks):
        digest.update(json.dumps([role, _strip_cache(block)], sort_keys=True).encode())
        cumulative += tokens(_strip_cache(block))
        prefixes.append((digest.hexdigest(), cumulative))
        if isinstance(block, dict) and "cache_control" in block:
            breakpoints.append(index)
    total = cumulative
    if not breakpoints:
        return total, 0, 0
    last = breakpoints[-1]
    with state.lock:
        read = max((cum for h, cum in prefixes[: last + 1] if h in state.cache), default=0)
        for index in breakpoints:
            state.cache.add(prefixes[index][0])
    end = prefixes[last][1]
    return total - end, end - read, read


def anthropic_message(state: ServerState, body: dict[str, Any], fault: str | None) -> dict[str, Any]:
    tool_defs = {t["name"]: t.get("input_schema", {}) for t in body.get("tools", [])}
    observations = [
        block.get("content") if isinstance(block.get("content"), str) else json.dumps(block.get("content"))
        for message in body["messages"]
        if message["role"] == "user" and isinstance(message["content"], list)
        for block in message["content"]
        if block.get("type") == "tool_result" and not block.get("tool_use_id", "").startswith("toolu_bad")
    ]
    step = scripted_text(state, body, bool(tool_defs)) or solver_step(observations, tool_defs, state.commands)
    if fault == "malformed":
        content = [
            {"type": "text", "text": "Running it."},
            {"type": "tool_use", "id": state.new_id("toolu_bad"), "name": "bash", "input": {"cmd": 42}},
        ]
    elif isinstance(step, str):
        content = [{"type": "text", "text": step}]
    else:
        thought, name, arguments = step
        content = [
            {"type": "text", "text": thought},
            {"type": "tool_use", "id": state.new_id("toolu"), "name": name, "input": arguments},
        ]
    if body.get("thinking", {}).get("type") in ("enabled", "adaptive"):
        content.insert(
            0,
            {
                "type": "thinking",
                "thinking": "Plan: follow the script.",
                "signature": "sig-" + state.new_id("s"),
            },
        )
    uncached, write, read = anthropic_cache_usage(state, body)
    usage = {
        "input_tokens": uncached,
        "output_tokens": tokens(content),
        "cache_creation_input_tokens": write,
        "cache_read_input_tokens": read,
    }
    stop = "tool_use" if any(b["type"] == "tool_use" for b in content) else "end_turn"
    return {
        "id": state.new_id("msg"),
        "type": "message",
        "role": "assistant",
        "model": body["model"],
        "content": content,
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": usage,
    }


# -- OpenAI ------------------------------------------------------------------------------------


def openai_completion(state: ServerState, body: dict[str, Any], fault: str | None) -> dict[str, Any]:
    tool_defs = {t["function"]["name"]: t["function"].get("parameters", {}) for t in body.get("tools", [])}
    bad_ids = {
        call["id"]
        for m in body["messages"]
        if m["role"] == "assistant"
        for call in m.get("tool_calls") or []
        if call["id"].startswith("call_bad")
    }
    observations = [
        m["content"] for m in body["messages"] if m["role"] == "tool" and m["tool_call_id"] not in bad_ids
    ]
    step = scripted_text(state, body, bool(tool_defs)) or solver_step(observations, tool_defs, state.commands)
    message: dict[str, Any] = {"role": "assistant", "content": None}
    if fault == "malformed":
        message["content"] = "Running it."
        message["tool_calls"] = [
            {
                "id": state.new_id("call_bad"),
                "type": "function",
                "function": {"name": "bash", "arguments": '{"command": "ls"'},
            }
        ]
    elif isinstance(step, str):
        message["content"] = step
    else:
        thought, name, arguments = step
        message["content"] = thought
        message["tool_calls"] = [
            {
                "id": state.new_id("call"),
                "type": "function",
                "function": {"name": name, "arguments": json.dumps(arguments)},
            }
        ]
    prompt = tokens(body["messages"]) + tokens(body.get("tools", []))
    # Automatic prefix caching: the longest conversation prefix seen before, at message boundaries.
    prefixes = [
        hashlib.sha256(json.dumps(body["messages"][:n], sort_keys=True).encode()).hexdigest()
        for n in range(1, len(body["messages"]) + 1)
    ]
    with state.lock:
        hit = max((n for n, h in enumerate(prefixes, 1) if h in state.cache), default=0)
        state.cache.update(prefixes)
    cached = min(prompt, tokens(body["messages"][:hit])) if hit else 0
    completion = tokens(message)
    return {
        "id": state.new_id("chatcmpl"),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body["model"],
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": "tool_calls" if message.get("tool_calls") else "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": cached},
        },
    }


def openai_usage(response: dict[str, Any]) -> dict[str, int]:
    usage = response["usage"]
    cached = usage["prompt_tokens_details"]["cached_tokens"]
    return {
        "input_tokens": usage["prompt_tokens"] - cached,
        "output_tokens": usage["completion_tokens"],
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": cached,
    }


# -- HTTP --------------------------------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, *args: Any) -> None:  # keep test output quiet
        pass

    def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> dict[str, Any]:
        return json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")

    def _record_auth(self) -> None:
        header = self.headers.get("x-api-key") or self.headers.get("authorization") or ""
        with self.server.state.lock:
            self.server.state.auth_headers.append(header)

    def _fault(self, fault: str | None) -> bool:
        """Serve the fault; True if the request is answered by it."""
        if fault == "429":
            self._json(
                429,
                {"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}},
                {"retry-after": "1"},
            )
        elif fault == "529":
            self._json(529, {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
        elif fault == "500":
            self._json(
                500, {"type": "error", "error": {"type": "api_error", "message": "Internal server error"}}
            )
        elif fault == "401":  # a careless proxy that quotes the credential it rejects
            quoted = self.headers.get("x-api-key") or self.headers.get("authorization") or ""
            error = {"type": "authentication_error", "message": f"invalid credential {quoted!r}"}
            self._json(401, {"type": "error", "error": error})
        elif fault == "drop":
            self.wfile.write(
                b'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 4096\r\n\r\n{"id": "msg_'
            )
            self.wfile.flush()
            self.close_connection = True
        elif fault == "slow":
            time.sleep(self.server.state.slow_seconds)
            self.close_connection = True
        else:
            return False
        return True

    def do_POST(self) -> None:
        state = self.server.state
        body = self._body()
        self._record_auth()
        if self.path.rstrip("/").endswith("/messages/batches"):
            return self._create_batch(body)
        fault = state.next_fault()
        if self._fault(fault):
            return
        if state.latency:
            time.sleep(state.latency)
        with state.lock:
            state.requests_seen.append(body)
        if self.path.endswith("/messages"):
            response = anthropic_message(state, body, fault)
            usage = response["usage"]
        elif self.path.endswith("/chat/completions"):
            response = openai_completion(state, body, fault)
            usage = openai_usage(response)
        else:
            return self._json(404, {"error": {"message": f"no route {self.path}"}})
        self._json(200, response, {"request-id": "req_" + response["id"]})
        with state.lock:  # counted once the whole response is written
            state.delivered[response["id"]] = usage

    def _create_batch(self, body: dict[str, Any]) -> None:
        state = self.server.state
        batch_id = state.new_id("msgbatch")
        with state.lock:
            state.batches[batch_id] = {"requests": body["requests"], "polls": 0, "results": None}
        self._json(200, self._batch_object(batch_id))

    def _batch_object(self, batch_id: str) -> dict[str, Any]:
        batch = self.server.state.batches[batch_id]
        ended = batch["polls"] >= self.server.state.batch_polls_to_end
        now = datetime.now(UTC)
        count = len(batch["requests"])
        host, port = self.server.server_address[:2]
        return {
            "id": batch_id,
            "type": "message_batch",
            "processing_status": "ended" if ended else "in_progress",
            "request_counts": {
                "processing": 0 if ended else count,
                "succeeded": count if ended else 0,
                "errored": 0,
                "canceled": 0,
                "expired": 0,
            },
            "created_at": now.isoformat(),
            "expires_at": (now + timedelta(hours=24)).isoformat(),
            "ended_at": now.isoformat() if ended else None,
            "results_url": f"http://{host}:{port}/v1/messages/batches/{batch_id}/results" if ended else None,
            "archived_at": None,
            "cancel_initiated_at": None,
        }

    def _batch_results(self, batch_id: str) -> None:
        state = self.server.state
        batch = state.batches[batch_id]
        if batch["results"] is None:
            lines = []
            for request in batch["requests"]:
                message = anthropic_message(state, request["params"], None)
                with state.lock:
                    state.delivered[message["id"]] = message["usage"]
                lines.append(
                    json.dumps(
                        {
                            "custom_id": request["custom_id"],
                            "result": {"type": "succeeded", "message": message},
                        }
                    )
                )
            batch["results"] = ("\n".join(lines) + "\n").encode()
        data = batch["results"]
        self.send_response(200)
        self.send_header("content-type", "application/binary")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._record_auth()
        parts = self.path.split("?")[0].rstrip("/").split("/")
        if "batches" not in parts:
            return self._json(404, {"error": {"message": "no route"}})
        batch_id = parts[parts.index("batches") + 1]
        if batch_id not in self.server.state.batches:
            return self._json(
                404, {"type": "error", "error": {"type": "not_found_error", "message": batch_id}}
            )
        if parts[-1] == "results":
            return self._batch_results(batch_id)
        with self.server.state.lock:
            self.server.state.batches[batch_id]["polls"] += 1
        self._json(200, self._batch_object(batch_id))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, state: ServerState) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.state = state


class TeacherServer:
    """``with TeacherServer() as server: server.url ...``: one server thread on a free port."""

    def __init__(
        self, faults: list[str] | None = None, latency: float = 0.0, slow_seconds: float = 3.0
    ) -> None:
        self.state = ServerState(faults=deque(faults or []), latency=latency, slow_seconds=slow_seconds)
        self.httpd = _Server(self.state)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> TeacherServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def delivered_totals(self) -> dict[str, int]:
        totals = {"requests": len(self.state.delivered)}
        for usage in self.state.delivered.values():
            for key, value in usage.items():
                totals[key] = totals.get(key, 0) + value
        return totals


def main() -> None:
    """``python tests/teacher_server.py --latency 1``: serve in its own process (its own GIL), print the URL."""
    import argparse

    parser = argparse.ArgumentParser(description="A local teacher server for benchmarks.")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds to wait before each answer")
    parser.add_argument(
        "--commands", nargs=2, default=DEFAULT_COMMANDS, help="the solver's two bash commands"
    )
    args = parser.parse_args()
    with TeacherServer(latency=args.latency) as server:
        server.state.commands = tuple(args.commands)
        print(server.url, flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main()
