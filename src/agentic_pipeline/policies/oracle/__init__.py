"""The offline teacher: solves a task from its known solution, through the same tools, on real outputs.

Each solution kind has a plan, written as a generator: it yields one action (a thought and a tool
call), receives the real observation back, and decides the next action from it. The policy is
stateless between calls: on every ``act`` it replays the plan over the observations already in the
conversation, so concurrent episodes share one ``OraclePolicy`` safely.

Thoughts quote only what observations showed (test names, error lines, file and line numbers parsed
from the real output by ``agentic_pipeline.policies.observe``) plus what a careful engineer infers
from code it has just read. Wording varies with a seeded choice per task, seed and step.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from typing import Any

from agentic_pipeline.llm.usage import Usage
from agentic_pipeline.policies.base import PolicyResponse
from agentic_pipeline.policies.oracle.base import Action, Ctx, PlanGen, shown_text
from agentic_pipeline.policies.oracle.coding import plan_implement, plan_implement_many
from agentic_pipeline.policies.oracle.debugging import plan_fix
from agentic_pipeline.policies.oracle.devops import (
    plan_bisect,
    plan_merge,
    plan_patch,
    plan_pins,
    plan_revert,
)
from agentic_pipeline.policies.oracle.refactoring import (
    plan_comprehension,
    plan_dataclass,
    plan_enumerate,
    plan_extract,
    plan_extract_constant,
    plan_fstring,
    plan_rename,
)
from agentic_pipeline.tasks.base import Task

# The oracle's plans, one module per family: debugging.py, coding.py, refactoring.py, devops.py; what
# they share (the context, the look-up before an edit, verify and finish) is base.py.
PLANS: dict[str, Callable[[Ctx], PlanGen]] = {
    "fix": plan_fix,
    "implement": plan_implement,
    "implement_many": plan_implement_many,
    "rename": plan_rename,
    "extract_constant": plan_extract_constant,
    "dataclass": plan_dataclass,
    "extract": plan_extract,
    "comprehension": plan_comprehension,
    "enumerate": plan_enumerate,
    "fstring": plan_fstring,
    "merge": plan_merge,
    "revert": plan_revert,
    "bisect": plan_bisect,
    "patch": plan_patch,
    "pins": plan_pins,
}


def _shows_what_it_edits(c: Ctx, plan: PlanGen) -> PlanGen:
    """Every plan, wrapped: before an ``edit_file`` whose ``old_str`` has lines the episode has not shown
    (a multi-line replacement reaching past what a grep or a read displayed), show those lines first with
    ``grep -n -F``, so the edit never rewrites text the agent has not seen."""
    action = next(plan)
    while True:
        if action.tool == "edit_file":
            text = "\n".join(c.seen)
            hidden = [ln.strip() for ln in str(action.arguments.get("old_str", "")).splitlines()]
            hidden = list(dict.fromkeys(ln for ln in hidden if ln and not shown_text(ln, text)))[:4]
            if hidden:
                patterns = " ".join(f"-e {shlex.quote(ln)}" for ln in hidden)
                yield c.act(
                    c.say(
                        "Before editing, the exact lines as they are now.",
                        "Let me see those lines verbatim first.",
                        "Checking the surrounding lines before I change them.",
                    ),
                    "bash",
                    command=f"grep -n -F {patterns} {shlex.quote(str(action.arguments['path']))}",
                )
        observation = yield action
        try:
            action = plan.send(observation)
        except StopIteration:
            return


# ----------------------------------------------------------------------------- the policy


class OraclePolicy:
    """``oracle``: replays its plan for the task over the conversation's observations."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self.name = "oracle"

    async def act(
        self, messages: list[dict[str, Any]], tools: list[dict[str, Any]], task: Task
    ) -> PolicyResponse:
        plan = PLANS.get(task.solution.kind)
        if plan is None:
            raise ValueError(f"the oracle has no plan for solution kind {task.solution.kind!r}")
        observations = [m.get("content") or "" for m in messages if m["role"] == "tool"]
        step = sum(1 for m in messages if m["role"] == "assistant")
        context = [m.get("content") or "" for m in messages if m["role"] in ("system", "user")]
        ctx = Ctx(task, self.seed, context)
        gen = _shows_what_it_edits(ctx, plan(ctx))
        try:
            action = next(gen)
            for obs in observations[:step]:
                ctx.observe(obs)
                action = gen.send(obs)
        except StopIteration:
            action = Action("Nothing left to do.", "finish", {"summary": "Stopped: the plan is complete."})
        call = {
            "id": f"call_{step + 1}",
            "type": "function",
            "function": {"name": action.tool, "arguments": action.arguments},
        }
        return PolicyResponse(
            message={"role": "assistant", "content": action.thought, "tool_calls": [call]}, usage=Usage()
        )
