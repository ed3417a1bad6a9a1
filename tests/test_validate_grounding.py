"""The grounding check: each rule flags a planted reference to something never shown, and what the
episode did show (or what needs no showing) is never flagged. Records are built here in the record
format, as the agent loop writes them."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner
from validate_helpers import run, write_records

from agentic_pipeline import grounding
from agentic_pipeline.cli import app
from agentic_pipeline.curate import write_fixed
from agentic_pipeline.records import parse_record
from agentic_pipeline.tools import TOOL_SPECS

SYSTEM = "You are a software engineering agent in a sandbox. Act with the tools; finish when done."
TASK = "The tests of the shop project fail: run `python -m pytest -q tests` and fix shop/cart.py."

CART = '''"""A shopping cart."""

from shop.prices import unit_price

TAX_RATE = 0.2


class Cart:
    def __init__(self):
        self._items = {}

    def add(self, sku, qty=1):
        self._items[sku] = self._items.get(sku, 0) + qty

    def total(self):
        return sum(unit_price(sku) * qty for sku, qty in self._items.items())
'''

FAILURE = """...F
=================================== FAILURES ===================================
_____________________________ test_total_with_tax ______________________________

    def test_total_with_tax():
        cart = Cart()
        cart.add("apple", 2)
>       assert cart.total_with_tax() == 12.0
E       AttributeError: 'Cart' object has no attribute 'total_with_tax'

tests/test_cart.py:14: AttributeError
=========================== short test summary info ============================
FAILED tests/test_cart.py::test_total_with_tax - AttributeError: 'Cart' object has no attri...
1 failed, 3 passed in 0.05s
[exit code: 1]"""

PASSED = "....\n4 passed in 0.04s\n[exit code: 0]"
TESTS = "python -m pytest -q tests"


def listing(text: str, start: int = 1) -> str:
    """A read_file observation: the lines numbered ``cat -n`` style."""
    return "\n".join(f"{n:>6}\t{line}" for n, line in enumerate(text.splitlines(), start))


class Episode:
    """Builds a record's messages: the task, then actions with their observations."""

    def __init__(self, task: str = TASK) -> None:
        self.messages: list[dict] = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": task}]
        self.calls = 0

    def act(self, thought: str, tool: str, observation: str, **arguments) -> Episode:
        self.calls += 1
        call_id = f"call_{self.calls}"
        call = {"id": call_id, "type": "function", "function": {"name": tool, "arguments": arguments}}
        self.messages.append({"role": "assistant", "content": thought, "tool_calls": [call]})
        self.messages.append({"role": "tool", "tool_call_id": call_id, "name": tool, "content": observation})
        return self

    def user(self, text: str) -> Episode:
        self.messages.append({"role": "user", "content": text})
        return self

    def say(self, text: str) -> Episode:
        self.messages.append({"role": "assistant", "content": text})
        return self

    def explored(self) -> Episode:
        """The usual opening: the failing run, then the file read."""
        self.act("Running the tests first.", "bash", FAILURE, command=TESTS)
        return self.act("Reading the cart.", "read_file", listing(CART), path="shop/cart.py")

    def edit(
        self, new_str: str, old_str: str = "    def total(self):\n", path: str = "shop/cart.py"
    ) -> Episode:
        return self.act(
            "Adding it.", "edit_file", f"Edited {path}", path=path, old_str=old_str, new_str=new_str
        )

    def record(self, final: str = "Done: the tests pass.", rid: str = "traj-1") -> dict:
        if self.messages[-1]["role"] != "assistant" or self.messages[-1].get("tool_calls"):
            self.say(final)
        return {
            "id": rid,
            "kind": "trajectory",
            "category": "debugging",
            "tools": TOOL_SPECS,
            "messages": self.messages,
            "outcome": {"verified": True, "verifier": "tests", "detail": "4 passed"},
            "metadata": {"teacher": "test"},
        }


def refs(record: dict) -> list[grounding.Ungrounded]:
    found = grounding.check(parse_record(record))
    assert found is not None
    return found


def flagged(record: dict) -> set[tuple[str, str]]:
    return {(r.kind, r.ref) for r in refs(record)}


def with_method(body: str) -> str:
    """An edit's new_str: a new method before ``total``."""
    return f"    def total_with_tax(self):\n{body}\n\n    def total(self):\n"


# --- each rule flags what was never shown ---------------------------------------------------------------


