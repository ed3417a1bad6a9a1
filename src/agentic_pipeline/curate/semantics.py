"""Rules that relate a record's messages to each other and to its tools.

A record can be well-typed and still teach the wrong thing: a tool call nobody answered, a
result for a call never made, a call to a tool that does not exist or with arguments its schema
rejects, a conversation that ends waiting on a tool, an empty assistant turn, a trajectory whose
verifier did not pass, a preference pair whose two sides are the same. Each rule is one function
taking a typed record and returning ``True`` or ``(False, reason)``; ``RULES`` lists them in order.
(Converted data marked ``metadata.ends_with_tool_call`` may end on a tool call: see
:func:`final_turn`.)
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import jsonschema
import orjson

from agentic_pipeline.records import Message, PreferenceRecord

Result = bool | tuple[bool, str]
OK: Result = True


def conversations(record: Any) -> list[list[Message]]:
    """The message lists a record trains on: its messages, or prompt + chosen and prompt + rejected."""
    if isinstance(record, PreferenceRecord):
        return [record.prompt + record.chosen, record.prompt + record.rejected]
    return [record.messages]


def _first_failure(record: Any, rule: Callable[[list[Message]], Result]) -> Result:
    for messages in conversations(record):
        result = rule(messages)
        if result is not True:
            return result
    return OK


def _role_order(messages: list[Message]) -> Result:
    previous = None
    for i, m in enumerate(messages):
        if m.role == "system" and i != 0:
            return False, f"message {i}: a system message after the start"
        if m.role == "tool" and previous not in ("assistant", "tool"):
            return False, f"message {i}: a tool result must follow an assistant turn or another tool result"
        if m.role == "assistant" and previous == "assistant":
            return False, f"message {i}: two assistant turns in a row"
        if m.role == "user" and previous == "user":
            return False, f"message {i}: two user turns in a row"
        if m.role == "assistant" and previous in (None, "system"):
            return False, f"message {i}: the conversation starts with an assistant turn, not a user turn"
        previous = m.role
    if previous is not None and all(m.role == "system" for m in messages):
        return False, "only system messages"
    return OK


def _tool_results(messages: list[Message]) -> Result:
    pending: dict[str, str] = {}
    for i, m in enumerate(messages):
        if m.role == "assistant":
            if pending:
                return (
                    False,
                    f"message {i}: call(s) {', '.join(pending)} have no tool result before the next turn",
                )
            ids = [c.id for c in m.tool_calls or []]
            if len(ids) != len(set(ids)):
                return False, f"message {i}: duplicate tool call ids {ids}"
            pending = {c.id: c.function.name for c in m.tool_calls or []}
        elif m.role == "tool":
            if m.tool_call_id is None:
                return False, f"message {i}: tool result without tool_call_id"
            if m.tool_call_id not in pending:
                return False, f"message {i}: tool result {m.tool_call_id!r} answers no pending call"
            name = pending.pop(m.tool_call_id)
            if m.name is not None and m.name != name:
                return (
                    False,
                    f"message {i}: tool result names {m.name!r} but call {m.tool_call_id!r} was {name!r}",
                )
        elif pending:
            return (
                False,
                f"message {i}: call(s) {', '.join(pending)} have no tool result before the next turn",
            )
    return OK


def role_order(record: Any) -> Result:
    return _first_failure(record, _role_order)


def tool_results(record: Any) -> Result:
    """Every call has exactly one result with its id; every result answers a call."""
    return _first_failure(record, _tool_results)


def _calls(record: Any):
    for messages in conversations(record) if isinstance(record, PreferenceRecord) else [record.messages]:
        for i, m in enumerate(messages):
            for call in m.tool_calls or []:
                yield i, call


def tool_names(record: Any) -> Result:
    names = {t.function.name for t in record.tools}
    for i, call in _calls(record):
        if call.function.name not in names:
            known = ", ".join(sorted(names)) or "none"
            return False, f"message {i}: call to unknown tool {call.function.name!r} (tools: {known})"
    return OK


@lru_cache(maxsize=1024)
def _validator(schema_json: bytes) -> Any:
    schema = orjson.loads(schema_json)
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    cls.check_schema(schema)
    return cls(schema)


def arguments(record: Any) -> Result:
    """Each call's arguments validate against its tool's JSON-Schema ``parameters``."""
    schemas = {t.function.name: t.function.parameters for t in record.tools}
    for i, call in _calls(record):
        schema = schemas.get(call.function.name)
        if schema is None:
            continue  # reported by tool_names
        try:
            validator = _validator(orjson.dumps(schema, option=orjson.OPT_SORT_KEYS))
        except jsonschema.SchemaError as exc:
            return False, f"tool {call.function.name!r}: parameters is not a valid JSON Schema: {exc.message}"
        if validator.is_valid(call.function.arguments):
            continue
        error = jsonschema.exceptions.best_match(validator.iter_errors(call.function.arguments))
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path) or "arguments"
            return False, f"message {i}: {call.function.name}({where}): {error.message}"
    return OK


def _final_turn(messages: list[Message], call_ok: bool = False) -> Result:
    last = messages[-1]
    if last.role != "assistant":
        return False, f"ends with a {last.role} turn, not an assistant turn"
    if last.tool_calls and not call_ok:
        return False, "ends with a tool call that has no result"
    return OK


def converted(record: Any) -> bool:
    """Data ``agentic convert`` read from existing instruction data (not generated and verified here)."""
    if record.kind == "domain":
        return True
    evidence = record.metadata.model_extra.get("evidence") if record.metadata.model_extra else None
    return (
        record.kind == "preference" and isinstance(evidence, dict) and evidence.get("kind") == "source_label"
    )


def final_turn(record: Any) -> Result:
    """Each conversation ends with the assistant's answer; converted data marked
    ``metadata.ends_with_tool_call`` may end on the assistant's tool call instead (the call is the
    target, as in OpenAI's function-calling fine-tuning data). Trajectories, reasoning, sessions and
    generated pairs stay strict: their episodes end with an answer."""
    marked = record.metadata.ends_with_tool_call is True
    if marked and not converted(record):
        return (
            False,
            "metadata.ends_with_tool_call is for converted data only (domain records, converted "
            f"preference pairs), not a {record.kind} record",
        )
    ends_on_call = False
    for messages in conversations(record):
        result = _final_turn(messages, marked)
        if result is not True:
            return result
        ends_on_call = ends_on_call or bool(messages[-1].tool_calls)
    if marked and not ends_on_call:
        return False, "metadata.ends_with_tool_call is true but no conversation ends with a tool call"
    return OK


def _empty(m: Message) -> bool:
    return m.role == "assistant" and not (m.content or "").strip() and not m.tool_calls


def empty_assistant(record: Any) -> Result:
    for messages in conversations(record):
        for i, m in enumerate(messages):
            if _empty(m):
                return False, f"message {i}: assistant turn with no text and no tool call"
    return OK


def verified(record: Any) -> Result:
    """A trajectory kept for SFT passed its verifier (failures belong with preference data)."""
    if getattr(record, "kind", None) == "trajectory" and not record.outcome.verified:
        detail = f" ({record.outcome.detail})" if record.outcome.detail else ""
        return (
            False,
            f"outcome.verified is false: the {record.outcome.verifier} verifier did not pass{detail}",
        )
    return OK


def _dump(messages: list[Message]) -> list[dict]:
    return [m.model_dump(exclude_none=True) for m in messages]


def preference_pair(record: Any) -> Result:
    """Chosen and rejected both continue the prompt, and differ."""
    if not isinstance(record, PreferenceRecord):
        return OK
    if record.prompt[-1].role not in ("user", "tool"):
        return False, f"the prompt ends with a {record.prompt[-1].role} turn; it must end with what to answer"
    prompt = _dump(record.prompt)
    for side in ("chosen", "rejected"):
        messages = getattr(record, side)
        if messages[0].role != "assistant":
            return False, f"{side} starts with a {messages[0].role} turn; it must continue the prompt"
        if _dump(messages[: len(prompt)]) == prompt:
            return False, f"{side} repeats the prompt; it must hold only the continuation"
    if _dump(record.chosen) == _dump(record.rejected):
        return False, "chosen and rejected are identical"
    return OK


RULES: list[tuple[str, Callable[[Any], Result]]] = [
    ("role_order", role_order),
    ("tool_results", tool_results),
    ("tool_names", tool_names),
    ("arguments", arguments),
    ("final_turn", final_turn),
    ("empty_assistant", empty_assistant),
    ("verified", verified),
    ("preference", preference_pair),
]
