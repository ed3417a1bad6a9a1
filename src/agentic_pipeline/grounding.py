"""The ``grounding`` check: an assistant turn refers only to what the episode has shown before it.

The model must never be trained to state what it has not seen. A teacher that knows the answer
(the oracle injected the bug; a large model remembers the standard library's source) easily writes
``self._check_not_closed()`` or "the error is on line 42" without having looked; a model trained on
that learns to invent helpers, attributes and line numbers. This check walks each checked record's
messages in order and, for every assistant turn, asks whether each *reference to something that
already exists* is visible in the context before it.

What counts as visible (the context), by evidence kind:

- **evidence**: the system and user texts, every tool observation (role ``tool``) and the record's
  tool schemas (names, descriptions, parameters);
- **own writes**: what the assistant wrote in earlier calls (``write_file`` content, ``edit_file``
  ``new_str``) and earlier in the same turn, the paths it wrote or edited, the paths it read with a
  ``read_file`` that returned numbered lines, and its ``bash`` commands whose observation ends with
  ``[exit code: 0]`` (a command that succeeded shows that the files and tests it named exist:
  ``grep -n 'def f' pkg/mod.py`` printing ``12:def f`` grounds ``pkg/mod.py``; a failed one shows
  nothing);
- **own prose**: the assistant's earlier texts (``content`` and ``finish`` summaries).

Identifiers are compared as tokens (``[^\\W\\d]\\w*``, case-sensitive): a name is visible when the
same token appears anywhere in the context, in code, output or prose. The same turn's text does not
ground its own calls. ``reasoning`` (extended thinking) is neither checked nor context.

Rules (the ``kind`` of a reference in the finding and in the summary's counts):

``name``
    In Python code the turn writes (``write_file`` content of a ``.py``/``.pyi`` file or a python
    shebang script, ``edit_file`` ``new_str`` in such a file), a name the code READS but does not
    define: a called function, a class, a module-level constant. Context: evidence, own writes, own
    prose, and for an edit the ``old_str`` it replaces. Never flagged: names the same code defines
    anywhere (assignments, ``def``/``class``, parameters, comprehension and loop variables,
    ``except ... as``, ``with ... as``, imports, ``global``/``nonlocal``, match captures; scopes are
    not told apart), builtins (the ``builtins`` module), the standard library's module names
    (``sys.stdlib_module_names``), dunders (``__init__``, ``__name__``), ``self`` and ``cls``.
    Keyword argument names and string contents are not references.
``attribute``
    ``self.x`` / ``cls.x`` read where ``x`` is not assigned (``self.x = ...``) or defined (``def x``,
    a class attribute) in the same code, is not an attribute of a common standard-library base class
    (``object``, exceptions, ``dict``/``list``/``str``, ``unittest.TestCase``, ``threading.Thread``,
    the ``io`` bases, ``logging.Handler``, ``enum.Enum``, ...) and is not visible. Also ``M.x`` where
    ``M`` is a project module the code imports (``from pkg import mod; mod.x``) or an outside name
    the code reads (``Graph.from_edges``: only when ``Graph`` itself is visible, else ``Graph`` is
    the finding; only capitalized names, a class or a constant: a lowercase name read by an edit
    fragment is as likely a parameter or a local of the code around it). NOT checked: attributes of
    local variables and parameters (``x = Foo(); x.bar``, ``node.left``, ``text.strip``): their
    type is undecidable from the text, so they are never flagged; attributes
    of the standard library and builtins (``os.path.join``, ``str.join``); attributes of a call
    (``super().f``) or of an attribute (``self.a.b`` checks ``a`` only).
``import``
    ``import m`` / ``from m import n`` where ``m`` is not in the standard library and one of its
    dotted parts is not visible (a never-seen project module or third-party package), and, for a
    *project* module (its path ``m/`` or ``m.py`` is in the evidence, not behind another ``/``
    except ``/workspace/``; relative imports always), each imported name ``n`` must be visible too.
    The names an import binds count as defined either way, so a use is not reported twice.
``path``
    The path of an ``edit_file`` or a ``read_file`` that never appeared before: not in the evidence
    or own writes as a whole path (``./`` and ``/workspace/`` stripped, bounded so ``a.py`` does not
    match ``data.py``), nor its file name in the evidence (so ``ls pkg`` showing ``util.py`` grounds
    ``pkg/util.py``). Decision for ``read_file``: reading a path the episode never named is a guess
    about the layout and is flagged like an edit; except the conventional files at the workspace
    root (``README.md``, ``setup.py``, ``pyproject.toml``, ``Makefile``, ``requirements.txt``, ...),
    which any engineer probes first. ``write_file`` paths are never flagged (creating a file needs
    no prior sight). Own prose does not ground a path (saying it first is no evidence).
``old_str``
    A non-blank line of an ``edit_file`` ``old_str`` (stripped) that is not a substring of the
    evidence or own writes: the edit quotes text it never saw (a ``read_file`` listing, ``grep``,
    ``cat`` or a traceback that shows the line grounds it). Names in ``new_str`` that also appear in
    ``old_str`` are fine (the unseen line is the finding).
``line``
    A line number cited in assistant text (``line 42``, ``lines 10-12`` (both ends), ``file.py:42``)
    that no evidence showed: a numbered listing (``read_file``/``cat -n``: ``N<tab>``, or ``N`` and
    two spaces at the start of a line, as in pasted code), ``grep -n`` output (``N:`` / ``N-`` at the
    start of a line), ``path:N`` (pytest, tracebacks, compilers), ``line N`` (Python tracebacks), or
    ``lines A-B`` in the evidence text. The number is matched in any file: a number shown for one
    file grounds the same number cited for another (a known leniency).
``error``
    Quoted error text in assistant text: a span in backticks or double quotes that starts with an
    exception name and a message (``ValueError: cost 2 exceeds capacity 1``, pytest's ``E   ...``
    prefix allowed), or a tool's ``error:``/``fatal:``/``panic:`` message, must appear in the
    evidence (whitespace-normalized; ``...``, ``…`` and pytest's ``[N chars]`` split it into
    segments that must each appear). A bare exception name (```AccountError```) is checked as a
    name, except builtin exceptions (```ValueError```: knowledge, not a claim) and dotted names of
    the standard library. Unquoted error text is not checked.
``test``
    A test name (``test_xxx``) cited in assistant text that is not in the evidence or own writes
    (including the same turn's writes: "I'll add ``test_empty``" with the write that adds it).

Which records: ``trajectory``, ``conversation`` and ``reasoning`` records always (reasoning's
evidence is the user text, e.g. pasted code and test output); ``domain`` records only when they
have tool calls (converted instruction data answers from knowledge); ``preference`` records are not
checked. A record's result is ``None`` (not checked) or its list of ungrounded references, each
reported once per record (the first use; after it the assistant's own write grounds later uses).

In ``agentic validate``: one ``grounding`` finding per record with any ungrounded reference, at the
record's file:line, listing the first few with the message index of their turn; a warning, an error
with ``--strict-grounding`` (then ``--fix`` drops the record). The summary's ``grounding`` block
has the rate (records with no finding / records checked), overall and per kind, and the count of
ungrounded references per rule.

Not checked (known gaps): code in ``bash`` commands (heredocs, ``python -c``) and in fenced blocks
of assistant text; non-Python files (shell, YAML, Makefiles, ...) beyond their paths and
``old_str``; names and paths in prose, and paths in ``bash`` commands (probes; only their success
grounds); whether a visible name is the *same* thing (``read`` seen in a sentence grounds
``self.read``; a path named in an error such as ``No such file: x`` grounds ``x``); which file a
line number belongs to. Python code that does not parse (an edit fragment) is retried dedented,
with its enclosing blocks re-opened (``if 1:``), an unfinished docstring cut off, ``pass`` after a
trailing colon and an ``if``/``try`` before a leading ``else``/``except``; if it still does not
parse, a token fallback finds called names, ``self.x`` reads, ALL_CAPS constants and imports, with
definitions found by pattern. Each distinct code string is analysed once (an LRU cache).
"""

