"""Convert existing instruction data (Alpaca, ShareGPT, OpenAI chat, Dolly, OASST, prompt/completion,
question/answer, preference pairs) into domain records and preference pairs.

``convert_inputs`` is the entry point; ``formats`` detects and converts one object, ``build`` checks a
converted object and shapes its record, ``readers`` reads the file types, ``oasst`` rebuilds OASST
message tables, ``expand`` rewrites "How do I X?" examples into "Do X" with an LLM teacher
(and runs the executable ones in the sandbox for verified trajectories; ``task_spec`` checks the
teacher's task).
"""

from agentic_pipeline.convert.formats import FORMATS
from agentic_pipeline.convert.pipeline import FileReport, InputError, Options, Summary, convert_inputs

__all__ = ["FORMATS", "FileReport", "InputError", "Options", "Summary", "convert_inputs"]
