"""Tiny assets built locally: a byte-level BPE tokenizer with Qwen2.5's chat template, and a small
Qwen2-architecture model. Tests, ``agentic validate``'s offline token counts and the quickstart use
them; nothing here downloads from a model hub.

    from agentic_pipeline.tiny import load_tokenizer, build_tiny_model
    tok = load_tokenizer(None)          # the tiny tokenizer, built once and cached
    model = build_tiny_model(tok)       # ~0.5M parameters, random init, seeded

The tokenizer is trained on standard-library modules (a corpus every installation has, so the result
is the same everywhere for one Python version). Counts made with it approximate a real Qwen
tokenizer's (its vocabulary is far smaller, so it splits text into more pieces); reports say so.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path
from typing import Any

from agentic_pipeline.chat_templates import qwen2_5_chat_template

VOCAB_SIZE = 4096
SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
# Qwen2.5 has these as added, non-special tokens: they survive decoding with skip_special_tokens.
ADDED_TOKENS = ["<tool_call>", "</tool_call>"]
# Qwen2's pre-tokenizer split: contractions, letters, single digits, punctuation runs, newlines, spaces.
QWEN2_SPLIT = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+"
)
TINY_MARKER = "agentic-pipeline-tiny"


# The corpus: standard-library modules (plenty of ordinary Python, English docstrings, tests-like
# code) and the chat template. Not the package's own source: it changes with every edit, and a
# tokenizer that moves under a working tree makes counts and saved checkpoints disagree. The Python
# version is part of the cache key through the corpus hash.
_STDLIB_CORPUS = (
    "textwrap",
    "argparse",
    "json.decoder",
    "json.encoder",
    "shlex",
    "difflib",
    "fractions",
    "configparser",
    "csv",
    "dataclasses",
    "subprocess",
    "pathlib",
    "logging",
    "unittest.case",
    "shutil",
    "tempfile",
    "string",
    "heapq",
    "bisect",
    "statistics",
    "calendar",
    "email.message",
)


def _corpus() -> list[str]:
    import importlib
    import inspect

    texts = [inspect.getsource(importlib.import_module(name)) for name in _STDLIB_CORPUS]
    texts.append(qwen2_5_chat_template())
    return texts


def _cache_root() -> Path:
    base = os.environ.get("AGENTIC_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "agentic-pipeline"
    )
    return Path(base)


def tiny_tokenizer_dir() -> Path:
    """The cache folder of the tiny tokenizer for this version of the package's source."""
    digest = hashlib.sha256("\0".join(_corpus()).encode()).hexdigest()[:12]
    return _cache_root() / f"tiny-tokenizer-{VOCAB_SIZE}-{digest}"


def build_tiny_tokenizer(out_dir: Path | None = None) -> Any:
    """Train the tokenizer (about a second) and save it where ``AutoTokenizer`` loads it back."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    out_dir = Path(out_dir) if out_dir else tiny_tokenizer_dir()
    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(QWEN2_SPLIT), behavior="isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE,
        special_tokens=SPECIAL_TOKENS + ADDED_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(_corpus(), trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        additional_special_tokens=["<|im_start|>"],
        model_max_length=32768,
    )
    fast.chat_template = qwen2_5_chat_template()
    fast.name_or_path = TINY_MARKER
    # Save beside, then rename: a concurrent builder (pytest workers) never sees a half-written folder.
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_dir.with_name(out_dir.name + f".tmp{os.getpid()}")
    fast.save_pretrained(tmp)
    try:
        os.rename(tmp, out_dir)
    except OSError:  # another process finished first; its result is identical
        shutil.rmtree(tmp, ignore_errors=True)
    return fast


def load_tokenizer(name_or_path: str | Path | None = None) -> Any:
    """A tokenizer with a chat template: the tiny one (``None``), a local folder, or a cached hub name.

    Never downloads: a name not already in the local Hugging Face cache raises ``FileNotFoundError``.
    """
    from transformers import AutoTokenizer

    if name_or_path is None or str(name_or_path) == TINY_MARKER:
        folder = tiny_tokenizer_dir()
        if not (folder / "tokenizer.json").exists():
            build_tiny_tokenizer(folder)
        tok = AutoTokenizer.from_pretrained(folder)
        tok.name_or_path = TINY_MARKER
        return tok
    try:
        return AutoTokenizer.from_pretrained(str(name_or_path), local_files_only=True)
    except OSError as exc:
        raise FileNotFoundError(
            f"tokenizer {name_or_path!r} is not a local folder nor in the local Hugging Face cache "
            f"(this tool never downloads): {exc}"
        ) from None


def is_tiny(tokenizer: Any) -> bool:
    return getattr(tokenizer, "name_or_path", None) == TINY_MARKER


def tiny_model_config(tokenizer: Any, **overrides: Any) -> Any:
    from transformers import Qwen2Config

    settings: dict[str, Any] = dict(
        vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=4096,
        tie_word_embeddings=True,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        bos_token_id=None,
    )
    settings.update(overrides)
    return Qwen2Config(**settings)


def build_tiny_model(tokenizer: Any, seed: int = 0, out_dir: Path | None = None, **overrides: Any) -> Any:
    """A randomly initialised Qwen2ForCausalLM sized for CPU tests; saved with the tokenizer if asked."""
    import torch
    from transformers import Qwen2ForCausalLM

    torch.manual_seed(seed)
    model = Qwen2ForCausalLM(tiny_model_config(tokenizer, **overrides))
    if out_dir is not None:
        out_dir = Path(out_dir)
        model.save_pretrained(out_dir)
        tokenizer.save_pretrained(out_dir)
    return model