from __future__ import annotations

import ast
import builtins
import enum
import io
import json
import keyword
import logging
import re
import sys
import textwrap
import threading
import unittest
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

CHECK = "grounding"
SHOWN_IN_MESSAGE = 5  # references listed in a finding's message

_IDENT = re.compile(r"[^\W\d]\w*")
_BUILTINS = frozenset(dir(builtins))
_STDLIB = frozenset(sys.stdlib_module_names)
_KEYWORDS = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist)
_SELF = frozenset({"self", "cls"})


def _inherited() -> frozenset[str]:
    """Attributes a class gets from the standard-library bases code commonly extends."""
    bases: list[Any] = [
        object,
        BaseException,
        dict,
        list,
        set,
        str,
        bytes,
        int,
        tuple,
        unittest.TestCase,
        threading.Thread,
        io.IOBase,
        io.RawIOBase,
        io.BufferedIOBase,
        io.TextIOBase,
        logging.Handler,
        logging.Formatter,
        logging.Filter,
        json.JSONEncoder,
        json.JSONDecoder,
        enum.Enum,
    ]
    return frozenset(name for base in bases for name in dir(base))


_INHERITED = _inherited()

_PYTHON_SUFFIXES = (".py", ".pyi", ".pyw")
_ROOT_FILES = frozenset(
    {
        "readme",
        "readme.md",
        "readme.rst",
        "readme.txt",
        "setup.py",
        "setup.cfg",
        "pyproject.toml",
        "requirements.txt",
        "requirements-dev.txt",
        "makefile",
        "dockerfile",
        "tox.ini",
        "pytest.ini",
        "conftest.py",
        "noxfile.py",
        "manifest.in",
        "package.json",
        "cargo.toml",
        "go.mod",
        ".gitignore",
        "license",
        "changelog.md",
        "contributing.md",
        ".pre-commit-config.yaml",
    }
)


