"""A student policy: a local transformers checkpoint run in this process (``hf:PATH``, CPU or GPU).

Each step renders the conversation with the checkpoint's OWN chat template and the tools
(``apply_chat_template(messages, tools=..., add_generation_prompt=True)``), generates one assistant
turn (greedy unless a temperature is given; at most ``max_new_tokens``) and parses the tool calls
the way the template writes them. Which parser applies is read off the template text
(``detect_syntax``): a template the table below does not know is an error when the teacher is
opened, never a silently empty parse.

Parsing is as strict as for the LLM teachers (``policies.openai_policy``): a call whose JSON does
not parse, names a tool the task doesn't have or fails the tool's JSON Schema becomes a
``MalformedCall`` for the loop to answer with an error observation; a call that is opened but never
closed (the generation ran into its token limit) is malformed too, a format error. Text outside the
calls is the turn's ``content``. The next prompt shows a turn with malformed calls exactly as the
model wrote it (the record keeps only what parsed, as for the other teachers).

torch and transformers are imported inside the functions here, so ``agentic --help`` stays fast.
One loaded model per (path, device) is shared by every ``HFPolicy`` of the process; generation runs
in a worker thread under that model's lock, so concurrent episodes take turns on the model (on a
CPU, two at once would only share the cores) while their tools run.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import uuid
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentic_pipeline.llm.client import TurnCache, answered_ids, check_arguments, tool_index
from agentic_pipeline.llm.usage import Usage
from agentic_pipeline.policies.base import MalformedCall, PolicyResponse
from agentic_pipeline.render import to_template_messages

DEFAULT_MAX_NEW_TOKENS = 1024
# On a CPU, a model this small generates fastest on one thread: its matrices are too small for the
# work to outweigh the threads' synchronisation, which on a busy machine costs 10-50x.
SMALL_MODEL_PARAMETERS = 50_000_000


# ----------------------------------------------------------------------------- tool-call syntaxes


@dataclass
class ParsedTurn:
    """What one generation says: its text outside tool calls, the calls that run, the malformed ones."""

    content: str | None
    calls: list[dict[str, Any]] = field(default_factory=list)
    malformed: list[MalformedCall] = field(default_factory=list)


Parser = Callable[[str, dict[str, dict[str, Any]], str], ParsedTurn]


@dataclass(frozen=True)
class ToolCallSyntax:
    """How a family of chat templates writes tool calls, and the parser that reads them back.

    ``marker``: the text whose presence in a chat template identifies the syntax; ``end_of_turn``:
    the token that ends an assistant turn in it (generation stops there as well as at EOS)."""

    name: str
    marker: str
    describe: str
    end_of_turn: str | None
    parse: Parser


def _new_call_id() -> str:
    # Unique across episodes: the policy's turn cache is shared by every episode it runs.
    return f"call_{uuid.uuid4().hex[:24]}"


_NAME = re.compile(r'"name"\s*:\s*"([^"\\]*)"')


def _hermes_call(body: str, tool_defs: dict[str, dict[str, Any]]) -> tuple[dict | None, MalformedCall | None]:
    """One ``{"name": ..., "arguments": {...}}`` body (between ``<tool_call>`` and ``</tool_call>``)."""
    call_id, text = _new_call_id(), body.strip()
    guessed = _NAME.search(text)
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        name = guessed.group(1) if guessed else ""
        return None, MalformedCall(
            call_id, name, text, f"the tool call is not valid JSON: {exc.msg} at char {exc.pos}"
        )
    if not isinstance(payload, dict) or not isinstance(payload.get("name"), str):
        return None, MalformedCall(
            call_id,
            "",
            text,
            'a tool call must be a JSON object {"name": <function-name>, "arguments": <args-json-object>}',
        )
    name, arguments = payload["name"], payload.get("arguments", {})
    raw = json.dumps(arguments, ensure_ascii=False)
    if isinstance(arguments, str):  # some models double-encode the arguments
        raw = arguments
        try:
            arguments = json.loads(arguments) if arguments.strip() else {}
        except json.JSONDecodeError as exc:
            return None, MalformedCall(
                call_id, name, raw, f"arguments of {name} are not valid JSON: {exc.msg} at char {exc.pos}"
            )
    reason = check_arguments(tool_defs, name, arguments)
    if reason is not None:
        return None, MalformedCall(call_id, name, raw, reason)
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}, None


def parse_hermes(text: str, tool_defs: dict[str, dict[str, Any]], cut_reason: str = "") -> ParsedTurn:
    """Qwen2.5 / Hermes: any number of ``<tool_call>\\n{"name": ..., "arguments": {...}}\\n</tool_call>``.

    ``cut_reason`` says why the generation stopped without an end of turn (the token limit), for the
    message of a call left open; an open call is malformed whatever the reason."""
    open_tag, close_tag = "<tool_call>", "</tool_call>"
    turn, parts, pos = ParsedTurn(content=None), [], 0
    while True:
        start = text.find(open_tag, pos)
        if start < 0:
            parts.append(text[pos:])
            break
        parts.append(text[pos:start])
        end = text.find(close_tag, start + len(open_tag))
        if end < 0:
            body = text[start + len(open_tag) :].strip()
            guessed = _NAME.search(body)
            turn.malformed.append(
                MalformedCall(
                    _new_call_id(),
                    guessed.group(1) if guessed else "",
                    body,
                    f"the tool call was never closed with {close_tag}"
                    + (f" ({cut_reason})" if cut_reason else ""),
                )
            )
            break
        call, bad = _hermes_call(text[start + len(open_tag) : end], tool_defs)
        turn.calls += [call] if call else []
        turn.malformed += [bad] if bad else []
        pos = end + len(close_tag)
    turn.content = "".join(parts).strip() or None
    return turn


# Marker in the chat template -> the syntax its tool calls are written in. Add a row to support
# another family (the parser reads one assistant turn's decoded text).
SYNTAXES: dict[str, ToolCallSyntax] = {
    "<tool_call>": ToolCallSyntax(
        name="hermes",
        marker="<tool_call>",
        describe='<tool_call>{"name": ..., "arguments": {...}}</tool_call> (Qwen2.5, Hermes)',
        end_of_turn="<|im_end|>",
        parse=parse_hermes,
    ),
}


def detect_syntax(template: str, where: str) -> ToolCallSyntax:
    """The syntax a chat template writes tool calls in; ValueError naming ``where`` for an unknown one."""
    for marker, syntax in SYNTAXES.items():
        if marker in template:
            return syntax
    known = "; ".join(s.describe for s in SYNTAXES.values())
    raise ValueError(
        f"the chat template of {where} writes tool calls in a syntax this project does not parse: "
        f"none of the known markers is in it (known: {known})"
    )


# ----------------------------------------------------------------------------- checkpoints


def _template_text(tokenizer: Any) -> str | None:
    template = getattr(tokenizer, "chat_template", None)
    if isinstance(template, dict):  # named templates: the tool-use one if there is one
        template = template.get("tool_use") or template.get("default") or "\n".join(template.values())
    return template or None


def check_checkpoint(path: str | Path) -> Any:
    """The checkpoint's tokenizer, after checking ``PATH`` can act: a folder with a model config, a
    tokenizer with a chat template, and a tool-call syntax this module parses. ValueError otherwise,
    one sentence saying what is missing."""
    from transformers import AutoTokenizer

    folder = Path(path).expanduser()
    if not folder.is_dir():
        raise ValueError(f"--teacher hf:{path}: there is no checkpoint folder at {folder}")
    if not (folder / "config.json").is_file():
        raise ValueError(f"--teacher hf:{path}: {folder} holds no model (no config.json)")
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
    except Exception as exc:  # transformers raises OSError, ValueError, KeyError... for a bad folder
        raise ValueError(
            f"--teacher hf:{path}: {folder} holds no tokenizer transformers can load ({type(exc).__name__}: {exc})"
        ) from None
    template = _template_text(tokenizer)
    if not template:
        raise ValueError(
            f"--teacher hf:{path}: the tokenizer in {folder} has no chat template, so the conversation "
            "cannot be rendered the way the model was trained"
        )
    detect_syntax(template, str(path))
    return tokenizer


@dataclass
class _Loaded:
    tokenizer: Any
    model: Any
    syntax: ToolCallSyntax
    device: str
    stop_ids: list[int]
    context: int | None
    cpu_threads: int | None  # torch threads while generating (None: torch's default)
    lock: threading.Lock = field(default_factory=threading.Lock)  # held while the model generates
    # One asyncio.Lock per event loop (an asyncio.Lock belongs to the loop it is first used in): the
    # episodes of one loop wait for the model without holding a worker thread each.
    loop_locks: weakref.WeakKeyDictionary = field(default_factory=weakref.WeakKeyDictionary)
    _locks_lock: threading.Lock = field(default_factory=threading.Lock)

    def loop_lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        with self._locks_lock:
            if loop not in self.loop_locks:
                self.loop_locks[loop] = asyncio.Lock()
            return self.loop_locks[loop]


_MODELS: dict[tuple[str, str], _Loaded] = {}
_MODELS_LOCK = threading.Lock()


def _default_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def load_checkpoint(path: str | Path, device: str | None = None) -> _Loaded:
    """The checkpoint's tokenizer and model on ``device`` (default: cuda if there is one), loaded
    once per process."""
    device = device or _default_device()
    key = (str(Path(path).expanduser().resolve()), device)
    with _MODELS_LOCK:
        if key in _MODELS:
            return _MODELS[key]
        import torch
        from transformers import AutoModelForCausalLM

        tokenizer = check_checkpoint(path)
        try:
            model = AutoModelForCausalLM.from_pretrained(
                key[0], local_files_only=True, dtype="auto" if device != "cpu" else torch.float32
            )
        except Exception as exc:
            raise ValueError(
                f"--teacher hf:{path}: the model in {key[0]} does not load ({type(exc).__name__}: {exc})"
            ) from None
        model.to(device).eval()
        syntax = detect_syntax(_template_text(tokenizer) or "", str(path))
        stops = {tokenizer.eos_token_id}
        eos = model.generation_config.eos_token_id
        stops.update(eos if isinstance(eos, list) else [eos])
        if syntax.end_of_turn and syntax.end_of_turn in tokenizer.get_vocab():
            stops.add(tokenizer.convert_tokens_to_ids(syntax.end_of_turn))
        context = getattr(model.config, "max_position_embeddings", None)
        small = sum(p.numel() for p in model.parameters()) < SMALL_MODEL_PARAMETERS
        threads = 1 if device == "cpu" and small else None
        stop_ids = sorted(s for s in stops if s is not None)
        loaded = _Loaded(tokenizer, model, syntax, device, stop_ids, context, threads)
        _MODELS[key] = loaded
        return loaded


# ----------------------------------------------------------------------------- the policy


@contextmanager
def _torch_threads(count: int | None) -> Iterator[None]:
    if count is None:
        yield
        return
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@dataclass
class Generation:
    text: str
    input_tokens: int
    output_tokens: int
    cut_reason: str  # "" when the turn ended by itself


class HFPolicy:
    """``hf:PATH``: one local generation per step, parsed with the template's tool-call syntax."""

    def __init__(
        self,
        path: str | Path,
        *,
        max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS,
        temperature: float | None = None,
        device: str | None = None,
    ) -> None:
        if max_new_tokens < 1:
            raise ValueError(f"hf:{path}: max_new_tokens must be at least 1, got {max_new_tokens}")
        self.path = str(path)
        self.name = f"hf:{path}"
        self.max_new_tokens = max_new_tokens
        self.temperature = temperature if temperature else None  # 0 or None: greedy
        self.loaded = load_checkpoint(path, device)
        self.turns = TurnCache()  # raw text of turns with malformed calls, for the next prompt

    @property
    def syntax(self) -> ToolCallSyntax:
        return self.loaded.syntax

    def prompt_messages(self, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Record messages -> the template's: arguments as objects, every ``content`` a string, and a
        turn whose calls were malformed shown as the model wrote it."""
        out = []
        for index, message in enumerate(to_template_messages(messages)):
            if message["role"] == "assistant":
                raw = self.turns.get(answered_ids(messages, index))
                if raw is not None:
                    message = {"role": "assistant", "content": raw}
            message.setdefault("content", "")
            out.append(message)
        return out

    def prompt(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> str:
        return self.loaded.tokenizer.apply_chat_template(
            self.prompt_messages(messages),
            tools=[{"type": "function", "function": t["function"]} for t in tools] or None,
            tokenize=False,
            add_generation_prompt=True,
        )

    def generate(self, prompt: str) -> Generation:
        """One assistant turn for ``prompt`` (blocking; runs under the model's lock)."""
        import torch

        loaded = self.loaded
        tok, model = loaded.tokenizer, loaded.model
        ids = tok(prompt, add_special_tokens=False, return_tensors="pt")["input_ids"]
        n_in = ids.shape[1]
        limit = self.max_new_tokens
        if loaded.context is not None:
            if n_in >= loaded.context:
                raise ValueError(
                    f"the conversation is {n_in} tokens, the context window of {self.name} is {loaded.context}"
                )
            limit = min(limit, loaded.context - n_in)
        options: dict[str, Any] = {
            "max_new_tokens": limit,
            "eos_token_id": loaded.stop_ids,
            "pad_token_id": tok.pad_token_id if tok.pad_token_id is not None else loaded.stop_ids[0],
            "do_sample": self.temperature is not None,
        }
        if self.temperature is not None:
            options["temperature"] = self.temperature
        with loaded.lock, torch.inference_mode(), _torch_threads(loaded.cpu_threads):
            out = model.generate(
                input_ids=ids.to(loaded.device),
                attention_mask=torch.ones_like(ids).to(loaded.device),
                **options,
            )
        new = out[0, n_in:].tolist()
        stopped = bool(new) and new[-1] in loaded.stop_ids
        cut = ""
        if not stopped:
            cut = (
                f"the generation reached the limit of {limit} new tokens"
                if limit == self.max_new_tokens
                else f"the generation reached the end of the {loaded.context}-token context window"
            )
        text = tok.decode(new[:-1] if stopped else new, skip_special_tokens=False)
        return Generation(text, n_in, len(new), cut)

    def to_response(self, generation: Generation, tools: list[dict[str, Any]]) -> PolicyResponse:
        turn = self.syntax.parse(generation.text, tool_index(tools), generation.cut_reason)
        message: dict[str, Any] = {"role": "assistant", "content": turn.content}
        if turn.calls:
            message["tool_calls"] = turn.calls
        if turn.malformed:
            ids = [c["id"] for c in turn.calls] + [m.call_id for m in turn.malformed]
            self.turns.put(ids, generation.text.strip())
        usage = Usage(
            requests=1, input_tokens=generation.input_tokens, output_tokens=generation.output_tokens
        )
        return PolicyResponse(message=message, usage=usage, malformed=turn.malformed)

    async def act(
        self, messages: list[dict[str, Any]], tools: list[dict[str, Any]], task: Any = None
    ) -> PolicyResponse:
        prompt = self.prompt(messages, tools)
        async with self.loaded.loop_lock():
            generation = await asyncio.to_thread(self.generate, prompt)
        return self.to_response(generation, tools)