def test_a_clean_episode_has_no_finding():
    ep = Episode().explored()
    ep.edit(with_method("        return self.total() * (1 + TAX_RATE)"))
    ep.act("Checking.", "bash", PASSED, command=TESTS)
    record = ep.record("Added `Cart.total_with_tax`; `test_total_with_tax` passes (4 passed).")
    assert refs(record) == []


def test_an_edit_calling_a_helper_never_seen_is_flagged():
    ep = Episode().explored()
    ep.edit(with_method("        return round_cents(self.total() * (1 + TAX_RATE))"))
    [ref] = refs(ep.record())
    assert (ref.kind, ref.ref, ref.message) == ("name", "round_cents", 6)
    assert str(ref) == "message 6: name `round_cents` (edit_file shop/cart.py)"


def test_a_self_attribute_never_shown_is_flagged():
    ep = Episode().explored()
    ep.edit(with_method("        return self.total() * (1 + TAX_RATE) - self._discount"))
    assert flagged(ep.record()) == {("attribute", "self._discount")}


def test_an_attribute_of_a_project_name_never_shown_is_flagged():
    ep = Episode().explored()
    ep.edit(with_method("        return Cart.rounding(self.total())"))
    assert flagged(ep.record()) == {("attribute", "Cart.rounding")}


def test_an_import_of_a_project_module_never_seen_is_flagged():
    ep = Episode().explored()
    code = (
        "from shop.rounding import round_half_up\n\n\ndef gross(net):\n    return round_half_up(net * 1.2)\n"
    )
    ep.act("A helper module.", "write_file", "Created shop/gross.py", path="shop/gross.py", content=code)
    # the name it binds is not reported a second time where it is used
    assert flagged(ep.record()) == {("import", "shop.rounding")}


def test_a_name_imported_from_a_seen_project_module_must_be_seen_too():
    ep = Episode().explored()
    code = "from shop.prices import unit_price, bulk_discount\n\n\ndef f(sku):\n    return unit_price(sku)\n"
    ep.act("A helper module.", "write_file", "Created shop/gross.py", path="shop/gross.py", content=code)
    assert flagged(ep.record()) == {("import", "from shop.prices import bulk_discount")}


def test_a_line_number_never_shown_is_flagged():
    ep = Episode().explored()
    ep.say("The bug is on line 42 of shop/cart.py, and shop/cart.py:99 too.")
    ep.user("Fix it then.")
    assert flagged(ep.record()) == {("line", "line 42"), ("line", "shop/cart.py:99")}


def test_a_quoted_error_never_seen_is_flagged():
    ep = Episode().explored()
    ep.say("The first error is `KeyError: 'apple'`.")
    ep.user("And then?")
    assert flagged(ep.record()) == {("error", "KeyError: 'apple'")}


def test_a_test_name_never_seen_is_flagged():
    ep = Episode().explored()
    ep.edit(with_method("        return self.total() * (1 + TAX_RATE)"))
    ep.act("Checking.", "bash", PASSED, command=TESTS)
    assert flagged(ep.record("`test_empty_cart` passes now.")) == {("test", "test_empty_cart")}


def test_an_edit_of_a_path_never_seen_is_flagged():
    ep = Episode().explored()
    ep.edit("TAX_RATE = 0.25\n", old_str="TAX_RATE = 0.2\n", path="shop/checkout.py")
    assert flagged(ep.record()) == {("path", "shop/checkout.py")}


def test_a_read_of_a_path_never_named_is_flagged_but_not_a_conventional_root_file():
    ep = Episode().act("Running the tests first.", "bash", FAILURE, command=TESTS)
    ep.act("Project notes.", "read_file", listing("# shop"), path="README.md")
    ep.act("Guessing the module.", "read_file", listing(CART), path="shop/basket.py")
    assert flagged(ep.record()) == {("path", "shop/basket.py")}


def test_old_str_never_shown_is_flagged():
    ep = Episode().act("Running the tests first.", "bash", FAILURE, command=TESTS)
    ep.edit("    def total(self, tax=0):\n", old_str="    def total(self, currency):\n")
    [ref] = refs(ep.record())
    assert (ref.kind, ref.ref) == ("old_str", "def total(self, currency):")


def test_an_unparsable_fragment_falls_back_to_tokens():
    ep = Episode().explored()
    new = "        else:\n            return fallback_total(self, MAX_ITEMS)\n"
    ep.edit(new, old_str="        return sum(unit_price(sku) * qty for sku, qty in self._items.items())\n")
    assert {r for _, r in flagged(ep.record())} >= {"fallback_total", "MAX_ITEMS"}