def _dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


# --- what the context shows ---------------------------------------------------------------------------

# Where evidence shows line numbers (no \b or lookbehind in these: they make a scan of megabytes of
# observations several times slower; the character before a match is checked by hand instead).
_NUMBERED = re.compile(r"^[ \t]*(\d+)(?:\t| {2})|^(\d+)[:-]", re.M)  # listings, pasted code, grep -n
_COLON_NUMBER = re.compile(r":(\d+)\b")  # after a path: pytest, tracebacks, grep -n, compilers
_LINE_WORD = re.compile(r"[Ll]ine(s?) (\d+)(?:\s*-\s*(\d+))?")  # tracebacks; "lines 26-33"
_PATH_CHARS = frozenset("_./-")
_MAX_RANGE = 2000


class _Pool:
    """Texts seen so far; their identifiers, whitespace-normalized text and shown line numbers are
    computed lazily (most records never need some of them) and incrementally."""

    __slots__ = (
        "_flat",
        "_idents",
        "_lines",
        "_n_flat",
        "_n_idents",
        "_n_lines",
        "_n_text",
        "_text",
        "parts",
    )

    def __init__(self) -> None:
        self.parts: list[str] = []
        self._idents: set[str] = set()
        self._lines: set[int] = set()
        self._text = self._flat = ""
        self._n_idents = self._n_lines = self._n_text = self._n_flat = 0

    def add(self, text: str | None) -> None:
        if text:
            self.parts.append(text)

    def idents(self) -> set[str]:
        if self._n_idents < len(self.parts):
            for part in self.parts[self._n_idents :]:
                self._idents.update(_IDENT.findall(part))
            self._n_idents = len(self.parts)
        return self._idents

    def text(self) -> str:
        if self._n_text < len(self.parts):
            self._text = "\n".join([self._text, *self.parts[self._n_text :]])
            self._n_text = len(self.parts)
        return self._text

    def flat(self) -> str:
        if self._n_flat < len(self.parts):
            self._flat = " ".join([self._flat, *(" ".join(p.split()) for p in self.parts[self._n_flat :])])
            self._n_flat = len(self.parts)
        return self._flat

    def lines(self) -> set[int]:
        if self._n_lines < len(self.parts):
            lines = self._lines
            for part in self.parts[self._n_lines :]:
                for m in _NUMBERED.finditer(part):
                    lines.add(int(m.group(1) or m.group(2)))
                for m in _COLON_NUMBER.finditer(part):
                    before = part[m.start() - 1] if m.start() else " "
                    if before.isalnum() or before in _PATH_CHARS:
                        lines.add(int(m.group(1)))
                for m in _LINE_WORD.finditer(part):
                    if m.start() and (part[m.start() - 1].isalnum() or part[m.start() - 1] == "_"):
                        continue
                    first, last = int(m.group(2)), m.group(3)
                    if m.group(1) and last and 0 <= int(last) - first <= _MAX_RANGE:
                        lines.update(range(first, int(last) + 1))
                    else:
                        lines.add(first)
            self._n_lines = len(self.parts)
        return self._lines


# --- what code reads ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _CodeRefs:
    """What one piece of code reads from outside itself (computed once per distinct string)."""

    names: tuple[str, ...]  # read, not defined, not builtin/stdlib/dunder
    self_attrs: tuple[str, ...]  # self.x / cls.x read, not assigned/defined here, not inherited
    # (owner, attr, module): owner an outside name (module "") or bound by a non-stdlib import
    owner_attrs: tuple[tuple[str, str, str], ...]
    imports: tuple[tuple[str, tuple[str, ...], int], ...]  # (module, imported names, level), non-stdlib


