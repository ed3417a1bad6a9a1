"""Detect which instruction-data format an object is in, and turn one object into chat messages.

Each converter takes one parsed object and returns a :class:`Converted`: an SFT conversation
(``messages`` + ``tools``) or a preference pair (``prompt`` / ``chosen`` / ``rejected``), with
messages already in record form (role, content, tool_calls with ``arguments`` as an object, tool
turns answering a call id). A converter raises :class:`Reject` with a reason a person can act on
when the object can't be converted; it never guesses content that isn't there.

OASST data (the message *table*, one message per row, and the *tree* export, one tree per object)
gives several records per tree, so it lives in :mod:`agentic_pipeline.convert.oasst`; the helpers
for one OASST message are here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson


class Reject(Exception):
    """An object that can't be converted; the message says why."""


@dataclass(slots=True)
class Converted:
    """One converted object: an SFT conversation, or a preference pair when ``chosen`` is set."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    tools: list[dict[str, Any]] = field(default_factory=list)
    prompt: list[dict[str, Any]] | None = None
    chosen: list[dict[str, Any]] | None = None
    rejected: list[dict[str, Any]] | None = None
    synthesized_tools: list[str] | None = None

    @property
    def is_preference(self) -> bool:
        return self.chosen is not None


# Question/answer style pairs, most specific first: (user key, assistant key).
QA_PAIRS: tuple[tuple[str, str], ...] = (
    ("question", "answer"),
    ("question", "response"),
    ("query", "response"),
    ("query", "answer"),
    ("instruction", "response"),
    ("instruction", "answer"),
    ("prompt", "response"),
    ("prompt", "answer"),
    ("input", "output"),
    ("input", "response"),
    ("input", "target"),
    ("source", "target"),
    ("human", "assistant"),
    ("user", "assistant"),
    ("question", "output"),
)
SYSTEM_KEYS = ("system", "system_prompt")

FORMATS: dict[str, str] = {
    "openai": "OpenAI chat (messages with role/content, tool_calls)",
    "sharegpt": "ShareGPT (conversations with from/value)",
    "alpaca": "Alpaca (instruction/input/output)",
    "dolly": "Dolly (instruction/context/response)",
    "prompt_completion": "prompt/completion",
    "qa": "question/answer (question/answer, query/response, input/output, ...)",
    "oasst_tree": "OASST message tree (prompt with nested replies)",
    "oasst_flat": "OASST message table (message_id/parent_id/text/role/rank)",
    "preference": "preference pairs (chosen/rejected: HH-RLHF strings or message lists)",
    "openai_dpo": "OpenAI DPO fine-tuning (input.messages/tools, preferred_output, non_preferred_output)",
}
# A forced format also takes rows of these formats (the same kind of data in another layout).
ALSO_ACCEPTS: dict[str, tuple[str, ...]] = {"preference": ("openai_dpo",), "openai": ("openai_dpo",)}
MERGED_NOTE = "consecutive assistant messages merged into one turn"
MOVED_NOTE = "assistant text logged after its own tool call put before the call (one turn)"


def detect(obj: dict[str, Any]) -> str | None:
    """The format an object is in, from its keys (and a peek at a few values), or None."""
    if "messages" in obj:
        return "openai"
    if "conversations" in obj or "conversation" in obj:
        return "sharegpt"
    if "chosen" in obj and "rejected" in obj:
        return "preference"
    if "preferred_output" in obj and "non_preferred_output" in obj:
        return "openai_dpo"
    prompt = obj.get("prompt")
    if isinstance(prompt, dict) and ("replies" in prompt or "text" in prompt):
        return "oasst_tree"
    if "message_id" in obj and "parent_id" in obj and "text" in obj:
        return "oasst_flat"
    if "instruction" in obj and "context" in obj and "response" in obj:
        return "dolly"
    if "instruction" in obj and "output" in obj:
        return "alpaca"
    if "prompt" in obj and "completion" in obj:
        return "prompt_completion"
    for user_key, assistant_key in QA_PAIRS:
        if user_key in obj and assistant_key in obj:
            return "qa"
    return None


def lower_keys(obj: dict[str, Any]) -> dict[str, Any]:
    return {k.lower() if isinstance(k, str) else k: v for k, v in obj.items()}


def detect_any(obj: dict[str, Any]) -> tuple[str | None, bool]:
    """Like :func:`detect`, retrying with lower-cased keys (``Question``/``Answer`` columns)."""
    fmt = detect(obj)
    if fmt is not None:
        return fmt, False
    fmt = detect(lower_keys(obj))
    return fmt, fmt is not None


# --- small helpers -----------------------------------------------------------------------------


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    return {str: "string", bool: "boolean", int: "number", float: "number", list: "list", dict: "object"}.get(
        type(value), type(value).__name__
    )


def text(value: Any, what: str, notes: list[str]) -> str:
    """A field as text: strings as they are, numbers written out (noted), anything else rejected."""
    if type(value) is str:
        return value
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        notes.append("numbers converted to text")
        return str(value)
    raise Reject(f"{what} must be a string, got {_type_name(value)}")


def content_text(value: Any, what: str, notes: list[str]) -> str:
    """Message content: a string, or a list of parts of which the text parts are kept."""
    if type(value) is list:
        parts = []
        for part in value:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, dict) and part.get("type", "text") == "text":
                parts.append(text(part.get("text"), what, notes))
            else:
                kind = part.get("type") if isinstance(part, dict) else _type_name(part)
                raise Reject(f"{what} has a non-text part ({kind}); only text is converted")
        return "".join(parts)
    return text(value, what, notes)


def _join(*parts: str) -> str:
    return "\n\n".join(p for p in parts if p)


def _turn(role: str, content: str) -> dict[str, Any]:
    return {"role": role, "content": content.strip()}


def _system(obj: dict[str, Any], notes: list[str]) -> list[dict[str, Any]]:
    for key in SYSTEM_KEYS:
        value = obj.get(key)
        if value:
            return [_turn("system", text(value, f"'{key}'", notes))]
    return []


# --- tools and tool calls ----------------------------------------------------------------------


def _parse_arguments(raw: Any, where: str) -> dict[str, Any]:
    if raw is None:
        return {}
    if isinstance(raw, str):
        if not raw.strip():
            return {}
        try:
            raw = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise Reject(f"{where}: arguments are not valid JSON ({exc})") from None
    if not isinstance(raw, dict):
        raise Reject(f"{where}: arguments must be a JSON object, got {_type_name(raw)}")
    return raw


def tool_call(name: Any, arguments: Any, call_id: Any, where: str) -> dict[str, Any]:
    if not isinstance(name, str) or not name:
        raise Reject(f"{where}: tool call has no function name")
    cid = call_id if isinstance(call_id, str) and call_id else None
    return {
        "id": cid or "",
        "type": "function",
        "function": {"name": name, "arguments": _parse_arguments(arguments, where)},
    }


def normalize_tools(raw: Any) -> list[dict[str, Any]]:
    """Tool definitions in record form, from a list (or a JSON string) of OpenAI or bare definitions."""
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        try:
            raw = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise Reject(f"'tools' is a string but not valid JSON ({exc})") from None
    if not isinstance(raw, list):
        raise Reject(f"'tools' must be a list of function definitions, got {_type_name(raw)}")
    tools = []
    for i, item in enumerate(raw, 1):
        if not isinstance(item, dict):
            raise Reject(f"tool {i} must be an object, got {_type_name(item)}")
        fn = item.get("function") if isinstance(item.get("function"), dict) else item
        name = fn.get("name")
        if not isinstance(name, str) or not name:
            raise Reject(f"tool {i} has no name")
        params = fn.get("parameters")
        if isinstance(params, str):
            params = _parse_arguments(params, f"tool {name!r} parameters")
        if params is None:
            params = {"type": "object", "properties": {}}
        if not isinstance(params, dict):
            raise Reject(f"tool {name!r}: parameters must be an object, got {_type_name(params)}")
        description = fn.get("description") or ""
        if not isinstance(description, str):
            raise Reject(f"tool {name!r}: description must be a string")
        tools.append(
            {"type": "function", "function": {"name": name, "description": description, "parameters": params}}
        )
    return tools


def _assign_call_ids(messages: list[dict[str, Any]]) -> None:
    """Give calls without an id a deterministic one, and tool turns without one the call they answer."""
    counter = 0
    pending: list[dict[str, Any]] = []
    for m in messages:
        calls = m.get("tool_calls")
        if calls:
            pending = []
            for call in calls:
                counter += 1
                if not call["id"]:
                    call["id"] = f"call_{counter}"
                pending.append(call)
        elif m["role"] == "tool":
            by_id = {c["id"]: c for c in pending}
            call = by_id.get(m.get("tool_call_id") or "")
            if call is None and pending and not m.get("tool_call_id"):
                call = pending[0]
            if call is not None:
                pending.remove(call)
                m["tool_call_id"] = call["id"]
                m.setdefault("name", call["function"]["name"])
            elif not m.get("tool_call_id"):
                m["tool_call_id"] = ""  # unanswerable: the semantic check names it


def finish_tools(conv: Converted) -> Converted:
    """Synthesize tool definitions from the calls when the data had calls but no definitions."""
    if conv.tools:
        return conv
    seen: dict[str, dict[str, None]] = {}
    for messages in (conv.messages, conv.prompt, conv.chosen, conv.rejected):
        for m in messages or ():
            for call in m.get("tool_calls") or ():
                keys = seen.setdefault(call["function"]["name"], {})
                keys.update(dict.fromkeys(call["function"]["arguments"]))
    if seen:
        # Permissive on purpose: every argument key seen, any type, extra keys allowed.
        conv.tools = [
            {
                "type": "function",
                "function": {
                    "name": name,
                    "description": "",
                    "parameters": {
                        "type": "object",
                        "properties": {k: {} for k in keys},
                        "additionalProperties": True,
                    },
                },
            }
            for name, keys in seen.items()
        ]
        conv.synthesized_tools = list(seen)
    return conv


def merge_assistant(prev: dict[str, Any], m: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    """Two assistant messages in a row as one turn: texts joined, tool calls in order, keys in record order.

    Agent frameworks log a thought and the call it makes (or parallel calls) as separate messages;
    the record format, like chat templates, has one assistant turn with its text and its calls.
    """
    notes.append(MERGED_NOTE)
    prev_calls, calls = prev.get("tool_calls"), m.get("tool_calls")
    if prev_calls and m["content"]:
        notes.append(MOVED_NOTE)  # a turn's text comes before its calls: the order is the template's
    merged: dict[str, Any] = {"role": "assistant", "content": _join(prev["content"], m["content"])}
    if prev_calls or calls:
        merged["tool_calls"] = [*(prev_calls or ()), *(calls or ())]
    reasoning = _join(prev.get("reasoning", ""), m.get("reasoning", ""))
    if reasoning:
        merged["reasoning"] = reasoning
    return merged


# --- OpenAI chat -------------------------------------------------------------------------------

_OPENAI_ROLES = {
    "system": "system",
    "developer": "system",
    "user": "user",
    "human": "user",
    "assistant": "assistant",
    "tool": "tool",
    "function": "tool",
    "ipython": "tool",
}


def openai_messages(raw: Any, what: str, notes: list[str]) -> list[dict[str, Any]]:
    """Record-form messages from an OpenAI-style list (string arguments parsed, ids filled in)."""
    if isinstance(raw, str):
        try:
            raw = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise Reject(f"{what} is a string but not a JSON list of messages") from None
    if not isinstance(raw, list):
        raise Reject(f"{what} must be a list of messages, got {_type_name(raw)}")
    out: list[dict[str, Any]] = []
    for i, m in enumerate(raw, 1):
        if not isinstance(m, dict):
            raise Reject(f"{what}[{i}] must be an object, got {_type_name(m)}")
        role = _OPENAI_ROLES.get(m.get("role"))  # type: ignore[arg-type]
        if role is None:
            raise Reject(f"{what}[{i}]: unknown role {m.get('role')!r}")
        content = m.get("content")
        # The common case (a string) skips building the message's name, which only errors use.
        text_ = content if type(content) is str else content_text(content, f"{what}[{i}]", notes)
        msg: dict[str, Any] = {"role": role, "content": text_.strip()}
        if role == "assistant":
            calls = m.get("tool_calls")
            if calls:
                where = f"{what}[{i}]"
                if not isinstance(calls, list):
                    raise Reject(f"{where}: tool_calls must be a list")
                msg["tool_calls"] = [
                    _openai_call(c, f"{where} tool call {j}") for j, c in enumerate(calls, 1)
                ]
            elif m.get("function_call"):  # the legacy single-call form
                fc = m["function_call"]
                if not isinstance(fc, dict):
                    raise Reject(f"{what}[{i}]: function_call must be an object")
                msg["tool_calls"] = [tool_call(fc.get("name"), fc.get("arguments"), None, f"{what}[{i}]")]
            reasoning = m.get("reasoning") or m.get("reasoning_content")
            if isinstance(reasoning, str) and reasoning.strip():
                msg["reasoning"] = reasoning.strip()
            if "weight" in m and m["weight"] in (0, False):
                notes.append("assistant 'weight': 0 ignored (every assistant turn of a record trains)")
            if out and out[-1]["role"] == "assistant":
                out[-1] = merge_assistant(out[-1], msg, notes)
                continue
        elif role == "tool":
            tcid = m.get("tool_call_id")
            msg["tool_call_id"] = tcid if isinstance(tcid, str) else ""
            if isinstance(m.get("name"), str) and m["name"]:
                msg["name"] = m["name"]
        elif m.get("tool_calls"):
            notes.append(f"tool_calls on a {role} message dropped (only an assistant calls tools)")
        out.append(msg)
    _assign_call_ids(out)
    return out


def _openai_call(call: Any, where: str) -> dict[str, Any]:
    if not isinstance(call, dict):
        raise Reject(f"{where} must be an object, got {_type_name(call)}")
    fn = call.get("function")
    if not isinstance(fn, dict):
        fn = call  # {"name", "arguments"} without the function wrapper
    return tool_call(fn.get("name"), fn.get("arguments"), call.get("id"), where)


def convert_openai(obj: dict[str, Any], notes: list[str]) -> Converted:
    messages = openai_messages(obj.get("messages"), "messages", notes)
    # "functions" is the legacy (function_call) fine-tuning format's name for the definitions.
    tools = obj.get("tools") if obj.get("tools") else obj.get("functions")
    return finish_tools(Converted(messages=messages, tools=normalize_tools(tools)))


# --- ShareGPT ----------------------------------------------------------------------------------

_SHAREGPT_ROLES = {
    "human": "user",
    "user": "user",
    "gpt": "assistant",
    "assistant": "assistant",
    "chatgpt": "assistant",
    "bard": "assistant",
    "bing": "assistant",
    "model": "assistant",
    "system": "system",
    "function_call": "function_call",
    "observation": "tool",
    "tool": "tool",
    "function": "tool",
}


def convert_sharegpt(obj: dict[str, Any], notes: list[str]) -> Converted:
    key = "conversations" if "conversations" in obj else "conversation"
    turns = obj.get(key)
    if isinstance(turns, str):
        try:
            turns = orjson.loads(turns)
        except orjson.JSONDecodeError:
            raise Reject(f"'{key}' is a string but not a JSON list") from None
    if not isinstance(turns, list):
        raise Reject(f"'{key}' must be a list of turns, got {_type_name(turns)}")
    tools = normalize_tools(obj.get("tools"))
    if turns and isinstance(turns[0], dict) and "role" in turns[0] and "from" not in turns[0]:
        return finish_tools(Converted(messages=openai_messages(turns, key, notes), tools=tools))
    messages = _system(obj, notes)
    for i, turn in enumerate(turns, 1):
        where = f"{key}[{i}]"
        if not isinstance(turn, dict):
            raise Reject(f"{where} must be an object, got {_type_name(turn)}")
        role = _SHAREGPT_ROLES.get(turn.get("from"))  # type: ignore[arg-type]
        if role is None:
            raise Reject(f"{where}: unknown speaker 'from': {turn.get('from')!r}")
        value = text(turn.get("value"), where, notes)
        if role == "function_call":
            calls = _sharegpt_calls(value, where)
            prev = messages[-1] if messages else None
            # A thought followed by its call: one assistant turn, as the record format has it.
            if prev and prev["role"] == "assistant" and "tool_calls" not in prev and "reasoning" not in prev:
                prev["tool_calls"] = calls
            elif prev and prev["role"] == "assistant":
                messages[-1] = merge_assistant(
                    prev, {"role": "assistant", "content": "", "tool_calls": calls}, notes
                )
            else:
                messages.append({"role": "assistant", "content": "", "tool_calls": calls})
        elif role == "tool":
            messages.append({"role": "tool", "content": value.strip(), "tool_call_id": ""})
        elif role == "assistant" and messages and messages[-1]["role"] == "assistant":
            messages[-1] = merge_assistant(messages[-1], _turn(role, value), notes)
        else:
            messages.append(_turn(role, value))
    _assign_call_ids(messages)
    return finish_tools(Converted(messages=messages, tools=tools))


def _sharegpt_calls(value: str, where: str) -> list[dict[str, Any]]:
    try:
        parsed = orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise Reject(f"{where}: function_call value is not valid JSON ({exc})") from None
    items = parsed if isinstance(parsed, list) else [parsed]
    calls = []
    for item in items:
        if not isinstance(item, dict):
            raise Reject(f"{where}: function_call must be an object with name and arguments")
        calls.append(tool_call(item.get("name"), item.get("arguments"), item.get("id"), where))
    return calls


# --- single-turn formats -----------------------------------------------------------------------


def _single(obj: dict[str, Any], user: str, assistant: str, notes: list[str]) -> Converted:
    return Converted(messages=[*_system(obj, notes), _turn("user", user), _turn("assistant", assistant)])


def convert_alpaca(obj: dict[str, Any], notes: list[str]) -> Converted:
    instruction = text(obj.get("instruction"), "'instruction'", notes)
    extra = text(obj.get("input"), "'input'", notes)
    return _single(
        obj, _join(instruction.strip(), extra.strip()), text(obj.get("output"), "'output'", notes), notes
    )


def convert_dolly(obj: dict[str, Any], notes: list[str]) -> Converted:
    instruction = text(obj.get("instruction"), "'instruction'", notes)
    context = text(obj.get("context"), "'context'", notes)
    return _single(
        obj,
        _join(instruction.strip(), context.strip()),
        text(obj.get("response"), "'response'", notes),
        notes,
    )


def convert_prompt_completion(obj: dict[str, Any], notes: list[str]) -> Converted:
    prompt, completion = obj.get("prompt"), obj.get("completion")
    if isinstance(prompt, list) or isinstance(completion, list):  # TRL's conversational prompt-completion
        head = openai_messages(prompt, "'prompt'", notes) if isinstance(prompt, list) else []
        if isinstance(prompt, str):
            head = [_turn("user", prompt)]
        tail = (
            openai_messages(completion, "'completion'", notes)
            if isinstance(completion, list)
            else [_turn("assistant", text(completion, "'completion'", notes))]
        )
        messages = head + tail
        _assign_call_ids(messages)
        return finish_tools(Converted(messages=messages, tools=normalize_tools(obj.get("tools"))))
    return _single(obj, text(prompt, "'prompt'", notes), text(completion, "'completion'", notes), notes)


def convert_qa(obj: dict[str, Any], notes: list[str]) -> Converted:
    for user_key, assistant_key in QA_PAIRS:
        if user_key in obj and assistant_key in obj:
            user = text(obj[user_key], f"'{user_key}'", notes)
            return _single(obj, user, text(obj[assistant_key], f"'{assistant_key}'", notes), notes)
    raise Reject("no question/answer pair of keys")


# --- OASST tree export -------------------------------------------------------------------------

_OASST_ROLES = {"prompter": "user", "user": "user", "assistant": "assistant"}


def oasst_rank(message: dict[str, Any]) -> tuple[int, float]:
    """Sort key for siblings: ranked before unranked, lower rank first (0 is the best)."""
    rank = message.get("rank")
    if isinstance(rank, int | float) and not isinstance(rank, bool):
        return (0, float(rank))
    return (1, 0.0)


def oasst_turn(message: dict[str, Any], where: str, notes: list[str]) -> dict[str, Any]:
    role = _OASST_ROLES.get(message.get("role"))  # type: ignore[arg-type]
    if role is None:
        raise Reject(f"{where}: unknown OASST role {message.get('role')!r}")
    return _turn(role, text(message.get("text"), f"{where}: 'text'", notes))


def oasst_path_end(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A best path ends with the assistant: a trailing unanswered prompt is cut."""
    while messages and messages[-1]["role"] != "assistant":
        messages.pop()
    if len(messages) < 2:
        raise Reject("OASST tree has no assistant reply")
    return messages


