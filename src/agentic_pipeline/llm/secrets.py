"""Keep API keys out of logs, records and reports: ``redact`` any text before it is stored or shown.

The keys themselves are read by the SDKs from their standard environment variables and travel only
in request headers; the sandbox scrubs the environment of the commands it runs. What can still leak
is an error message that quotes a header or a key, so every error text this package logs or stores
passes through ``redact`` first.
"""

from __future__ import annotations

import os
import re

KEY_ENV_VARS = ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "OPENAI_API_KEY", "OPENAI_ADMIN_KEY")
MASK = "[REDACTED]"

# Shapes of provider keys and bearer headers, so a key we were never told about is caught too.
_PATTERNS = [
    re.compile(r"sk-ant-[A-Za-z0-9_\-]{8,}"),
    re.compile(r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{16,}"),
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/\-]{8,}=*"),
    re.compile(r"(?i)((?:x-api-key|api[_-]?key|authorization)[\"']?\s*[:=]\s*[\"']?)[^\s\"',}]{8,}"),
]


def _known_keys() -> list[str]:
    return [value for name in KEY_ENV_VARS if len(value := os.environ.get(name, "")) >= 8]


def redact(text: str) -> str:
    """``text`` with every key-looking string and every key set in the environment masked."""
    for key in _known_keys():
        text = text.replace(key, MASK)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + MASK, text)
    return text
