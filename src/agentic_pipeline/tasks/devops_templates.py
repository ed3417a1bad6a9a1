"""Built-in devops tasks that need no code source: shell scripts, configuration files, dependency pins.

Each template writes its data from a seeded generator and computes the expected output in Python
from that data, independently of the script or program under repair; the verifier runs the real
tool (bash, python loading the config, the pin checker) in the sandbox and compares.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from dataclasses import dataclass

from agentic_pipeline.tasks.base import Check, Edit, Solution, Task, Verifier, task_id
from agentic_pipeline.tasks.code_families import rng_for
from agentic_pipeline.tasks.facts import PatchFacts, PinsFacts
from agentic_pipeline.tasks.mutate import minimal_edit

SEEDS = 4
SOURCE = "builtin"  # the task ids' source (``devops-builtin.shell-<hash>``); unchanged, so ids stay the same
# A task's ``source`` names its group, the unit of the held-out split (``tasks.split``): one shell
# template, one config format or the pins; the tasks of a group share their files.

_WORDS = [
    "alpha",
    "beta",
    "gamma",
    "delta",
    "river",
    "stone",
    "cloud",
    "forest",
    "light",
    "shadow",
    "north",
    "south",
    "market",
    "garden",
    "bridge",
    "tower",
    "silver",
    "amber",
    "copper",
    "winter",
    "summer",
    "harbor",
    "valley",
    "meadow",
    "signal",
    "engine",
]


@dataclass
class ShellTemplate:
    name: str
    script: str  # file name
    text: str
    cmd: str
    purpose: str
    bugs: list[tuple[str, str, str]]  # (correct text, buggy text, diagnosis)

    def data(self, rng: random.Random) -> tuple[dict[str, str], str]:
        return _DATA[self.name](rng)


def _sales(rng: random.Random) -> tuple[dict[str, str], str]:
    regions = rng.sample(["north", "south", "east", "west", "central"], 4)
    rows, totals = ["date,region,amount"], {}
    for day in range(1, 16):
        region = rng.choice(regions)
        amount = rng.randrange(100, 99999) / 100
        rows.append(f"2024-03-{day:02d},{region},{amount:.2f}")
        totals[region] = totals.get(region, 0.0) + amount
    out = [f"{r} {t:.2f}" for r, t in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))]
    return {"data/sales.csv": "\n".join(rows) + "\n"}, "\n".join(out)


def _logs(rng: random.Random) -> tuple[dict[str, str], str]:
    comps = rng.sample(["auth", "db", "cache", "api", "worker", "mailer"], 4)
    lines, errors = [], Counter()
    for i in range(40):
        level = rng.choice(["INFO", "INFO", "WARN", "ERROR"])
        comp = rng.choice(comps)
        lines.append(f"2024-01-05T10:{i:02d}:00 {level} {comp} request {rng.randrange(1000)} handled")
        if level == "ERROR":
            errors[comp] += 1
    out = [f"{c} {n}" for c, n in sorted(errors.items(), key=lambda kv: (-kv[1], kv[0]))]
    return {"logs/app.log": "\n".join(lines) + "\n"}, "\n".join(out)


def _notes(rng: random.Random) -> tuple[dict[str, str], str]:
    names = [f"{w} notes.txt" if rng.random() < 0.5 else f"{w}.txt" for w in rng.sample(_WORDS, 5)]
    files = {f"notes/{n}": f"{n}\n" for n in names}
    files["notes/readme.md"] = "not a text note\n"
    listing = sorted(f"{n}.bak" for n in names)
    return files, "\n".join([f"backed up {len(names)} files", *listing])


def _words(rng: random.Random) -> tuple[dict[str, str], str]:
    vocab = rng.sample(_WORDS, 9)
    weights = [rng.randrange(1, 9) for _ in vocab]
    text = []
    for _ in range(120):
        w = rng.choices(vocab, weights)[0]
        text.append(w.capitalize() if rng.random() < 0.2 else w)
    body = ""
    for i, w in enumerate(text):
        body += w + ("\n" if i % 12 == 11 else ", " if i % 5 == 4 else " ")
    counts = Counter(re.findall(r"[a-z]+", body.lower()))
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    return {"docs/article.txt": body + "\n"}, "\n".join(f"{w} {n}" for w, n in top)


def _sizes(rng: random.Random) -> tuple[dict[str, str], str]:
    files, big = {}, []
    for w in rng.sample(_WORDS, 7):
        size = rng.randrange(200, 5000)
        path = f"data/{w}.log" if rng.random() < 0.7 else f"data/archive/{w}.log"
        files[path] = "x" * (size - 1) + "\n"
        if size > 1000:
            big.append((size, path))
    return files, "\n".join(f"{s} {p}" for s, p in sorted(big, key=lambda sp: (-sp[0], sp[1])))


def _users(rng: random.Random) -> tuple[dict[str, str], str]:
    rows, older = ["name,age,city"], []
    for w in rng.sample(_WORDS, 8):
        age = rng.randrange(18, 70)
        rows.append(f"{w.capitalize()},{age},{rng.choice(['Lyon', 'Oslo', 'Lima', 'Pune'])}")
        if age > 30:
            older.append(w.capitalize())
    return {"data/users.csv": "\n".join(rows) + "\n"}, "\n".join(older)


_DATA = {
    "sales": _sales,
    "errors": _logs,
    "backup": _notes,
    "wordfreq": _words,
    "bigfiles": _sizes,
    "older": _users,
}

SHELL_TEMPLATES = [
    ShellTemplate(
        "sales",
        "region_totals.sh",
        "#!/usr/bin/env bash\nset -euo pipefail\n# Sum the sales amounts per region (data/sales.csv), highest total first.\n"
        "tail -n +2 data/sales.csv \\\n"
        "  | awk -F, '{ total[$2] += $3 } END { for (r in total) printf \"%s %.2f\\n\", r, total[r] }' \\\n"
        "  | sort -k2,2nr -k1,1\n",
        "bash region_totals.sh",
        "prints the total sales per region, highest first",
        [
            (
                "awk -F,",
                "awk -F';'",
                "awk splits on `;` but the CSV is comma-separated, so `$2`/`$3` are empty",
            ),
            (
                "total[$2] += $3",
                "total[$2] += $2",
                "it adds up column 2 (the region) instead of column 3 (the amount)",
            ),
            (
                "tail -n +2",
                "tail -n +1",
                "`tail -n +1` keeps the header line, which shows up as a bogus region",
            ),
            (
                "sort -k2,2nr -k1,1",
                "sort -k2,2n -k1,1",
                "the sort is ascending; the totals must come highest first",
            ),
        ],
    ),
    ShellTemplate(
        "errors",
        "error_counts.sh",
        "#!/usr/bin/env bash\nset -euo pipefail\n# Count ERROR lines per component in logs/app.log, most frequent first.\n"
        "grep ' ERROR ' logs/app.log \\\n  | awk '{ print $3 }' \\\n  | sort | uniq -c \\\n"
        "  | sort -k1,1nr -k2,2 \\\n  | awk '{ printf \"%s %s\\n\", $2, $1 }'\n",
        "bash error_counts.sh",
        "prints how many ERROR lines each component logged, most frequent first",
        [
            (
                "grep ' ERROR '",
                "grep ' error '",
                "grep looks for lower-case ` error `, but the level is written `ERROR`",
            ),
            (
                "awk '{ print $3 }'",
                "awk '{ print $2 }'",
                "it extracts field 2 (the level) instead of field 3 (the component)",
            ),
            (
                "  | sort | uniq -c \\\n",
                "  | uniq -c \\\n",
                "`uniq -c` only merges adjacent lines; without a `sort` before it the counts are split",
            ),
        ],
    ),
    ShellTemplate(
        "backup",
        "backup_notes.sh",
        "#!/usr/bin/env bash\nset -euo pipefail\n# Copy every .txt file in notes/ to backup/ with a .bak suffix and report how many were copied.\n"
        'mkdir -p backup\ncount=0\nfor f in notes/*.txt; do\n  cp "$f" "backup/$(basename "$f").bak"\n'
        '  count=$((count + 1))\ndone\necho "backed up $count files"\nls backup | sort\n',
        "bash backup_notes.sh",
        "copies the .txt notes to backup/ and prints what it did",
        [
            (
                '  cp "$f" "backup/$(basename "$f").bak"\n',
                '  cp $f "backup/$(basename "$f").bak"\n',
                "`$f` is unquoted, so file names with spaces are split into several arguments",
            ),
            ("count=$((count + 1))", "count=$((count + 2))", "the counter goes up by 2 per file"),
            (
                "for f in notes/*.txt; do",
                "for f in notes/*.md; do",
                "the loop globs `*.md` instead of the `.txt` notes",
            ),
            (
                'echo "backed up $count files"',
                'echo "backed up $cuont files"',
                "`$cuont` is a typo for `$count`; with `set -u` bash aborts on it",
            ),
        ],
    ),
    ShellTemplate(
        "wordfreq",
        "top_words.sh",
        "#!/usr/bin/env bash\nset -euo pipefail\n# Print the 5 most frequent words (lower-cased) of docs/article.txt with their counts.\n"
        "tr -cs '[:alpha:]' '\\n' < docs/article.txt \\\n  | tr '[:upper:]' '[:lower:]' \\\n  | grep -v '^$' \\\n"
        "  | sort | uniq -c \\\n  | sort -k1,1nr -k2,2 \\\n  | head -n 5 \\\n  | awk '{ print $2, $1 }'\n",
        "bash top_words.sh",
        "prints the five most frequent words as `word count` lines",
        [
            (
                "awk '{ print $2, $1 }'",
                "awk '{ print $1, $2 }'",
                "awk prints `count word` instead of `word count`",
            ),
            ("  | head -n 5 \\\n", "  | head -n 4 \\\n", "`head -n 4` keeps only four words"),
            (
                "  | tr '[:upper:]' '[:lower:]' \\\n",
                "",
                "the lower-casing step is missing, so `River` and `river` are counted apart",
            ),
        ],
    ),
    ShellTemplate(
        "bigfiles",
        "bigfiles.sh",
        "#!/usr/bin/env bash\nset -euo pipefail\n# List files under DIR larger than MIN_BYTES as `size path`, biggest first.\n"
        'dir="${1:?usage: bigfiles.sh DIR MIN_BYTES}"\nmin="${2:?usage: bigfiles.sh DIR MIN_BYTES}"\n'
        'find "$dir" -type f -size +"${min}"c -printf \'%s %p\\n\' | sort -k1,1nr -k2,2\n',
        "bash bigfiles.sh data 1000",
        "lists the files under a folder bigger than a size in bytes, biggest first",
        [
            ('-size +"${min}"c', '-size +"${min}"k', "`-size +Nk` counts kibibytes, not bytes"),
            ('find "$dir" -type f', 'find "$dir" -type d', "`-type d` selects folders instead of files"),
            ('dir="${1:?', 'dir="${2:?', "the folder is read from the second argument instead of the first"),
        ],
    ),
    ShellTemplate(
        "older",
        "older_than_30.sh",
        "#!/usr/bin/env bash\nset -euo pipefail\n# Print the names of the users older than 30 in data/users.csv, in file order.\n"
        'while IFS=, read -r name age city; do\n  if [ "$age" -gt 30 ]; then\n    echo "$name"\n  fi\n'
        "done < <(tail -n +2 data/users.csv)\n",
        "bash older_than_30.sh",
        "prints the users older than 30",
        [
            ('[ "$age" -gt 30 ]', '[ "$age" -lt 30 ]', "`-lt` selects the users younger than 30"),
            (
                "read -r name age city",
                "read -r age name city",
                "the fields are read in the wrong order: `age` gets the name",
            ),
            (
                "done < <(tail -n +2 data/users.csv)",
                "done < data/users.csv",
                "the header line is read too, and `age` is not a number there",
            ),
        ],
    ),
]


def _patch_task(
    tid: str,
    instruction: str,
    files: dict[str, str],
    target: str,
    fixed: str,
    check_cmd: str,
    expected: str,
    diagnosis: str,
    summary: str,
    meta: dict,
    source: str,
) -> Task:
    old, new = minimal_edit(files[target], fixed)
    return Task(
        id=tid,
        family="devops",
        source=source,
        instruction=instruction,
        base=None,
        files=files,
        verifier=Verifier(checks=[Check("command", "expected_output", cmd=check_cmd, expect=expected)]),
        solution=Solution(
            kind="patch",
            edits=[Edit(target, old, new)],
            facts=PatchFacts(file=target, diagnosis=diagnosis, summary=summary),
        ),
        check_cmd=check_cmd,
        meta=meta,
    )


def shell_tasks(seeds: int = SEEDS) -> list[Task]:
    out = []
    for tpl in SHELL_TEMPLATES:
        for b, (good, bad, why) in enumerate(tpl.bugs):
            assert tpl.text.count(good) == 1, (tpl.name, good)
            broken = tpl.text.replace(good, bad, 1)
            for seed in range(seeds):
                data, expected = tpl.data(random.Random(f"{tpl.name}:{seed}"))
                tid = task_id(f"{SOURCE}:shell", "devops", f"{tpl.name}:{b}", seed)
                phr = rng_for(tid, "phrase").choice(
                    (
                        "`{script}` {purpose}, but its output is wrong. Fix the script; check with `{cmd}`.",
                        "The shell script {script} is broken: it should print the right result but doesn't. Find the "
                        "problem and fix it (`{cmd}`).",
                        "Fix {script}. It is supposed to do this: it {purpose}. Run `{cmd}` to see what goes wrong.",
                    )
                )
                out.append(
                    _patch_task(
                        tid,
                        phr.format(script=tpl.script, purpose=tpl.purpose, cmd=tpl.cmd),
                        {tpl.script: broken, **data},
                        tpl.script,
                        tpl.text,
                        tpl.cmd,
                        expected,
                        f"In {tpl.script}, {why}. Fixing that line.",
                        f"Fixed {tpl.script}: {why}.",
                        {"devops": "shell", "template": tpl.name},
                        f"{SOURCE}:shell/{tpl.name}",
                    )
                )
    return out


# ----------------------------------------------------------------------------- configuration files


_APP = {
    "yaml": (
        "config.yaml",
        "import yaml\n\n\ndef load(path):\n    with open(path) as fh:\n        return yaml.safe_load(fh)\n",
    ),
    "toml": (
        "config.toml",
        "import tomllib\n\n\ndef load(path):\n    with open(path, 'rb') as fh:\n        return tomllib.load(fh)\n",
    ),
    "ini": (
        "config.ini",
        "import configparser\n\n\ndef load(path):\n    parser = configparser.ConfigParser()\n    with open(path) as fh:\n"
        "        parser.read_file(fh)\n    server, service = parser['server'], parser['service']\n    return {\n"
        "        'service': {'name': service['name'], 'debug': service.getboolean('debug')},\n"
        "        'server': {'host': server['host'], 'port': server.getint('port'), 'workers': server.getint('workers')},\n"
        "        'databases': {'names': [n.strip() for n in parser['databases']['names'].split(',')]},\n    }\n",
    ),
}

_APP_MAIN = (
    '"""Load the service configuration and print the settings the service would run with."""\n\n'
    "{loader}\n\ncfg = load('{file}')\n"
    "print(f\"service: {{cfg['service']['name']}}\")\n"
    "print(f\"listen: {{cfg['server']['host']}}:{{cfg['server']['port']}}\")\n"
    "print(f\"workers: {{cfg['server']['workers']}}\")\n"
    "print(f\"debug: {{cfg['service']['debug']}}\")\n"
    "print('databases: ' + ', '.join(cfg['databases']['names']))\n"
)


def _config_values(rng: random.Random) -> dict:
    return {
        "name": rng.choice(_WORDS) + "-" + rng.choice(["api", "svc", "worker", "gateway"]),
        "host": rng.choice(["0.0.0.0", "127.0.0.1", "10.0.0.5"]),
        "port": rng.randrange(1024, 9999),
        "workers": rng.randrange(1, 17),
        "debug": rng.random() < 0.5,
        "dbs": rng.sample(["users", "orders", "events", "audit", "billing"], 2),
    }


def _render(fmt: str, v: dict) -> str:
    if fmt == "yaml":
        dbs = "".join(f"    - {d}\n" for d in v["dbs"])
        return (
            f"service:\n  name: {v['name']}\n  debug: {str(v['debug']).lower()}\nserver:\n"
            f'  host: "{v["host"]}"\n  port: {v["port"]}\n  workers: {v["workers"]}\ndatabases:\n  names:\n{dbs}'
        )
    if fmt == "toml":
        dbs = ", ".join(f'"{d}"' for d in v["dbs"])
        return (
            f'[service]\nname = "{v["name"]}"\ndebug = {str(v["debug"]).lower()}\n\n[server]\n'
            f'host = "{v["host"]}"\nport = {v["port"]}\nworkers = {v["workers"]}\n\n[databases]\nnames = [{dbs}]\n'
        )
    return (
        f"[service]\nname = {v['name']}\ndebug = {'yes' if v['debug'] else 'no'}\n\n[server]\n"
        f"host = {v['host']}\nport = {v['port']}\nworkers = {v['workers']}\n\n[databases]\nnames = {', '.join(v['dbs'])}\n"
    )


# (format, label, function text -> broken text, diagnosis)
_BREAKS = [
    (
        "yaml",
        "tab",
        lambda t, v: t.replace("  port:", "\tport:"),
        "line `port` is indented with a tab, which YAML forbids",
    ),
    ("yaml", "colon", lambda t, v: t.replace("  workers:", "  workers"), "the `workers` key lost its colon"),
    (
        "yaml",
        "quote",
        lambda t, v: t.replace(f'host: "{v["host"]}"', f'host: "{v["host"]}'),
        "the host string's closing quote is missing",
    ),
    (
        "yaml",
        "indent",
        lambda t, v: t.replace("  debug:", "   debug:"),
        "`debug` is indented by three spaces instead of two",
    ),
    (
        "toml",
        "quote",
        lambda t, v: t.replace(f'name = "{v["name"]}"', f'name = "{v["name"]}'),
        "the service name's closing quote is missing",
    ),
    (
        "toml",
        "header",
        lambda t, v: t.replace("[server]", "[server"),
        "the `[server` table header lacks its closing bracket",
    ),
    (
        "toml",
        "duplicate",
        lambda t, v: t.replace(f"port = {v['port']}\n", f"port = {v['port']}\nport = {v['port']}\n"),
        "`port` is defined twice in `[server]`",
    ),
    (
        "toml",
        "bare",
        lambda t, v: t.replace(f'host = "{v["host"]}"', f"host = {v['host']}"),
        "the host value is not quoted; TOML strings need quotes",
    ),
    (
        "ini",
        "section",
        lambda t, v: t.replace("[service]\n", "", 1),
        "the `[service]` section header is missing, so the first keys have no section",
    ),
    (
        "ini",
        "bracket",
        lambda t, v: t.replace("[server]", "[server"),
        "the `[server` header lacks its closing bracket",
    ),
    (
        "ini",
        "duplicate",
        lambda t, v: t.replace(
            f"workers = {v['workers']}\n", f"workers = {v['workers']}\nworkers = {v['workers']}\n"
        ),
        "`workers` is set twice in `[server]`",
    ),
    (
        "ini",
        "separator",
        lambda t, v: t.replace(f"port = {v['port']}", f"port {v['port']}"),
        "the `port` line has no `=` separator",
    ),
]


def config_tasks(seeds: int = SEEDS + 1) -> list[Task]:
    out = []
    for fmt, label, breaker, why in _BREAKS:
        file, loader = _APP[fmt]
        app = _APP_MAIN.format(loader=loader, file=file)
        for seed in range(seeds):
            v = _config_values(random.Random(f"{fmt}:{label}:{seed}"))
            good = _render(fmt, v)
            bad = breaker(good, v)
            assert bad != good, (fmt, label)
            expected = "\n".join(
                [
                    f"service: {v['name']}",
                    f"listen: {v['host']}:{v['port']}",
                    f"workers: {v['workers']}",
                    f"debug: {v['debug']}",
                    "databases: " + ", ".join(v["dbs"]),
                ]
            )
            tid = task_id(f"{SOURCE}:config", "devops", f"{fmt}:{label}", seed)
            phr = rng_for(tid, "phrase").choice(
                (
                    "`python app.py` fails to load {file}. Repair the configuration file (not the program) so the "
                    "service starts with the values it was meant to have.",
                    "The service won't start: its {kind} config ({file}) is broken. Fix the file so `python app.py` "
                    "loads it.",
                    "Fix {file}: app.py can't parse it. Keep every setting's intended value.",
                )
            )
            out.append(
                _patch_task(
                    tid,
                    phr.format(file=file, kind=fmt.upper()),
                    {"app.py": app, file: bad},
                    file,
                    good,
                    "python app.py",
                    expected,
                    f"In {file}, {why}. Fixing it.",
                    f"Repaired {file}: {why}. `python app.py` loads it again.",
                    {"devops": "config", "format": fmt, "break": label},
                    f"{SOURCE}:config/{fmt}",
                )
            )
    return out


# ----------------------------------------------------------------------------- dependency pins

_PACKAGES = {
    "requests": ["2.28.2", "2.31.0", "2.32.3"],
    "urllib3": ["1.26.18", "2.0.7", "2.2.3"],
    "numpy": ["1.24.4", "1.26.4", "2.0.2", "2.1.3"],
    "pandas": ["1.5.3", "2.1.4", "2.2.3"],
    "pyyaml": ["5.4.1", "6.0.1", "6.0.2"],
    "click": ["7.1.2", "8.0.4", "8.1.7"],
    "jinja2": ["2.11.3", "3.0.3", "3.1.4"],
    "pydantic": ["1.10.13", "2.5.3", "2.9.2"],
    "rich": ["12.6.0", "13.7.1", "13.9.4"],
    "httpx": ["0.24.1", "0.26.0", "0.27.2"],
}

_PIN_CHECK = '''"""Check requirements.txt: every line pins one version (name==X.Y.Z) that exists in index.json,
satisfies every constraint in constraints.txt, and is the newest such version."""

import json
import sys

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

index = json.load(open("index.json"))
constraints = {}
for line in open("constraints.txt"):
    line = line.split("#")[0].strip()
    if line:
        req = Requirement(line)
        constraints[req.name.lower()] = constraints.get(req.name.lower(), SpecifierSet()) & req.specifier
problems, seen = [], set()
for n, line in enumerate(open("requirements.txt"), start=1):
    line = line.split("#")[0].strip()
    if not line:
        continue
    req = Requirement(line)
    name = req.name.lower()
    seen.add(name)
    pins = [s for s in req.specifier if s.operator == "=="]
    if len(pins) != 1 or len(req.specifier) != 1:
        problems.append(f"requirements.txt:{n}: {line!r} is not pinned to one exact version (name==version)")
        continue
    version = pins[0].version
    allowed = [v for v in index.get(name, []) if Version(v) in constraints.get(name, SpecifierSet())]
    if version not in index.get(name, []):
        problems.append(f"requirements.txt:{n}: {name}=={version} does not exist (index has {', '.join(index.get(name, []))})")
    elif version not in allowed:
        problems.append(f"requirements.txt:{n}: {name}=={version} violates constraints.txt ({constraints[name]})")
    elif Version(version) != max(map(Version, allowed)):
        problems.append(f"requirements.txt:{n}: {name}=={version} is not the newest allowed version")
missing = sorted(set(constraints) - seen)
problems += [f"requirements.txt: {name} is constrained but not required" for name in missing]
if problems:
    print("\\n".join(problems))
    sys.exit(1)
print(f"all {len(seen)} requirements pinned correctly")
'''


def pin_tasks(count: int = 24) -> list[Task]:
    out = []
    for seed in range(count):
        rng = random.Random(f"pins:{seed}")
        names = sorted(rng.sample(sorted(_PACKAGES), 5))
        reqs, cons, good = [], [], []
        for name in names:
            versions = _PACKAGES[name]
            cap = rng.randrange(1, len(versions) + 1)
            allowed = versions[:cap]
            if cap < len(versions):
                cons.append(f"{name}<{versions[cap]}")
            else:
                cons.append(f"{name}>={versions[0]}")
            newest = allowed[-1]
            good.append(f"{name}=={newest}")
            style = rng.choice(["bare", "range", "wrong"])
            if style == "bare":
                reqs.append(name)
            elif style == "range":
                reqs.append(f"{name}>={versions[0]}")
            else:
                reqs.append(f"{name}=={versions[-1] if cap < len(versions) else versions[0]}")
        if reqs == good:
            continue
        index = {n: _PACKAGES[n] for n in names}
        files = {
            "requirements.txt": "\n".join(reqs) + "\n",
            "constraints.txt": "# Versions the deployment platform supports.\n" + "\n".join(cons) + "\n",
            "index.json": json.dumps(index, indent=2) + "\n",
            "check_pins.py": _PIN_CHECK,
        }
        tid = task_id(f"{SOURCE}:pins", "devops", "pins", seed)
        phr = rng_for(tid, "phrase").choice(
            (
                "Pin every dependency in requirements.txt to the newest version in index.json that satisfies "
                "constraints.txt (`name==version`, one per line). `python check_pins.py` must pass.",
                "requirements.txt has loose or conflicting pins. Make every line an exact pin to the newest version "
                "allowed by constraints.txt and available in index.json; check with `python check_pins.py`.",
                "Fix the dependency pins: exact versions only, newest that constraints.txt allows (see index.json "
                "for what exists). Verify with `python check_pins.py`.",
            )
        )
        out.append(
            Task(
                id=tid,
                family="devops",
                source=f"{SOURCE}:pins",
                instruction=phr,
                base=None,
                files=files,
                verifier=Verifier(
                    pinned={
                        "check_pins.py": _PIN_CHECK,
                        "index.json": files["index.json"],
                        "constraints.txt": files["constraints.txt"],
                    },
                    checks=[Check("command", "pins", cmd="python check_pins.py")],
                ),
                solution=Solution(
                    kind="pins",
                    edits=[Edit("requirements.txt", "", "\n".join(good) + "\n")],
                    facts=PinsFacts(pins=good),
                ),
                check_cmd="python check_pins.py",
                meta={"devops": "pins"},
            )
        )
    return out