def _docstring_cuts(code: str) -> list[str]:
    """An edit fragment that starts or ends inside a docstring: cut the unbalanced part off."""
    if (code.count('"""') + code.count("'''")) % 2 == 0:
        return []
    lines = code.splitlines()
    marks = [i for i, line in enumerate(lines) if '"""' in line or "'''" in line]
    return ["\n".join(lines[marks[0] + 1 :]), "\n".join(lines[: marks[-1]])]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _reopen_blocks(code: str) -> str:
    """Re-open the blocks a fragment starts inside: an ``if 1:`` header for each indentation level up
    to its first line's, so that ``        x = 1\\n    return y`` parses."""
    indents = [_indent(line) for line in code.splitlines() if line.strip()]
    levels = sorted({i for i in indents if 0 < i <= indents[0]})
    headers = [" " * previous + "if 1:" for previous in [0, *levels[:-1]]] if levels else []
    return "\n".join([*headers, code])


_TRAILING_COMMENT = re.compile(r"\s*#[^'\"\n]*$")
_CONTINUATION = re.compile(r"\s*(elif|else|except|finally)\b")


def _candidates(code: str) -> Iterator[str]:
    """The fragment repaired where it is cut: an unfinished docstring cut off (as a second try),
    ``pass`` after a trailing colon, an ``if``/``try`` opened before a leading ``else``/``except``;
    then dedented, or with its enclosing blocks re-opened."""
    for base in [code, *_docstring_cuts(code)]:
        lines = [line for line in base.expandtabs(8).rstrip().splitlines() if line.strip()]
        if not lines:
            continue
        first, last = lines[0], lines[-1]
        if _TRAILING_COMMENT.sub("", last).endswith(":"):
            lines.append(" " * (_indent(last) + 4) + "pass")
        continuation = _CONTINUATION.match(first)
        if continuation:
            header = "try:" if continuation.group(1) in ("except", "finally") else "if 1:"
            pad = " " * _indent(first)
            lines[:0] = [pad + header, pad + "    pass"]
        variant = "\n".join(lines)
        yield textwrap.dedent(variant)
        yield _reopen_blocks(variant)


def _parse(code: str) -> ast.AST | None:
    seen: set[str] = set()
    for candidate in _candidates(code):
        if candidate in seen:
            continue
        seen.add(candidate)
        try:
            return ast.parse(candidate)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
    return None


def _is_stdlib(module: str) -> bool:
    return module.split(".", 1)[0] in _STDLIB


def _from_tree(tree: ast.AST) -> _CodeRefs:
    defined: set[str] = set()
    loads: list[tuple[int, int, str]] = []  # (line, column, name): reported in source order
    stored_self: set[str] = set()
    self_reads: list[tuple[int, int, str]] = []
    attr_reads: list[tuple[int, int, tuple[str, str]]] = []
    imports: list[tuple[str, tuple[str, ...], int]] = []
    aliases: dict[str, str] = {}  # name bound by an import -> its module ("" for stdlib)
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                loads.append((node.lineno, node.col_offset, node.id))
            else:
                defined.add(node.id)
        elif isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name):
                owner, at = node.value.id, (node.lineno, node.col_offset)
                if owner in _SELF:
                    if isinstance(node.ctx, ast.Load):
                        self_reads.append((*at, node.attr))
                    else:
                        stored_self.add(node.attr)
                elif isinstance(node.ctx, ast.Load):
                    attr_reads.append((*at, (owner, node.attr)))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            defined.add(node.name)
        elif isinstance(node, ast.arg):
            defined.add(node.arg)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".", 1)[0]
                defined.add(bound)
                stdlib = _is_stdlib(alias.name)
                aliases[bound] = "" if stdlib else alias.name
                if not stdlib:
                    imports.append((alias.name, (), 0))
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            stdlib = node.level == 0 and _is_stdlib(module)
            for alias in node.names:
                if alias.name != "*":
                    bound = alias.asname or alias.name
                    defined.add(bound)
                    aliases[bound] = "" if stdlib else f"{module}.{alias.name}"
            if not stdlib:
                imports.append((module, tuple(a.name for a in node.names if a.name != "*"), node.level))
        elif isinstance(node, ast.ExceptHandler):
            if node.name:
                defined.add(node.name)
        elif isinstance(node, ast.Global | ast.Nonlocal):
            defined.update(node.names)
        elif isinstance(node, ast.MatchAs | ast.MatchStar):
            if node.name:
                defined.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            defined.add(node.rest)
    return _refs(
        defined,
        [n for *_, n in sorted(loads)],
        stored_self,
        [a for *_, a in sorted(self_reads)],
        [a for *_, a in sorted(attr_reads)],
        imports,
        aliases,
    )