def test_the_finding_lists_the_first_few_and_counts_the_rest():
    ep = Episode().explored()
    body = "        return " + " + ".join(f"helper_{n}()" for n in range(8))
    ep.edit(with_method(body))
    found = refs(ep.record())
    message = grounding.describe(found)
    assert message.startswith("8 reference(s) to things not shown before the turn, in 1 turn(s): ")
    assert "message 6: name `helper_0`" in message and "helper_5" not in message
    assert message.endswith("; and 3 more")


# --- what was shown, or needs no showing, is never flagged ---------------------------------------------


def test_names_shown_by_read_file_are_grounded():
    ep = Episode().explored()
    ep.edit(with_method("        return sum(unit_price(s) for s in self._items) * (1 + TAX_RATE)"))
    assert refs(ep.record()) == []


def test_names_in_a_traceback_are_grounded():
    trace = (
        'Traceback (most recent call last):\n  File "/workspace/shop/prices.py", line 7, in unit_price\n'
        "    return apply_discount(PRICES[sku])\nKeyError: 'pear'\n[exit code: 1]"
    )
    ep = Episode().act("Running it.", "bash", trace, command="python -m shop.cli")
    ep.act("Reading the cart.", "read_file", listing(CART), path="shop/cart.py")
    ep.edit(with_method("        return apply_discount(PRICES.get('pear', 0))"))
    ep.say("`KeyError: 'pear'` came from shop/prices.py line 7.")
    ep.user("Thanks.")
    assert refs(ep.record()) == []


def test_names_in_the_task_text_are_grounded():
    ep = Episode("Add `Cart.total_with_tax` to shop/cart.py using the `VAT_TABLE` constant of shop/vat.py.")
    ep.act("Reading the cart.", "read_file", listing(CART), path="shop/cart.py")
    ep.edit(with_method("        return self.total() * VAT_TABLE['default']"))
    assert refs(ep.record()) == []


def test_locals_parameters_comprehensions_and_bindings_are_not_references():
    code = '''"""Stats."""


def summarize(rows, *extra, scale=1, **options):
    total = 0
    for index, (name, value) in enumerate(rows):
        total += value * scale
    squares = [v * v for _, v in rows if v]
    lookup = {k: v for k, v in rows}
    pick = lambda row: row[1]
    if (n := len(rows)) > 0:
        total /= n
    try:
        first = rows[0]
    except IndexError as error:
        first = error
    with open("out.txt") as handle:
        handle.write(str(total))
    match options:
        case {"mode": mode, **rest}:
            total = (mode, rest)
    return total, squares, lookup, pick, first, extra
'''
    ep = Episode().explored()
    ep.act("A stats module.", "write_file", "Created shop/stats.py", path="shop/stats.py", content=code)
    assert refs(ep.record()) == []


def test_builtins_stdlib_dunders_keywords_and_strings_are_not_references():
    code = """import json
import os.path
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Report(Exception):
    counts: Counter = field(default_factory=Counter)

    def __init__(self, *args):
        super().__init__(*args)
        self.name = self.__class__.__name__

    def dump(self, folder):
        path = os.path.join(folder, "report.json")
        text = json.dumps({"counts": dict(self.counts)}, indent=2, sort_keys=True)
        print("call missing_helper() and self.missing_attr here", file=open(path, "w"))
        return sorted(self.counts), len(text), isinstance(text, str), __name__, __file__
"""
    ep = Episode().explored()
    ep.act("A report module.", "write_file", "Created shop/report.py", path="shop/report.py", content=code)
    assert refs(ep.record()) == []


def test_names_defined_earlier_in_the_same_write_are_not_references():
    code = """LIMIT = 3


class Basket:
    def __init__(self):
        self._items = []

    def add(self, item):
        if len(self._items) >= LIMIT:
            raise OverflowError(describe(self._items))
        self._items.append(item)
        return self.count()

    def count(self):
        return len(self._items)


def describe(items):
    return ", ".join(map(str, items))
"""
    ep = Episode().explored()
    ep.act("A basket.", "write_file", "Created shop/basket.py", path="shop/basket.py", content=code)
    assert refs(ep.record()) == []


def test_what_the_assistant_wrote_in_an_earlier_turn_is_grounded():
    util = "def normalize_sku(sku):\n    return sku.strip().lower()\n"
    ep = Episode().explored()
    ep.act("A helper.", "write_file", "Created shop/util.py", path="shop/util.py", content=util)
    ep.edit(
        "    def add(self, sku, qty=1):\n        sku = normalize_sku(sku)\n",
        old_str="    def add(self, sku, qty=1):\n",
    )
    ep.edit("from shop.util import normalize_sku\n", old_str="from shop.prices import unit_price\n")
    ep.act("Reading it back.", "read_file", listing(util), path="shop/util.py")
    assert refs(ep.record()) == []