# --- preference pairs --------------------------------------------------------------------------

_HH_SPLIT = re.compile(r"(?:^|\n\n)(Human|Assistant|System):[ \t]?")
_HH_ROLES = {"Human": "user", "Assistant": "assistant", "System": "system"}


def hh_messages(value: str, what: str) -> list[dict[str, Any]]:
    """Messages from an HH-RLHF transcript ("\\n\\nHuman: ...\\n\\nAssistant: ...")."""
    parts = _HH_SPLIT.split(value)
    if len(parts) < 3 or parts[0].strip():
        raise Reject(f"{what} is not an HH-RLHF transcript (expected '\\n\\nHuman: ...\\n\\nAssistant: ...')")
    return [_turn(_HH_ROLES[parts[i]], parts[i + 1]) for i in range(1, len(parts), 2)]


def _is_hh(value: Any) -> bool:
    return isinstance(value, str) and ("\n\nHuman:" in value or value.lstrip().startswith("Human:"))


def _side(value: Any, what: str, notes: list[str]) -> list[dict[str, Any]]:
    if isinstance(value, list):
        return openai_messages(value, what, notes)
    if _is_hh(value):
        return hh_messages(value if value.startswith("\n\n") else "\n\n" + value.lstrip(), what)
    return [_turn("assistant", text(value, what, notes))]


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return (
        a["role"] == b["role"] and a["content"] == b["content"] and a.get("tool_calls") == b.get("tool_calls")
    )


