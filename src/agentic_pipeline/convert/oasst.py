"""Rebuild conversations, and preference pairs, from OASST message trees.

Two layouts hold the same trees: the message *table* (one message per row, linked by ``parent_id``:
the ``OpenAssistant/oasst1`` and ``oasst2`` datasets) and the *tree export* (one tree per line, each
message with its ``replies``: the ``*.trees.jsonl`` files). Both become trees of :class:`Node`
(deleted messages left out with everything below them, siblings best-ranked first: ``rank`` 0 is
the best, unranked replies come after ranked ones) and go through :func:`walk`.

Which replies become training conversations (``--oasst-paths``):

``top`` (the default): from the root prompt, follow the best-ranked reply (and the first answered
follow-up prompt) until a message has no reply, and cut a trailing unanswered prompt. One conversation per tree; the other branches are
dropped, and counted.

``all``: one conversation per root-to-leaf path: for every assistant reply with no assistant reply
below it, the path from the root to that reply. Every reply is then trained, in the context it was
written in, by the fewest records that cover them all. (The alternative, one record per reply
holding that reply's own prefix, trains the same replies but repeats each earlier reply once per
reply below it, because a record's loss covers all its assistant turns; a root-to-leaf path
repeats a shared reply only once per leaf below it.) Lower-ranked replies train too: OASST ranks
rate siblings against each other, and all of them passed review.

Preference pairs (``--oasst-preferences``): for each prompt whose replies annotators ranked, the
best-ranked reply (chosen) against each lower-ranked sibling (rejected), the conversation up to that
prompt being the pair's prompt: n ranked replies give n - 1 pairs. Pairs between two lower-ranked
replies are not made (the low end of a ranking is its noisiest part), nor pairs with an unranked
reply.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agentic_pipeline.convert.formats import Converted, Reject, oasst_path_end, oasst_rank, oasst_turn

PATH_CHOICES = ("top", "all")
MAX_DEPTH = 200  # deeper than any real OASST tree; keeps the recursive walk far from Python's limit

# Counts per file (summed over trees), as the summary reports them.
REPLIES = "replies"  # assistant messages in the input, deleted ones included
DELETED = "deleted"  # assistant messages deleted, or below a deleted (or parentless) message
TOP = "top"  # replies on the best-ranked paths (what --oasst-paths top trains)
ALL = "all"  # replies on some root-to-leaf path (what --oasst-paths all trains)
KEPT = "kept"  # replies in a written conversation, for the paths chosen
GROUPS = "groups"  # prompts with two or more ranked replies
PAIRS = "pairs"  # preference pairs those give (best-ranked against each lower-ranked sibling)
PAIRS_KEPT = "pairs_kept"  # pairs written (with --oasst-preferences)


@dataclass(slots=True)
class Row:
    line: int
    obj: dict[str, Any]


@dataclass(slots=True)
class Node:
    obj: dict[str, Any]
    line: int
    key: str  # the message_id, or the position ("0.2.1") in a tree export without ids
    kids: list[Node] = field(default_factory=list)


@dataclass(slots=True)
class Conversation:
    """One record from a tree: an SFT conversation or a preference pair, with where it came from."""

    conv: Converted
    key: str  # what tells it apart from the tree's other records (its last message; or the pair)
    replies: list[str]  # keys of the assistant messages it trains (SFT)
    meta: dict[str, Any]
    top: bool = False


@dataclass
class TreeOut:
    sft: list[Conversation] = field(default_factory=list)
    pairs: list[Conversation] = field(default_factory=list)
    problems: list[tuple[Node, str]] = field(default_factory=list)  # messages that could not be read
    counts: Counter[str] = field(default_factory=Counter)


def _reply(obj: dict[str, Any]) -> bool:
    return obj.get("role") == "assistant"


def _ranked(obj: dict[str, Any]) -> bool:
    return oasst_rank(obj)[0] == 0


def _sort(node: Node) -> None:
    node.kids.sort(key=lambda n: oasst_rank(n.obj))


def _next(node: Node) -> Node | None:
    """The best-ranked reply; among follow-up prompts (never ranked), the first that was answered."""
    for kid in node.kids:
        if _reply(kid.obj) or kid.kids:
            return kid
    return node.kids[0] if node.kids else None


# --- the two layouts ---------------------------------------------------------------------------


def _count_replies(obj: dict[str, Any], depth: int = 0) -> int:
    replies = obj.get("replies") if depth < MAX_DEPTH else None
    below = (
        sum(_count_replies(r, depth + 1) for r in replies if isinstance(r, dict))
        if isinstance(replies, list)
        else 0
    )
    return _reply(obj) + below


def tree_from_export(obj: dict[str, Any], line: int, counts: Counter[str]) -> Node:
    """The tree of one tree-export object (``{"prompt": {..., "replies": [...]}}``)."""
    total = _count_replies(obj["prompt"])
    counts[REPLIES] += total

    def build(d: dict[str, Any], key: str, depth: int) -> Node | None:
        if d.get("deleted") is True:
            counts[DELETED] += _count_replies(d)
            return None
        if depth > MAX_DEPTH:
            raise Reject(f"OASST tree deeper than {MAX_DEPTH} messages")
        mid = d.get("message_id")
        node = Node(d, line, mid if isinstance(mid, str) and mid else key)
        replies = d.get("replies") or []
        if not isinstance(replies, list):
            raise Reject(f"message {node.key}: 'replies' must be a list, got {type(replies).__name__}")
        for i, reply in enumerate(replies):
            if isinstance(reply, dict):
                kid = build(reply, f"{key}.{i}", depth + 1)
                if kid is not None:
                    node.kids.append(kid)
        _sort(node)
        return node

    root = build(obj["prompt"], "0", 0)
    if root is None:
        raise Reject("the tree's prompt is deleted")
    return root


def trees_from_table(rows: list[Row], counts: Counter[str]) -> tuple[list[Node], list[tuple[Row, str]]]:
    """The trees of a message table, and the rows that belong to no tree (with the reason)."""
    nodes: dict[str, Node] = {}
    children: dict[str, list[Node]] = {}
    roots: list[Node] = []
    orphans: list[tuple[Row, str]] = []
    ids = set()
    for row in rows:
        mid = row.obj.get("message_id")
        if not isinstance(mid, str) or not mid:
            orphans.append((row, "OASST row without a message_id"))
            continue
        ids.add(mid)
        counts[REPLIES] += _reply(row.obj)
        if row.obj.get("deleted") is True:
            continue
        node = nodes[mid] = Node(row.obj, row.line, mid)
        parent = row.obj.get("parent_id")
        if parent is None or parent == "":
            roots.append(node)
        else:
            children.setdefault(str(parent), []).append(node)
    reached = 0
    for parent, kids in children.items():
        if parent not in ids:
            orphans.extend(
                (Row(kid.line, kid.obj), f"parent message {parent} is not in the file") for kid in kids
            )
        elif parent in nodes:
            nodes[parent].kids.extend(kids)
    stack = list(roots)
    while stack:  # what the roots reach; the rest is below a deleted or parentless message
        node = stack.pop()
        reached += _reply(node.obj)
        _sort(node)
        stack.extend(node.kids)
    counts[DELETED] += counts[REPLIES] - reached
    return roots, orphans


# --- one tree ----------------------------------------------------------------------------------


def walk(
    root: Node, paths: str, preferences: bool, notes: list[str], where: Callable[[Node], str]
) -> TreeOut:
    """The conversations of one tree for ``paths`` (top or all), its pairs when ``preferences``, the
    messages that could not be read, and the counts for both choices (the summary reports them)."""
    out = TreeOut()
    turns: dict[int, dict[str, Any] | None] = {}
    # A message that can't be read is reported where the chosen output needed it: with the default
    # (top, no pairs) a broken message on another branch costs nothing written, only the counts.
    report = [True]

    def turn(node: Node) -> dict[str, Any] | None:
        k = id(node)
        if k not in turns:
            try:
                turns[k] = oasst_turn(node.obj, where(node), notes)
            except Reject as exc:
                turns[k] = None
                if report[0]:
                    out.problems.append((node, str(exc)))
        return turns[k]

    # The best-ranked path.
    path: list[dict[str, Any]] = []
    nodes: list[Node] = []
    node: Node | None = root
    while node is not None:
        t = turn(node)
        if t is None:
            break
        path.append(t)
        nodes.append(node)
        node = _next(node)
    top: Conversation | None = None
    if node is None:  # every message on the path could be read
        while nodes and not _reply(nodes[-1].obj):
            nodes.pop()
        try:
            messages = oasst_path_end(path[: len(nodes)])
            replies = [n.key for n in nodes if _reply(n.obj)]
            top = Conversation(Converted(messages=messages), nodes[-1].key, replies, {}, top=True)
            out.counts[TOP] += len(replies)
        except Reject as exc:
            if paths == "top":
                out.problems.append((root, str(exc)))

    # Every root-to-leaf path, and the ranked siblings.
    report[0] = paths == "all" or preferences
    leaves: list[Conversation] = []
    path, nodes = [], []

    def visit(node: Node) -> bool:
        if len(path) >= MAX_DEPTH:  # a table can chain rows deeper than any real tree
            if report[0]:
                out.problems.append((node, f"OASST tree deeper than {MAX_DEPTH} messages: cut here"))
            return False
        t = turn(node)
        if t is None:
            return False
        path.append(t)
        nodes.append(node)
        emitted = False
        for kid in node.kids:
            emitted = visit(kid) or emitted
        if not emitted and t["role"] == "assistant":
            replies = [n.key for n in nodes if _reply(n.obj)]
            leaves.append(Conversation(Converted(messages=list(path)), node.key, replies, {}))
            emitted = True
        elif t["role"] == "user":
            _pairs(node, path, turn, out, preferences)
        path.pop()
        nodes.pop()
        return emitted

    visit(root)
    out.counts[ALL] += len({k for c in leaves for k in c.replies})
    if paths == "top":
        out.sft = [top] if top is not None else []
    else:
        if not leaves and turns.get(id(root)) is not None:
            out.problems.append((root, "OASST tree has no assistant reply"))
        out.sft = leaves
    return out


def _pairs(
    prompt_node: Node,
    path: list[dict[str, Any]],
    turn: Callable[[Node], dict[str, Any] | None],
    out: TreeOut,
    preferences: bool,
) -> None:
    ranked = [k for k in prompt_node.kids if _reply(k.obj) and _ranked(k.obj)]
    if len(ranked) < 2:
        return
    best, rank = ranked[0], oasst_rank(ranked[0].obj)[1]
    worse = [k for k in ranked[1:] if oasst_rank(k.obj)[1] > rank]
    if not worse:
        return
    out.counts[GROUPS] += 1
    out.counts[PAIRS] += len(worse)
    if not preferences:
        return
    chosen = turn(best)
    if chosen is None:
        return
    for other in worse:
        rejected = turn(other)
        if rejected is None:
            continue
        other_rank = oasst_rank(other.obj)[1]
        meta = {
            "evidence": {
                "kind": "source_label",
                "detail": f"OASST annotators ranked the chosen reply {_num(rank)} and the rejected "
                f"{_num(other_rank)} among {len(ranked)} ranked replies (0 is the best)",
            },
            "chosen_message_id": best.key,
            "rejected_message_id": other.key,
        }
        conv = Converted(prompt=list(path), chosen=[chosen], rejected=[rejected])
        out.pairs.append(Conversation(conv, f"{best.key}>{other.key}", [], meta))


def _num(value: float) -> int | float:
    return int(value) if value == int(value) else value