def _outside(name: str, defined: set[str]) -> bool:
    return not (
        name in defined
        or name in _BUILTINS
        or name in _STDLIB
        or name in _SELF
        or name in _KEYWORDS
        or _dunder(name)
    )


def _refs(
    defined: set[str],
    loads: Iterable[str],
    stored_self: set[str],
    self_reads: Iterable[str],
    attr_reads: Iterable[tuple[str, str]],
    imports: list[tuple[str, tuple[str, ...], int]],
    aliases: dict[str, str],
) -> _CodeRefs:
    names = tuple(dict.fromkeys(n for n in loads if _outside(n, defined)))
    self_attrs = tuple(
        dict.fromkeys(
            a for a in self_reads if not (a in stored_self or a in defined or a in _INHERITED or _dunder(a))
        )
    )
    owner_attrs = []
    for owner, attr in attr_reads:
        if _dunder(attr) or owner in _SELF:
            continue
        if owner in defined:
            if aliases.get(owner):  # bound by a non-stdlib import: a module or a class of it
                owner_attrs.append((owner, attr, aliases[owner]))
            continue  # a local object: its type is undecidable
        if _outside(owner, defined) and owner.lstrip("_")[:1].isupper():
            owner_attrs.append((owner, attr, ""))  # a class or constant; a lowercase name may be a
            # parameter or a local of the code around an edit fragment: undecidable
    return _CodeRefs(names, self_attrs, tuple(dict.fromkeys(owner_attrs)), tuple(imports))


# token fallback for code that does not parse
_STRINGS = re.compile(
    r'"""[\s\S]*?(?:"""|$)|\'\'\'[\s\S]*?(?:\'\'\'|$)|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|#[^\n]*'
)
_DEF = re.compile(r"\b(?:def|class)\s+(\w+)")
_PARAMS = re.compile(r"\bdef\s+\w+\s*\(([^)]*)\)|\blambda\b([^:]*):")
_ASSIGN = re.compile(r"((?:[^\W\d]\w*\s*,\s*)*[^\W\d]\w*)\s*(?:[-+*/%&|^@]|//|>>|<<|\*\*)?=(?!=)")
_FOR = re.compile(r"\bfor\s+([\w\s,()]+?)\s+in\b")
_AS = re.compile(r"\bas\s+(\w+)")
_WALRUS = re.compile(r"(\w+)\s*:=")
_IMPORT = re.compile(r"^[ \t]*import\s+([\w., \t]+)", re.M)
_FROM = re.compile(r"^[ \t]*from\s+(\.*)([\w.]*)\s+import\s+\(?([\w, \t]+)", re.M)
_CALL = re.compile(r"(?<![\w.])([^\W\d]\w*)\s*\(")
_SELF_ATTR = re.compile(r"\b(?:self|cls)\.(\w+)(\s*(?:[-+*/%&|^@]|//|>>|<<|\*\*)?=(?!=))?")
_CONSTANT = re.compile(r"(?<![\w.])([A-Z][A-Z0-9_]{2,})\b(?!\s*=(?!=))")


def _from_tokens(code: str) -> _CodeRefs:
    code = _STRINGS.sub(" ", code)
    defined: set[str] = set(_DEF.findall(code))
    for groups in _PARAMS.findall(code):
        for group in groups:
            defined.update(_IDENT.findall(group))
    for pattern in (_ASSIGN, _FOR):
        for group in pattern.findall(code):
            defined.update(_IDENT.findall(group))
    defined.update(_AS.findall(code))
    defined.update(_WALRUS.findall(code))
    imports: list[tuple[str, tuple[str, ...], int]] = []
    aliases: dict[str, str] = {}
    for group in _IMPORT.findall(code):
        for item in group.split(","):
            words = item.split()
            if not words:
                continue
            module = words[0]
            bound = words[-1] if len(words) == 3 and words[1] == "as" else module.split(".", 1)[0]
            defined.add(bound)
            aliases[bound] = "" if _is_stdlib(module) else module
            if not _is_stdlib(module):
                imports.append((module, (), 0))
    for dots, module, names in _FROM.findall(code):
        level = len(dots)
        stdlib = level == 0 and _is_stdlib(module)
        imported = []
        for item in names.split(","):
            words = item.split()
            if not words:
                continue
            imported.append(words[0])
            bound = words[-1] if len(words) == 3 and words[1] == "as" else words[0]
            defined.add(bound)
            aliases[bound] = "" if stdlib else f"{module}.{words[0]}"
        if not stdlib:
            imports.append((module, tuple(imported), level))
    loads = [n for n in _CALL.findall(code)] + _CONSTANT.findall(code)
    stored_self = {m.group(1) for m in _SELF_ATTR.finditer(code) if m.group(2)}
    self_reads = [m.group(1) for m in _SELF_ATTR.finditer(code) if not m.group(2)]
    return _refs(defined, loads, stored_self, self_reads, [], imports, aliases)