def convert_preference(obj: dict[str, Any], notes: list[str]) -> Converted:
    chosen = _side(obj.get("chosen"), "'chosen'", notes)
    rejected = _side(obj.get("rejected"), "'rejected'", notes)
    raw_prompt = obj.get("prompt")
    if raw_prompt is not None and raw_prompt != "" and raw_prompt != []:
        if isinstance(raw_prompt, list):
            prompt = openai_messages(raw_prompt, "'prompt'", notes)
        elif _is_hh(raw_prompt):
            prompt = hh_messages(
                raw_prompt if raw_prompt.startswith("\n\n") else "\n\n" + raw_prompt, "'prompt'"
            )
            prompt = [m for m in prompt if m["role"] != "assistant" or m["content"]]
        else:
            prompt = [*_system(obj, notes), _turn("user", text(raw_prompt, "'prompt'", notes))]
        # Some data repeats the prompt at the start of chosen/rejected: keep only the continuation.
        n = len(prompt)
        if len(chosen) > n and all(_same(p, c) for p, c in zip(prompt, chosen, strict=False)):
            chosen = chosen[n:]
        if len(rejected) > n and all(_same(p, r) for p, r in zip(prompt, rejected, strict=False)):
            rejected = rejected[n:]
    else:
        # Whole conversations: the shared prefix up to the last common user turn is the prompt.
        n = 0
        while n < min(len(chosen), len(rejected)) - 1 and _same(chosen[n], rejected[n]):
            n += 1
        while n > 0 and chosen[n - 1]["role"] != "user":
            n -= 1
        if n == 0:
            raise Reject("chosen and rejected share no prompt (no common user turn before the replies)")
        prompt, chosen, rejected = chosen[:n], chosen[n:], rejected[n:]
    _assign_call_ids(prompt + chosen)
    _assign_call_ids(prompt + rejected)
    conv = Converted(prompt=prompt, chosen=chosen, rejected=rejected, tools=normalize_tools(obj.get("tools")))
    return finish_tools(conv)


