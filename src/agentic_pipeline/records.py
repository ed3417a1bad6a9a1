"""The typed schema of every data file.

Records are the OpenAI / Hugging Face chat format (``messages``, ``tools``, ``tool_calls``, role
``tool``) so that ``datasets.load_dataset("json", ...)`` and TRL take them as they are. Preference
pairs are TRL's conversational ``prompt`` / ``chosen`` / ``rejected``.

These models are the truth: ``schemas/*.schema.json`` are generated from them (``agentic schemas``)
and a test fails when the checked-in files drift.

Structural rules live here (types, required fields, allowed values). Rules that relate messages to
each other (every call answered, tool names exist, arguments match parameters, ...) live in
``agentic_pipeline.curate.semantics``, because a record can be well-typed and still wrong, and the
validator reports each such problem as its own finding.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator

SCHEMA_VERSION = 1

Role = Literal["system", "user", "assistant", "tool"]

TRAJECTORY_CATEGORIES = ("coding", "debugging", "refactoring", "devops")
REASONING_CATEGORIES = ("problem_solving", "architecture_decisions", "tradeoff_analysis")
CONVERSATION_CATEGORIES = ("coding_sessions",)
PREFERENCE_CATEGORIES = ("code_quality", "efficiency", "safety")

KINDS = ("trajectory", "reasoning", "domain", "conversation", "preference")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FunctionCall(_Strict):
    name: str = Field(min_length=1)
    arguments: dict[str, Any] = Field(
        description="The call's arguments as an object (Hugging Face chat templates expect an object; "
        "a JSON string is accepted on input and parsed)."
    )

    @field_validator("arguments", mode="before")
    @classmethod
    def _parse_json_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value) if value.strip() else {}
            except json.JSONDecodeError as exc:
                raise ValueError(f"arguments is a string but not valid JSON: {exc.msg}") from None
        return value


class ToolCall(_Strict):
    id: str = Field(min_length=1)
    type: Literal["function"] = "function"
    function: FunctionCall


class Message(_Strict):
    role: Role
    content: str | None = Field(
        default=None,
        description="Text of the turn; for an assistant it is the thought before its tool calls.",
    )
    tool_calls: list[ToolCall] | None = Field(default=None, description="Assistant only.")
    tool_call_id: str | None = Field(default=None, description="Tool only: the id of the call it answers.")
    name: str | None = Field(default=None, description="Tool only: the name of the tool that ran.")
    reasoning: str | None = Field(
        default=None, description="Assistant only: the teacher's extended thinking, when it was enabled."
    )


class FunctionDef(_Strict):
    name: str = Field(min_length=1)
    description: str = ""
    parameters: dict[str, Any] = Field(default_factory=lambda: {"type": "object", "properties": {}})


class Tool(_Strict):
    type: Literal["function"] = "function"
    function: FunctionDef


class Outcome(_Strict):
    verified: bool = Field(description="True only if the task's verifier passed after the agent finished.")
    verifier: str = Field(description="What checked it: tests, git, checker, ...")
    detail: str = ""
    exit_status: str | None = Field(
        default=None, description="How the episode ended: submitted, limits_exceeded, format_error, ..."
    )


class Metadata(BaseModel):
    """Free-form provenance; the keys below are the ones every stage understands."""

    model_config = ConfigDict(extra="allow")

    schema_version: int = SCHEMA_VERSION
    teacher: str | None = None
    task_id: str | None = None
    source: str | None = None
    usage: dict[str, Any] | None = None
    ends_with_tool_call: bool | None = Field(
        default=None,
        description="Converted data only (domain records, converted preference pairs): the conversation "
        "(or a side of the pair) ends on the assistant's tool call, which is the training target and has "
        "no result, as in OpenAI's function-calling fine-tuning format. Other records end with an answer.",
    )


class _Record(_Strict):
    id: str = Field(min_length=1)
    tools: list[Tool] = Field(default_factory=list)
    metadata: Metadata = Field(default_factory=Metadata)


class _SFT(_Record):
    messages: list[Message] = Field(min_length=2)
    outcome: Outcome | None = None


class TrajectoryRecord(_SFT):
    """Do X -> thought -> action -> observation -> ... -> done, with real observations."""

    kind: Literal["trajectory"] = "trajectory"
    category: Literal["coding", "debugging", "refactoring", "devops"]
    outcome: Outcome


class ReasoningRecord(_SFT):
    kind: Literal["reasoning"] = "reasoning"
    category: Literal["problem_solving", "architecture_decisions", "tradeoff_analysis"]


class DomainRecord(_SFT):
    """The user's existing instruction data, converted (and optionally expanded)."""

    kind: Literal["domain"] = "domain"
    category: str = Field(min_length=1, description="The domain, from the file or directory name.")


class ConversationRecord(_SFT):
    """A multi-turn agentic coding session: several user requests in one conversation."""

    kind: Literal["conversation"] = "conversation"
    category: Literal["coding_sessions"] = "coding_sessions"


class PreferenceRecord(_Record):
    """TRL's conversational preference format; ``metadata.evidence`` says why chosen wins."""

    kind: Literal["preference"] = "preference"
    category: str = Field(
        min_length=1, description="code_quality, efficiency, safety, or a converted domain."
    )
    prompt: list[Message] = Field(min_length=1)
    chosen: list[Message] = Field(min_length=1)
    rejected: list[Message] = Field(min_length=1)


SFTRecord = TrajectoryRecord | ReasoningRecord | DomainRecord | ConversationRecord
AnyRecord = Annotated[
    TrajectoryRecord | ReasoningRecord | DomainRecord | ConversationRecord | PreferenceRecord,
    Field(discriminator="kind"),
]
RECORD_ADAPTER: TypeAdapter[AnyRecord] = TypeAdapter(AnyRecord)

MODEL_BY_KIND: dict[str, type[_Record]] = {
    "trajectory": TrajectoryRecord,
    "reasoning": ReasoningRecord,
    "domain": DomainRecord,
    "conversation": ConversationRecord,
    "preference": PreferenceRecord,
}


def parse_record(obj: dict[str, Any], kind: str | None = None) -> AnyRecord:
    """Validate a parsed JSON object as a record; ``kind`` (e.g. from its path) fills a missing field."""
    if kind is not None and "kind" not in obj:
        obj = {**obj, "kind": kind}
    return RECORD_ADAPTER.validate_python(obj)


def dump_record(record: BaseModel) -> dict[str, Any]:
    """The JSON object written to a ``.jsonl`` line: unset optional message fields are left out."""
    return record.model_dump(mode="json", exclude_none=True)


def json_schemas() -> dict[str, dict[str, Any]]:
    """One JSON Schema per kind, as checked in under ``schemas/``."""
    return {kind: model.model_json_schema() for kind, model in MODEL_BY_KIND.items()}