def test_attributes_of_local_objects_and_the_stdlib_are_not_checked():
    ep = Episode().explored()
    body = "        other = Cart()\n        other.merge_from(self)\n        return os.path.sep.join(other.labels)"
    ep.edit(with_method(body))
    assert refs(ep.record()) == []


def test_inherited_test_case_methods_are_not_flagged():
    code = """import unittest

from shop.cart import Cart


class CartTest(unittest.TestCase):
    def setUp(self):
        self.cart = Cart()

    def test_empty(self):
        self.assertEqual(self.cart.total(), 0)
        with self.assertRaises(TypeError):
            self.cart.add()
"""
    ep = Episode().explored()
    ep.act("A test.", "write_file", "Created tests/test_empty.py", path="tests/test_empty.py", content=code)
    assert refs(ep.record("Added `test_empty` in tests/test_empty.py.")) == []


def test_a_test_named_by_the_turn_that_writes_it_is_grounded():
    ep = Episode().explored()
    code = "from shop.cart import Cart\n\n\ndef test_empty_cart():\n    assert Cart().total() == 0\n"
    ep.act(
        "Adding `test_empty_cart`.",
        "write_file",
        "Created tests/test_more.py",
        path="tests/test_more.py",
        content=code,
    )
    assert refs(ep.record()) == []


def test_shown_lines_errors_and_tests_are_grounded():
    ep = Episode().explored()
    ep.say(
        "`test_total_with_tax` fails at tests/test_cart.py:14 with `AttributeError: 'Cart' object has no "
        "attribute 'total_with_tax'`; lines 15-16 hold `total`, line 5 the rate. "
        "\"E   AttributeError:   'Cart' object has no attri...\" is the short form."
    )
    ep.user("Go on.")
    assert refs(ep.record()) == []


def test_paths_named_by_a_listing_are_grounded():
    ep = Episode("The shop tests fail (`python -m pytest -q tests`); fix it.")
    ep.act("The layout.", "bash", "shop/__init__.py\nshop/prices.py\n[exit code: 0]", command="find shop")
    ep.act("Files of the package.", "bash", "__init__.py\ncart.py\n[exit code: 0]", command="ls shop")
    ep.act("Reading the prices.", "read_file", listing("PRICES = {}"), path="shop/prices.py")
    ep.act("Reading the cart.", "read_file", listing(CART), path="./shop/cart.py")
    ep.edit(with_method("        return self.total() * (1 + TAX_RATE)"), path="/workspace/shop/cart.py")
    assert refs(ep.record()) == []


def test_a_successful_command_grounds_what_it_names_a_failed_one_does_not():
    ep = Episode("The shop tests fail (`python -m pytest -q tests`); fix it.")
    ep.act("Is there a basket?", "bash", "[exit code: 1]", command="test -f shop/basket.py")
    ep.act(
        "Try the cart.",
        "bash",
        "15:    def total(self):\n[exit code: 0]",
        command="grep -n 'def total' shop/cart.py",
    )
    ep.act("Reading it.", "read_file", listing(CART), path="shop/cart.py")
    ep.act("And the basket.", "read_file", "shop/basket.py: no such file", path="shop/basket.py")
    assert flagged(ep.record()) == {("path", "shop/basket.py")}


def test_attributes_of_lowercase_outside_names_are_not_checked_in_fragments():
    ep = Episode().explored()
    # `sku` and `qty` are parameters of the method around the fragment, shown by the read
    new = "        return self._items.get(sku.strip().lower(), qty.real)\n"
    ep.edit(new, old_str="        self._items[sku] = self._items.get(sku, 0) + qty\n")
    assert refs(ep.record()) == []


def test_a_non_python_edit_has_no_name_check():
    ep = Episode("Document `make check` in README.md.")
    ep.act("Reading it.", "read_file", listing("# shop\n"), path="README.md")
    ep.edit(
        "# shop\n\nRun make_everything_green() with `make check`.\n", old_str="# shop\n", path="README.md"
    )
    assert refs(ep.record()) == []


def test_a_reference_is_reported_once_per_record():
    ep = Episode().explored()
    ep.edit(with_method("        return round_cents(self.total())"))
    ep.edit("    def net(self):\n        return round_cents(self.total())\n\n    def total(self):\n")
    assert [r.ref for r in refs(ep.record())] == ["round_cents"]


