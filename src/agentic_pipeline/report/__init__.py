"""``agentic report``: one static HTML page that shows a dataset (and an evaluation) to a person.

    agentic report --data-dir data/ --eval eval/ --out report.html

The page opens from disk with no server and no network: its stylesheet, script, plots (inline SVG
from matplotlib, :mod:`.plots` says why) and records are inside it. It shows the records against the
seed's targets, tokens, what was rejected and why, the validation findings, the cost ledgers' totals,
plots of lengths, steps, tools, exit statuses, preference margins and eval resolve rates, and a
trajectory viewer (filters, search, a record as a conversation, pairs side by side). The viewer holds
every record of a small folder and a seeded sample of a large one (:mod:`.viewer`); every count and
plot is over every record.
"""

from agentic_pipeline.report.build import ReportOptions, build

__all__ = ["ReportOptions", "build"]