@lru_cache(maxsize=4096)
def code_refs(code: str) -> _CodeRefs:
    """What Python ``code`` (a file or an edit fragment) reads from outside itself."""
    tree = _parse(code)
    return _from_tree(tree) if tree is not None else _from_tokens(code)


def is_python(path: str, content: str) -> bool:
    if path.lower().endswith(_PYTHON_SUFFIXES):
        return True
    name = path.rsplit("/", 1)[-1]
    return "." not in name and content.startswith("#!") and "python" in content.split("\n", 1)[0]


# --- what assistant text claims ------------------------------------------------------------------------

_CLAIM_LINES = re.compile(r"\blines?\s+(\d+)(?:\s*(?:-|–|—|to|through)\s*(\d+))?", re.I)
_CLAIM_FILE_LINE = re.compile(
    r"(?<![\w/:.-])(/?(?:[\w.-]+/)*[\w-][\w.-]*\.[A-Za-z]\w{0,5}):(\d+)(?:-(\d+))?\b"
)
_QUOTED = re.compile(r"`([^`\n]+)`|\"([^\"\n]{3,400})\"|“([^”\n]{3,400})”")
_EXC = r"(?:[A-Za-z_]\w*\.)*[A-Z]\w*(?:Error|Exception|Warning|Exit|Interrupt|Failure|Fault)"
_EXC_MESSAGE = re.compile(rf"\s*(?:E\s+)?{_EXC}:\s*\S")
_TOOL_MESSAGE = re.compile(r"\s*(?:error|fatal|panic|ERROR|FATAL|Error)(?:\[\w+\])?:\s*\S")
_BARE_EXC = re.compile(_EXC)
_ELLIPSIS = re.compile(r"\.\.\.|…|\[\d+ chars\]")
_TEST_NAME = re.compile(r"\btest_\w+")


def _line_claims(text: str) -> Iterator[tuple[str, str, str | None]]:
    """Each cited line number or range: the citation as written, the first and the last number."""
    for m in _CLAIM_LINES.finditer(text):
        yield m.group(0), m.group(1), m.group(2)
    for m in _CLAIM_FILE_LINE.finditer(text):
        yield m.group(0), m.group(2), m.group(3)


def _quoted_errors(text: str) -> Iterator[tuple[str, bool]]:
    """Quoted spans that look like error text: (span, is_bare_exception_name)."""
    for m in _QUOTED.finditer(text):
        span = (m.group(1) or m.group(2) or m.group(3) or "").strip()
        if _EXC_MESSAGE.match(span) or _TOOL_MESSAGE.match(span):
            yield span, False
        elif _BARE_EXC.fullmatch(span):
            first = span.split(".", 1)[0]
            if span not in _BUILTINS and not ("." in span and first in _STDLIB):
                yield span, True


def _error_seen(span: str, flat: str) -> bool:
    span = re.sub(r"^E\s+", "", span)
    segments = [s.strip() for s in _ELLIPSIS.split(" ".join(span.split()))]
    segments = [s for s in segments if len(s) >= 3]
    return all(s in flat for s in segments)


# --- one record ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ungrounded:
    message: int  # index of the assistant turn in the record's messages
    kind: str
    ref: str
    where: str = ""

    def __str__(self) -> str:
        where = f" ({self.where})" if self.where else ""
        return f"message {self.message}: {self.kind} `{self.ref}`{where}"


def _clip(text: str, n: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 3] + "..."


def _norm_path(path: str) -> str:
    path = path.strip()
    for prefix in ("/workspace/", "./"):
        while path.startswith(prefix):
            path = path[len(prefix) :]
    return path


@lru_cache(maxsize=4096)
def _path_pattern(path: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w.-])" + re.escape(path) + r"(?![\w-]|\.\w)")


def _mentions(text: str, path: str) -> bool:
    """``path`` in ``text`` as a whole path (the substring test first: it is much faster)."""
    return path in text and _path_pattern(path).search(text) is not None


@lru_cache(maxsize=1024)
def _project_pattern(top: str) -> re.Pattern[str]:
    return re.compile(r"(?:(?<![\w./-])|(?<=/workspace/))" + re.escape(top) + r"(?:/|\.py\b)")


