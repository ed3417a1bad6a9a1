"""Dataset validation (``agentic validate``): one module per concern.

reader (robust line reading), schema (typed records), semantics (rules between messages),
length (tokens via the chat template), dedup (exact and MinHash LSH), secrets (secrets and PII),
decontam (n-gram overlap with benchmarks), balance (counts and token statistics), report
(findings and the JSON report), pipeline (the steps, workers, ``--fix``).
"""

from agentic_pipeline.curate.pipeline import Options, validate, write_fixed
from agentic_pipeline.curate.report import ERROR, WARNING, Finding, Report

__all__ = ["ERROR", "WARNING", "Finding", "Options", "Report", "validate", "write_fixed"]
