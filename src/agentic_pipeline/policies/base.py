"""The one interface every policy implements, teacher or student.

A policy takes the conversation so far (record-format messages: role/content/tool_calls with
``arguments`` as an object, role ``tool`` with ``tool_call_id``) and the tool definitions, and
returns one assistant turn. The agent loop executes its tool calls in the sandbox and calls it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from agentic_pipeline.llm.usage import Usage

if TYPE_CHECKING:
    from agentic_pipeline.tasks.base import Task


@dataclass
class MalformedCall:
    """A tool call the model emitted that can't be executed as is (bad JSON, unknown tool, schema)."""

    call_id: str
    name: str
    raw_arguments: str
    reason: str


@dataclass
class PolicyResponse:
    """One assistant turn in record format, plus what it cost.

    ``message`` is ``{"role": "assistant", "content": str | None, "tool_calls": [...]?, "reasoning": str?}``
    with every tool call's ``arguments`` already a dict. Calls that could not be parsed are in
    ``malformed``: the loop answers each with an error observation so the model can correct itself.
    """

    message: dict[str, Any]
    usage: Usage = field(default_factory=Usage)
    malformed: list[MalformedCall] = field(default_factory=list)


class Policy(Protocol):
    """``name`` goes into ``metadata.teacher`` (``oracle``, ``anthropic:MODEL``, ``openai:MODEL``)."""

    name: str

    async def act(
        self, messages: list[dict[str, Any]], tools: list[dict[str, Any]], task: Task
    ) -> PolicyResponse:
        """Return the next assistant turn. LLM policies ignore ``task``; the oracle reads its solution."""
        ...
