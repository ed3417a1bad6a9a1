"""Render a record with the model's own chat template into token ids and an assistant-only loss mask.

    from agentic_pipeline.render import render_conversation
    r = render_conversation(record["messages"], record.get("tools"), tokenizer)
    r.input_ids, r.assistant_mask, r.text

The mask comes from rendering prefixes, so it works for any chat template, including Qwen2.5's,
which has no ``{% generation %}`` markers: for each assistant turn ``i`` the text of
``messages[:i]`` with the generation prompt is where the turn's trainable text starts, and the text
of ``messages[:i+1]`` (less trailing whitespace) is where it ends. Every prefix must be a string
prefix of the full render; a template that rewrites earlier turns (e.g. one that strips old
reasoning) cannot be masked this way and raises ``TemplateError``. The full text is tokenized once,
and a token is trainable when its first character lies in an assistant span. So the mask covers an
assistant turn's text, its tool calls and its end-of-turn token (``<|im_end|>``), and never the role
header (``<|im_start|>assistant\\n``), the newline after the end token, or any system, user or tool
text. An assistant turn with neither text nor tool calls trains nothing.

Rendering N prefixes with jinja is the cost. For Qwen2.5's template (recognised byte for byte) a
Python renderer produces the same text with its spans in one pass; ``verify=True`` (the default)
also renders the full conversation once with jinja and raises if the two texts differ, so the fast
path can never silently disagree with the template.

Render from records as parsed JSON (``json.loads``), not from rows of a ``datasets`` table: Arrow
merges dict keys across rows, so arguments gain ``null`` keys that the template would then print.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from agentic_pipeline.chat_templates import qwen2_5_chat_template


class TemplateError(ValueError):
    """The chat template cannot be masked by prefix rendering, or fails to render a record."""


@dataclass
class Rendered:
    input_ids: list[int]
    assistant_mask: list[int]  # 1 on assistant text, tool calls and the end-of-turn token; 0 elsewhere
    text: str


Span = tuple[int, int]


def _plain(obj: Any) -> Any:
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json", exclude_none=True)
    return obj


def _template_call(call: dict[str, Any]) -> dict[str, Any]:
    call = {k: v for k, v in _plain(call).items() if v is not None}
    function = {k: v for k, v in _plain(call.get("function", {})).items() if v is not None}
    arguments = function.get("arguments")
    if isinstance(arguments, str):
        # Converters accept JSON strings; templates expect an object (they print it with tojson).
        function["arguments"] = json.loads(arguments) if arguments.strip() else {}
    call["function"] = function
    return call


def to_template_messages(messages: Sequence[Any]) -> list[dict[str, Any]]:
    """Record messages -> what ``apply_chat_template`` wants.

    Drops message fields whose value is ``None`` (a template tests ``message.tool_calls`` for
    presence), keeps tool-call ``arguments`` as dicts exactly as parsed (a ``None`` value inside the
    arguments is the record's own and is kept), and parses arguments given as a JSON string.
    """
    out = []
    for message in messages:
        msg = {k: v for k, v in _plain(message).items() if v is not None}
        if "tool_calls" in msg:
            msg["tool_calls"] = [_template_call(c) for c in msg["tool_calls"]]
        out.append(msg)
    return out


def _template_tools(tools: Sequence[Any] | None) -> list[dict[str, Any]] | None:
    return [_plain(t) for t in tools] if tools else None


def _trains(message: dict[str, Any]) -> bool:
    content = message.get("content")
    has_text = isinstance(content, str) and content.strip() != ""
    return message.get("role") == "assistant" and (has_text or bool(message.get("tool_calls")))


# --- generic path: any template, by prefix rendering -------------------------------------------------


def _apply(tokenizer: Any, messages: list[dict], tools: list[dict] | None, generation: bool) -> str:
    try:
        return tokenizer.apply_chat_template(
            messages, tools=tools, tokenize=False, add_generation_prompt=generation
        )
    except Exception as exc:  # jinja raises many types; the caller reports which record failed
        raise TemplateError(f"the chat template failed to render: {type(exc).__name__}: {exc}") from None


def _spans_by_prefixes(
    tokenizer: Any, messages: list[dict], tools: list[dict] | None, train_from: int
) -> tuple[str, list[Span]]:
    full = _apply(tokenizer, messages, tools, generation=False)
    spans = []
    for i, message in enumerate(messages):
        if i < train_from or not _trains(message):
            continue
        before = _apply(tokenizer, messages[:i], tools, generation=True) if i else ""
        after = _apply(tokenizer, messages[: i + 1], tools, generation=False)
        for label, prefix in (("before", before), ("after", after)):
            if not full.startswith(prefix):
                raise TemplateError(
                    f"the chat template is not prefix-stable: the render of the first {i + (label == 'after')} "
                    f"messages{' with the generation prompt' if label == 'before' else ''} is not a prefix of "
                    "the whole conversation's render (the template rewrites earlier turns), so the "
                    "assistant mask cannot be computed by prefix rendering"
                )
        end = len(after.rstrip())
        if end > len(before):
            spans.append((len(before), end))
    return full, spans


# --- fast path: Qwen2.5's template in Python, verified against jinja ---------------------------------

_QWEN_DEFAULT_SYSTEM = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."
_QWEN_TOOLS_HEAD = (
    "\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
    "You are provided with function signatures within <tools></tools> XML tags:\n<tools>"
)
_QWEN_TOOLS_TAIL = (
    "\n</tools>\n\nFor each function call, return a json object with function name and arguments within "
    '<tool_call></tool_call> XML tags:\n<tool_call>\n{"name": <function-name>, "arguments": '
    "<args-json-object>}\n</tool_call><|im_end|>\n"
)


@lru_cache(maxsize=1)
def _qwen2_5_template() -> str | None:
    try:
        return qwen2_5_chat_template()
    except (ImportError, FileNotFoundError):
        return None


def _tojson(value: Any) -> str:
    # transformers' tojson filter: json.dumps with ensure_ascii=False and default separators.
    return json.dumps(value, ensure_ascii=False)


class _NoFastPath(Exception):
    """The record uses something the Python renderer does not reproduce; use jinja."""


def _qwen_text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if not isinstance(content, str):
        raise _NoFastPath
    return content


def _qwen_assistant(message: dict[str, Any]) -> tuple[str, str]:
    """(header, body) of an assistant turn; body ends with <|im_end|> and excludes the newline after."""
    calls = message.get("tool_calls")
    if not calls:
        return "<|im_start|>assistant\n", _qwen_text(message) + "<|im_end|>"
    content = message.get("content")
    if content is not None and not isinstance(content, str):
        raise _NoFastPath
    parts = [content or ""]
    for call in calls:
        function = call.get("function", call) if isinstance(call, dict) else None
        if not isinstance(function, dict) or not isinstance(function.get("name"), str):
            raise _NoFastPath
        parts.append(
            '\n<tool_call>\n{"name": "'
            + function["name"]
            + '", "arguments": '
            + _tojson(function.get("arguments"))
            + "}\n</tool_call>"
        )
    body = "".join(parts) + "<|im_end|>"
    if content:
        return "<|im_start|>assistant\n", body
    # "<|im_start|>assistant" then "\n<tool_call>": the newline belongs to the generation prompt.
    return "<|im_start|>assistant\n", body[1:]


def _spans_qwen2_5(messages: list[dict], tools: list[dict] | None, train_from: int) -> tuple[str, list[Span]]:
    if not messages:
        raise _NoFastPath
    first_is_system = messages[0].get("role") == "system"
    out: list[str] = []
    if tools:
        out.append(
            "<|im_start|>system\n" + (_qwen_text(messages[0]) if first_is_system else _QWEN_DEFAULT_SYSTEM)
        )
        out.append(_QWEN_TOOLS_HEAD + "".join("\n" + _tojson(t) for t in tools) + _QWEN_TOOLS_TAIL)
    elif first_is_system:
        out.append("<|im_start|>system\n" + _qwen_text(messages[0]) + "<|im_end|>\n")
    else:
        out.append("<|im_start|>system\n" + _QWEN_DEFAULT_SYSTEM + "<|im_end|>\n")
    pos = sum(map(len, out))
    spans = []
    for i, message in enumerate(messages):
        role = message.get("role")
        if role == "user" or (role == "system" and i > 0):
            piece = "<|im_start|>" + role + "\n" + _qwen_text(message) + "<|im_end|>\n"
        elif role == "assistant":
            header, body = _qwen_assistant(message)
            if i >= train_from and _trains(message):
                spans.append((pos + len(header), pos + len(header) + len(body)))
            piece = header + body + "\n"
        elif role == "tool":
            opens = i == 0 or messages[i - 1].get("role") != "tool"
            closes = i == len(messages) - 1 or messages[i + 1].get("role") != "tool"
            piece = (
                ("<|im_start|>user" if opens else "")
                + "\n<tool_response>\n"
                + _qwen_text(message)
                + "\n</tool_response>"
                + ("<|im_end|>\n" if closes else "")
            )
        elif role == "system":
            continue
        else:
            raise _NoFastPath
        out.append(piece)
        pos += len(piece)
    return "".join(out), spans


# --- public API ----------------------------------------------------------------------------------------


def uses_fast_path(tokenizer: Any) -> bool:
    """True when the tokenizer's chat template is Qwen2.5's, byte for byte."""
    template = getattr(tokenizer, "chat_template", None)
    return isinstance(template, str) and template == _qwen2_5_template()


def assistant_spans(
    messages: Sequence[Any],
    tools: Sequence[Any] | None,
    tokenizer: Any,
    *,
    train_from: int = 0,
    verify: bool = True,
) -> tuple[str, list[Span]]:
    """The rendered text and the character spans that carry loss (assistant turns at index >= train_from)."""
    msgs = to_template_messages(messages)
    tool_list = _template_tools(tools)
    if uses_fast_path(tokenizer):
        try:
            text, spans = _spans_qwen2_5(msgs, tool_list, train_from)
        except _NoFastPath:
            return _spans_by_prefixes(tokenizer, msgs, tool_list, train_from)
        if verify:
            reference = _apply(tokenizer, msgs, tool_list, generation=False)
            if reference != text:
                raise TemplateError(
                    "the Qwen2.5 fast renderer disagrees with the jinja template on this record; "
                    "render with verify=True and report the record"
                )
        return text, spans
    return _spans_by_prefixes(tokenizer, msgs, tool_list, train_from)


def _mask_from_offsets(offsets: Sequence[tuple[int, int]], spans: list[Span]) -> list[int]:
    mask = [0] * len(offsets)
    j = 0
    for t, (start, _end) in enumerate(offsets):
        while j < len(spans) and start >= spans[j][1]:
            j += 1
        if j == len(spans):
            break
        if spans[j][0] <= start:
            mask[t] = 1
    return mask


def _encode(text: str, spans: list[Span], tokenizer: Any) -> Rendered:
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    return Rendered(list(enc["input_ids"]), _mask_from_offsets(enc["offset_mapping"], spans), text)


def render_conversation(
    messages: list[dict], tools: list[dict] | None, tokenizer: Any, *, train_from: int = 0
) -> Rendered:
    """Token ids and assistant mask of a whole conversation; assistant turns before ``train_from`` are
    context (mask 0), as in the pieces of a split trajectory."""
    text, spans = assistant_spans(messages, tools, tokenizer, train_from=train_from)
    return _encode(text, spans, tokenizer)


def render_preference(
    prompt: list[dict], chosen: list[dict], rejected: list[dict], tools: list[dict] | None, tokenizer: Any
) -> tuple[Rendered, Rendered]:
    """Chosen and rejected rendered as continuations of the prompt; only their assistant turns train."""
    rendered = []
    for completion in (chosen, rejected):
        text, spans = assistant_spans(
            list(prompt) + list(completion), tools, tokenizer, train_from=len(prompt)
        )
        rendered.append(_encode(text, spans, tokenizer))
    return rendered[0], rendered[1]


def count_tokens(items: Sequence[tuple[str, list[Span]]], tokenizer: Any) -> list[tuple[int, int]]:
    """(total tokens, trainable tokens) per rendered text, tokenized as one batch.

    Same rule as the mask (a token trains when its first character is in a span), computed from the
    fast tokenizer's encodings without building id lists, so counting a large dataset costs little
    more than tokenizing it. The opening turn (the system prompt and the tool definitions, the same
    in thousands of records) is tokenized once and cached: a fast tokenizer splits text at added
    tokens before anything else, so the count of a text cut right after an added end-of-turn token
    is the sum of the counts of its two parts, exactly.
    """
    backend = tokenizer.backend_tokenizer
    end = _end_of_turn(tokenizer)
    cache = _PREFIX_COUNTS.setdefault(id(backend), {})
    if len(cache) > _PREFIX_CACHE_SIZE:
        cache.clear()
    cuts, prefix_counts, rests = [], [], []
    for text, spans in items:
        cut = _opening_turn_end(text, spans, end)
        prefix = text[:cut]
        if cut and prefix not in cache:
            cache[prefix] = len(backend.encode(prefix, add_special_tokens=False))
        cuts.append(cut)
        prefix_counts.append(cache[prefix] if cut else 0)
        rests.append(text[cut:])
    encodings = backend.encode_batch(rests, add_special_tokens=False)
    out = []
    for enc, cut, before, (_, spans) in zip(encodings, cuts, prefix_counts, items, strict=True):
        shifted = [(a - cut, b - cut) for a, b in spans]
        out.append((before + len(enc), _trainable(enc, shifted)))
    return out


_PREFIX_COUNTS: dict[int, dict[str, int]] = {}
_PREFIX_CACHE_SIZE = 4096


def _end_of_turn(tokenizer: Any) -> str | None:
    """The end-of-turn token when it is an added token (so text is split there before tokenizing)."""
    token = getattr(tokenizer, "eos_token", None)
    return token if token and token in tokenizer.get_added_vocab() else None


def _opening_turn_end(text: str, spans: list[Span], end: str | None) -> int:
    """Where the first turn ends (just after its end token), if no trainable span starts before."""
    if end is None:
        return 0
    i = text.find(end)
    cut = i + len(end) if i >= 0 else 0
    return cut if not spans or cut <= spans[0][0] else 0


def _first_token_from(enc: Any, char: int, n_tokens: int) -> int:
    """Index of the first token whose first character is at or after ``char``."""
    t = enc.char_to_token(char)
    if t is None:  # past the end, or a character no token covers (never for byte-level BPE)
        return n_tokens
    start, _ = enc.token_to_chars(t)
    return t if start >= char else t + 1


def _trainable(enc: Any, spans: list[Span]) -> int:
    n = len(enc)
    return sum(_first_token_from(enc, end, n) - _first_token_from(enc, start, n) for start, end in spans)