class _Episode:
    """The context of one conversation, as it grows, and the checks of each assistant turn."""

    def __init__(self, tools: list[Any]) -> None:
        self.evidence = _Pool()
        self.writes = _Pool()
        self.prose = _Pool()
        self.found: list[Ungrounded] = []
        self._reported: set[tuple[str, str]] = set()
        self._reads: dict[str, str] = {}  # pending read_file call id -> path
        self._commands: dict[str, str] = {}  # pending bash call id -> command
        for tool in tools:
            f = tool.function
            self.evidence.add(f"{f.name} {f.description} {json.dumps(f.parameters)}")

    def _flag(self, i: int, kind: str, ref: str, where: str = "") -> None:
        if (kind, ref) not in self._reported:
            self._reported.add((kind, ref))
            self.found.append(Ungrounded(i, kind, ref, where))

    # context
    def observe(self, message: Any) -> None:
        if message.role == "tool":
            path = self._reads.pop(message.tool_call_id or "", None)
            content = message.content or ""
            if path is not None and (not content or re.match(r"\s*\d+\t", content)):
                self.writes.add(path)  # a read that showed the file
            command = self._commands.pop(message.tool_call_id or "", None)
            if command is not None and content.rstrip().endswith("[exit code: 0]"):
                self.writes.add(command)  # a command that succeeded: what it named exists
        self.evidence.add(message.content)

    def _visible_name(self, name: str, *extra: set[str]) -> bool:
        return (
            name in self.evidence.idents()
            or name in self.writes.idents()
            or name in self.prose.idents()
            or any(name in e for e in extra)
        )

    # checks
    def turn(self, i: int, message: Any) -> None:
        turn_writes = _Pool()
        texts = [message.content or ""]
        for call in message.tool_calls or []:
            name, args = call.function.name, call.function.arguments
            path = args.get("path") if isinstance(args.get("path"), str) else None
            if name == "finish" and isinstance(args.get("summary"), str):
                texts.append(args["summary"])
            elif name == "bash" and isinstance(args.get("command"), str):
                self._commands[call.id] = args["command"]
            elif name == "read_file" and path is not None:
                self._check_path(i, "read_file", path)
                self._reads[call.id] = _norm_path(path)
            elif name == "edit_file" and path is not None:
                old = args.get("old_str") if isinstance(args.get("old_str"), str) else ""
                new = args.get("new_str") if isinstance(args.get("new_str"), str) else ""
                self._check_path(i, "edit_file", path)
                self._check_old_str(i, path, old, turn_writes)
                if is_python(path, new):
                    extra = set(_IDENT.findall(old))
                    self._check_code(i, f"edit_file {_clip(path, 40)}", new, turn_writes, extra)
                turn_writes.add(f"{_norm_path(path)}\n{new}")
            elif name == "write_file" and path is not None:
                content = args.get("content") if isinstance(args.get("content"), str) else ""
                if is_python(path, content):
                    self._check_code(i, f"write_file {_clip(path, 40)}", content, turn_writes, set())
                turn_writes.add(f"{_norm_path(path)}\n{content}")
        for text in texts:
            self._check_text(i, text, turn_writes)
        for part in turn_writes.parts:
            self.writes.add(part)
        for text in texts:
            self.prose.add(text)

    def _check_path(self, i: int, tool: str, path: str) -> None:
        p = _norm_path(path)
        if not p or p == ".":
            return
        if tool == "read_file" and "/" not in p and p.lower() in _ROOT_FILES:
            return
        evidence, writes = self.evidence.text(), self.writes.text()
        if _mentions(evidence, p) or _mentions(writes, p):
            return
        base = p.rsplit("/", 1)[-1]
        if base != p and _mentions(evidence, base):
            return
        self._flag(i, "path", p, tool)

    def _check_old_str(self, i: int, path: str, old: str, turn_writes: _Pool) -> None:
        for line in old.splitlines():
            line = line.strip()
            if line and not (
                line in self.evidence.text() or line in self.writes.text() or line in turn_writes.text()
            ):
                self._flag(i, "old_str", _clip(line), f"edit_file {_clip(path, 40)}")
                return

    def _check_code(self, i: int, where: str, code: str, turn_writes: _Pool, extra: set[str]) -> None:
        refs = code_refs(code)
        local = turn_writes.idents()

        def visible(name: str) -> bool:
            return self._visible_name(name, local, extra)

        for name in refs.names:
            if not visible(name):
                self._flag(i, "name", name, where)
        for attr in refs.self_attrs:
            if not visible(attr):
                self._flag(i, "attribute", f"self.{attr}", where)
        for owner, attr, module in refs.owner_attrs:
            if module:  # checked for a project module only, once the import itself is grounded
                parts = [p for p in module.split(".") if p]
                checked = bool(parts) and self._is_project(parts[0]) and all(visible(p) for p in parts)
            else:  # an outside name: only when the name itself is visible (else it is the finding)
                checked = visible(owner)
            if checked and not visible(attr):
                self._flag(i, "attribute", f"{owner}.{attr}", where)
        for module, names, level in refs.imports:
            parts = [p for p in module.split(".") if p] or list(names[:1])
            missing = [p for p in parts if not visible(p)]
            if missing:
                shown = "." * level + module if module else "." * level + ", ".join(names)
                self._flag(i, "import", shown, where)
                continue
            if level or self._is_project(parts[0]):
                for name in names:
                    if not visible(name):
                        self._flag(i, "import", f"from {'.' * level}{module} import {name}", where)

    def _is_project(self, top: str) -> bool:
        evidence, writes = self.evidence.text(), self.writes.text()
        pattern = _project_pattern(top)
        return bool(
            (top in evidence and pattern.search(evidence)) or (top in writes and pattern.search(writes))
        )

    def _check_text(self, i: int, text: str, turn_writes: _Pool) -> None:
        if not text:
            return
        claims = list(_line_claims(text)) if "line" in text.lower() or ":" in text else []
        if claims:
            shown = self.evidence.lines()
            for claim, first, last in claims:
                numbers = [int(first)] + ([int(last)] if last else [])
                if any(n not in shown for n in numbers):
                    self._flag(i, "line", _clip(claim))
        if "`" in text or '"' in text or "“" in text:
            for span, bare in _quoted_errors(text):
                if bare:
                    last = span.rsplit(".", 1)[-1]
                    if not self._visible_name(last, turn_writes.idents()):
                        self._flag(i, "error", span)
                elif not _error_seen(span, self.evidence.flat()):
                    self._flag(i, "error", _clip(span, 80))
        if "test_" in text:
            for name in dict.fromkeys(_TEST_NAME.findall(text)):
                if not (
                    name in self.evidence.idents()
                    or name in self.writes.idents()
                    or name in turn_writes.idents()
                ):
                    self._flag(i, "test", name)


