"""Turn a converted object into the JSON line of a record, after the semantic checks.

The hot path builds plain dicts shaped exactly like ``records.dump_record`` output (same keys, same
order, no ``None`` values) instead of validating each one with pydantic: the checks below cover what
the models and ``curate.semantics`` demand of a converted record (roles alternate, it ends with a
non-empty assistant reply or an assistant tool call, every other call is answered, called tools are
defined), and the tests round-trip samples through ``parse_record``/``dump_record`` to hold the two
equal.

A converted conversation may end on the assistant's tool call with no result: that is how OpenAI's
function-calling fine-tuning data is written (the call is the training target). Such a record says
so in ``metadata.ends_with_tool_call``, the marker ``curate.semantics`` accepts on converted data only.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any

import jsonschema
import orjson

from agentic_pipeline.convert.formats import Converted
from agentic_pipeline.records import SCHEMA_VERSION

KEY_BYTES = 16  # dedup keys: 128-bit BLAKE2b digests

# Converted pairs carry the source's own label; nothing was measured here, and the record says so.
PREFERENCE_EVIDENCE = {"kind": "source_label", "detail": "chosen/rejected as labelled in the converted data"}


def check_conversation(
    messages: list[dict[str, Any]],
    tool_names: set[str] | frozenset[str],
    *,
    prompt_only: bool = False,
    final_call: bool = False,
) -> str | None:
    """None if the conversation is well formed, else the first problem found.

    ``prompt_only`` checks a preference prompt: the same rules, but it must end with what the answer
    answers (a user turn, or the results of the calls before it). ``final_call`` accepts a
    conversation whose last message is an assistant turn whose tool calls have no result yet.
    """
    if not prompt_only and len(messages) < 2:
        return "fewer than two messages"
    if not messages:
        return "empty prompt"
    start = 1 if messages[0]["role"] == "system" else 0
    expect = "user"
    pending: dict[str, str] = {}
    for i in range(start, len(messages)):
        m = messages[i]
        role = m["role"]
        if pending:
            if role != "tool":
                return f"message {i + 1}: tool call(s) {', '.join(pending)} not answered before a {role} turn"
            if m["tool_call_id"] not in pending:
                return f"message {i + 1}: tool result answers no pending call (tool_call_id {m['tool_call_id']!r})"
            del pending[m["tool_call_id"]]
            if not pending:
                expect = "assistant"
            continue
        if role != expect:
            return f"message {i + 1}: expected a {expect} turn, got {role} (roles must alternate)"
        if role == "user":
            if not m["content"]:
                return f"message {i + 1}: empty user message"
            expect = "assistant"
            continue
        calls = m.get("tool_calls")
        if calls:
            for call in calls:
                name = call["function"]["name"]
                if name not in tool_names:
                    return f"message {i + 1}: calls tool {name!r}, which is not in tools"
                if call["id"] in pending:
                    return f"message {i + 1}: two tool calls share the id {call['id']!r}"
                pending[call["id"]] = name
        elif not m["content"]:
            return f"message {i + 1}: empty assistant reply"
        else:
            expect = "user"
    if pending:
        if final_call and messages[-1]["role"] == "assistant":
            return None  # the call is the target: nothing answers it yet
        return f"ends with unanswered tool call(s) {', '.join(pending)}"
    last = messages[-1]["role"]
    if prompt_only:
        return (
            None
            if last in ("user", "tool")
            else f"prompt must end with a user turn or tool results, ends with {last}"
        )
    return None if last == "assistant" else f"does not end with an assistant turn (ends with {last})"


@lru_cache(maxsize=1024)
def _validator(schema_json: bytes) -> Any:
    schema = orjson.loads(schema_json)
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    cls.check_schema(schema)
    return cls(schema)


def check_arguments(conv: Converted) -> str | None:
    """Calls match the parameters of tools the data defined (synthesized ones accept anything)."""
    schemas = {t["function"]["name"]: t["function"]["parameters"] for t in conv.tools}
    for messages in (conv.messages, conv.prompt, conv.chosen, conv.rejected):
        for m in messages or ():
            for call in m.get("tool_calls") or ():
                fn = call["function"]
                try:
                    validator = _validator(orjson.dumps(schemas[fn["name"]], option=orjson.OPT_SORT_KEYS))
                except jsonschema.SchemaError as exc:
                    return f"tool {fn['name']!r}: parameters is not a valid JSON Schema ({exc.message})"
                try:
                    error = jsonschema.exceptions.best_match(validator.iter_errors(fn["arguments"]))
                except Exception as exc:  # a schema jsonschema accepts but can't apply ($ref to nowhere, ...)
                    return f"tool {fn['name']!r}: its parameters schema can't be applied ({exc})"
                if error is not None:
                    return f"call to {fn['name']!r}: arguments do not match its parameters ({error.message})"
    return None


def check(conv: Converted) -> str | None:
    names = frozenset(t["function"]["name"] for t in conv.tools) if conv.tools else frozenset()
    if len(names) != len(conv.tools):
        return "two tools share a name"
    if not conv.is_preference:
        return check_conversation(conv.messages, names, final_call=True) or (
            check_arguments(conv) if conv.tools and not conv.synthesized_tools else None
        )
    assert conv.prompt is not None and conv.rejected is not None
    problem = check_conversation(conv.prompt, names, prompt_only=True)
    if problem:
        return f"prompt: {problem}"
    for side, tail in (("chosen", conv.chosen), ("rejected", conv.rejected)):
        problem = check_conversation(conv.prompt + tail, names, final_call=True)
        if problem:
            return f"{side}: {problem}"
    if _normal(conv.chosen) == _normal(conv.rejected):
        return "chosen and rejected are the same"
    return check_arguments(conv) if conv.tools and not conv.synthesized_tools else None


def _squeeze(text: str) -> str:
    """Whitespace runs as one space; the common case (clean ASCII) skips the split and join."""
    if (
        text.isascii()
        and "  " not in text
        and "\n" not in text
        and "\t" not in text
        and "\r" not in text
        and "\x0b" not in text
        and "\x0c" not in text
    ):
        return text
    return " ".join(text.split())


def _normal(messages: list[dict[str, Any]]) -> list[Any]:
    # Contents are stripped by the converters, so only the runs inside are left to squeeze.
    return [(m["role"], _squeeze(m["content"]), m.get("tool_calls"), m.get("tool_call_id")) for m in messages]


def dedup_key(messages: list[dict[str, Any]] | None, *more: list[dict[str, Any]] | None) -> bytes:
    """What makes two records "the same": their messages with whitespace runs collapsed."""
    parts = [_normal(messages or [])] + [_normal(m or []) for m in more]
    return hashlib.blake2b(orjson.dumps(parts), digest_size=KEY_BYTES).digest()


def record_id(relname: str, line: int, raw: bytes) -> str:
    """Deterministic: the same source line always gets the same id."""
    return hashlib.blake2b(f"{relname}\0{line}\0".encode() + raw, digest_size=12).hexdigest()


def ends_with_call(conv: Converted) -> bool:
    """The conversation (or either side of a pair) ends on an assistant tool call."""
    if conv.is_preference:
        return bool(conv.chosen[-1].get("tool_calls") or conv.rejected[-1].get("tool_calls"))  # type: ignore[index]
    return bool(conv.messages[-1].get("tool_calls"))


def has_calls(conv: Converted) -> bool:
    """Any tool call in the record (the tool use the summary counts per file)."""
    if not conv.tools:  # calls always come with definitions (given or synthesized)
        return False
    for messages in (conv.messages, conv.prompt, conv.chosen, conv.rejected):
        for m in messages or ():
            if "tool_calls" in m:
                return True
    return False


def metadata(source: str, line: int, fmt: str, conv: Converted, final_call: bool = False) -> dict[str, Any]:
    # Key order follows records.Metadata: declared fields first, then the extras.
    if final_call:
        meta: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "source": source,
            "ends_with_tool_call": True,
            "line": line,
            "format": fmt,
        }
    else:
        meta = {"schema_version": SCHEMA_VERSION, "source": source, "line": line, "format": fmt}
    if conv.synthesized_tools:
        meta["synthesized_tools"] = conv.synthesized_tools
    if conv.is_preference:
        meta["evidence"] = PREFERENCE_EVIDENCE
    return meta


def domain_record(rid: str, domain: str, meta: dict[str, Any], conv: Converted) -> dict[str, Any]:
    """The dict ``dump_record(DomainRecord(...))`` would produce, key for key."""
    return {
        "id": rid,
        "tools": conv.tools,
        "metadata": meta,
        "messages": conv.messages,
        "kind": "domain",
        "category": domain,
    }


def preference_record(rid: str, domain: str, meta: dict[str, Any], conv: Converted) -> dict[str, Any]:
    """The dict ``dump_record(PreferenceRecord(...))`` would produce, key for key."""
    return {
        "id": rid,
        "tools": conv.tools,
        "metadata": meta,
        "kind": "preference",
        "category": domain,
        "prompt": conv.prompt,
        "chosen": conv.chosen,
        "rejected": conv.rejected,
    }