def test_which_records_are_checked():
    conversation = Episode().explored().record()
    conversation.update(kind="conversation", category="coding_sessions", id="sess-1")
    del conversation["outcome"]
    assert grounding.check(parse_record(conversation)) == []
    reasoning = {
        "id": "r-1",
        "kind": "reasoning",
        "category": "problem_solving",
        "messages": [
            {"role": "user", "content": f"Why does this fail?\n\n```\n{FAILURE}\n```"},
            {"role": "assistant", "content": "`test_total_with_tax` fails; `test_checkout` too, line 14."},
        ],
    }
    assert flagged(reasoning) == {("test", "test_checkout")}
    domain = {"id": "d-1", "kind": "domain", "category": "k8s", "messages": reasoning["messages"]}
    assert grounding.check(parse_record(domain)) is None  # knowledge answers without tool calls
    pair = {
        "id": "p-1",
        "kind": "preference",
        "category": "code_quality",
        "prompt": [{"role": "user", "content": "Write it."}],
        "chosen": [{"role": "assistant", "content": "`helper()` on line 9"}],
        "rejected": [{"role": "assistant", "content": "no"}],
    }
    assert grounding.check(parse_record(pair)) is None


@pytest.mark.parametrize(
    "fragment",
    [
        '    """\n    if "t" in mode:\n        return Cart(mode)\n    return None\n',  # the tail of a docstring
        "            x = Cart()\n        return x\n",  # starts deeper than it ends
        "        if self._items:  # non-empty\n",  # a block header with no body
        "    except KeyError:\n        return Cart()\n",  # a handler without its try
    ],
)
def test_edit_fragments_are_parsed(fragment):
    assert grounding._parse(fragment) is not None


# --- through the validator and the CLI -------------------------------------------------------------------


def _dataset(tmp_path):
    clean = Episode().explored()
    clean.edit(with_method("        return self.total() * (1 + TAX_RATE)"))
    clean.act("Checking.", "bash", PASSED, command=TESTS)
    dirty = Episode().explored()
    dirty.edit(with_method("        return round_cents(self.total()) + self._discount"))
    dirty.act("Checking.", "bash", PASSED, command=TESTS)
    records = [clean.record(rid="traj-clean"), dirty.record("Fixed it, see line 77.", rid="traj-dirty")]
    write_records(tmp_path, records)
    return tmp_path


def test_the_validator_reports_file_line_and_the_rate(tmp_path):
    data = _dataset(tmp_path / "data")
    report = run(data, near_dup=False)
    [finding] = [f for f in report.findings if f.check == "grounding"]
    assert (finding.where(), finding.id, finding.severity) == (
        "trajectories/debugging_tasks.jsonl:2",
        "traj-dirty",
        "warning",
    )
    assert "message 6: name `round_cents`" in finding.message and "line `line 77`" in finding.message
    assert report.errors == 0
    summary = report.summary["grounding"]
    assert (summary["checked"], summary["grounded"], summary["rate"]) == (2, 1, 0.5)
    assert summary["by_kind"] == {"trajectory": {"checked": 2, "grounded": 1, "rate": 0.5}}
    assert summary["ungrounded_references"] == {"attribute": 1, "line": 1, "name": 1}
    assert write_fixed(report, data, tmp_path / "kept")["dropped"] == 0  # a warning drops nothing
    strict = run(data, near_dup=False, strict_grounding=True)
    assert [f.severity for f in strict.findings if f.check == "grounding"] == ["error"]
    assert strict.summary["grounding"]["severity"] == "error"
    assert write_fixed(strict, data, tmp_path / "fixed") == {"kept": 1, "dropped": 1, "redacted": 0}
    [rejected] = [json.loads(line) for line in (tmp_path / "fixed/rejected/grounding.jsonl").open()]
    assert rejected["record"]["id"] == "traj-dirty"


def test_agentic_validate_warns_and_strict_grounding_fails(tmp_path):
    data = _dataset(tmp_path / "data")
    args = ["validate", "--data-dir", str(data), "--no-near-dup", "--workers", "1"]
    result = CliRunner().invoke(app, [*args, "--report", str(tmp_path / "r.json")], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    assert "trajectories/debugging_tasks.jsonl:2 grounding 3 reference(s)" in result.output
    assert "grounding: 1/2 checked records (50.0%)" in result.output
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["summary"]["grounding"]["rate"] == 0.5
    assert [f["severity"] for f in report["findings"]] == ["warning"]
    strict = CliRunner().invoke(app, [*args, "--strict-grounding"], env={"COLUMNS": "400"})
    assert strict.exit_code == 1, strict.output
    assert "1 errors" in strict.output