def checked(record: Any) -> bool:
    """Whether the check applies: trajectories, conversations and reasoning always, domain records
    with tool calls; not preference pairs."""
    kind = getattr(record, "kind", None)
    if kind in ("trajectory", "conversation", "reasoning"):
        return True
    return kind == "domain" and any(m.tool_calls for m in record.messages)


def check(record: Any) -> list[Ungrounded] | None:
    """The ungrounded references of a typed record, in order; ``None`` when the record is not checked."""
    if not checked(record):
        return None
    episode = _Episode(record.tools)
    for i, message in enumerate(record.messages):
        if message.role == "assistant":
            episode.turn(i, message)
        else:
            episode.observe(message)
    return episode.found


def describe(found: list[Ungrounded]) -> str:
    """The finding's message: how many, and the first few with their turn index."""
    shown = "; ".join(str(r) for r in found[:SHOWN_IN_MESSAGE])
    more = f"; and {len(found) - SHOWN_IN_MESSAGE} more" if len(found) > SHOWN_IN_MESSAGE else ""
    turns = len({r.message for r in found})
    return f"{len(found)} reference(s) to things not shown before the turn, in {turns} turn(s): {shown}{more}"


def counts(found: list[Ungrounded]) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in found:
        out[r.kind] = out.get(r.kind, 0) + 1
    return out


class Tally:
    """Per dataset: records checked and grounded per kind, ungrounded references per rule."""

    def __init__(self) -> None:
        self.checked: dict[str, int] = {}
        self.grounded: dict[str, int] = {}
        self.references: dict[str, int] = {}

    def add(self, kind: str, found: dict[str, int]) -> None:
        self.checked[kind] = self.checked.get(kind, 0) + 1
        self.grounded[kind] = self.grounded.get(kind, 0) + (not found)
        for rule, n in found.items():
            self.references[rule] = self.references.get(rule, 0) + n

    def summary(self, strict: bool) -> dict[str, Any]:
        def rate(grounded: int, checked: int) -> float | None:
            return round(grounded / checked, 4) if checked else None

        checked, grounded = sum(self.checked.values()), sum(self.grounded.values())
        return {
            "severity": "error" if strict else "warning",
            "checked": checked,
            "grounded": grounded,
            "rate": rate(grounded, checked),
            "by_kind": {
                kind: {"checked": n, "grounded": self.grounded[kind], "rate": rate(self.grounded[kind], n)}
                for kind, n in sorted(self.checked.items())
            },
            "ungrounded_references": dict(sorted(self.references.items(), key=lambda kv: (-kv[1], kv[0]))),
        }