def convert_openai_dpo(obj: dict[str, Any], notes: list[str]) -> Converted:
    """OpenAI's DPO fine-tuning line: ``input`` (messages, tools), ``preferred_output``, ``non_preferred_output``.

    ``input.parallel_tool_calls`` is a request setting, not data: it is not kept.
    """
    raw = obj.get("input")
    if isinstance(raw, str):
        try:
            raw = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise Reject("'input' is a string but not a JSON object with messages") from None
    if not isinstance(raw, dict):
        raise Reject(f"'input' must be an object with messages (OpenAI DPO format), got {_type_name(raw)}")
    prompt = openai_messages(raw.get("messages"), "input.messages", notes)
    chosen = openai_messages(obj.get("preferred_output"), "preferred_output", notes)
    rejected = openai_messages(obj.get("non_preferred_output"), "non_preferred_output", notes)
    if not prompt:
        raise Reject("input.messages is empty: nothing to prefer an answer to")
    if not chosen or not rejected:
        raise Reject("preferred_output and non_preferred_output must each hold an assistant message")
    tools = raw.get("tools") if raw.get("tools") else obj.get("tools")
    _assign_call_ids(prompt + chosen)
    _assign_call_ids(prompt + rejected)
    conv = Converted(prompt=prompt, chosen=chosen, rejected=rejected, tools=normalize_tools(tools))
    return finish_tools(conv)


CONVERTERS: dict[str, Callable[[dict[str, Any], list[str]], Converted]] = {
    "openai": convert_openai,
    "sharegpt": convert_sharegpt,
    "alpaca": convert_alpaca,
    "dolly": convert_dolly,
    "prompt_completion": convert_prompt_completion,
    "qa": convert_qa,
    "preference": convert_preference,
    "openai_dpo": convert_openai_dpo,
}
