"""The eval runner's overhead over the trajectory runner, and the hf student's episodes per minute on CPU.

    python bench/eval_overhead.py                    # 24 built-in devops tasks, 2 workers, 2 rounds
    python bench/eval_overhead.py --tasks 40 --rounds 3

Both runners get the same tasks and the offline oracle, into fresh folders; validity checks are
cached by the first round (each round runs the trajectory runner, then the eval runner, so neither
gets a warmer cache than the other). Target: eval <= 1.1x the trajectory runner. Then a tiny Qwen2
checkpoint built locally (random weights) runs the same tasks as ``hf:PATH``: its episodes end after
a turn or a few (it writes no valid tool call), so this measures generation and the loop, not skill.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

try:
    import agentic_pipeline  # noqa: F401
except ImportError:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from agentic_pipeline.agent import RunConfig
from agentic_pipeline.generate.evaluate import EvalConfig, evaluate
from agentic_pipeline.generate.trajectories import GenerateConfig, generate
from agentic_pipeline.tasks.devops_templates import config_tasks, shell_tasks
from agentic_pipeline.teacher import TeacherConfig, oracle_teacher


def run_trajectories(tasks: list, workers: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        config = GenerateConfig(
            count=len(tasks), categories=["devops"], out=Path(tmp), workers=workers, tasks=tasks
        )
        start = time.perf_counter()
        [counts] = asyncio.run(generate(config))
        assert counts.kept == len(tasks), counts
        return time.perf_counter() - start


def run_eval(tasks: list, workers: int, model: str = "oracle", **teacher: object) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        config = EvalConfig(
            count=len(tasks), out=Path(tmp), workers=workers, categories=["devops"], run=RunConfig()
        )
        opened = oracle_teacher() if model == "oracle" else TeacherConfig(spec=model, **teacher).open(None)
        start = time.perf_counter()
        [counts] = asyncio.run(evaluate(config, tasks, {model: opened}))
        assert counts.kept + counts.rejected == len(tasks), counts
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=24)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    tasks = (shell_tasks(seeds=4) + config_tasks(seeds=4))[: args.tasks]
    print(f"{len(tasks)} built-in devops tasks, {args.workers} workers, oracle")
    for r in range(args.rounds):
        traj, ev = run_trajectories(tasks, args.workers), run_eval(tasks, args.workers)
        print(f"  round {r + 1}: trajectory runner {traj:.2f} s, eval runner {ev:.2f} s -> {ev / traj:.2f}x")
    from agentic_pipeline.tiny import build_tiny_model, load_tokenizer

    with tempfile.TemporaryDirectory() as ckpt:
        build_tiny_model(load_tokenizer(None), seed=0, out_dir=Path(ckpt))
        for new_tokens in (64, 256):
            seconds = run_eval(tasks, args.workers, f"hf:{ckpt}", max_new_tokens=new_tokens)
            print(f"  hf:tiny (random weights, max_new_tokens={new_tokens}): {len(tasks)} episodes in {seconds:.1f} s "
                  f"-> {60 * len(tasks) / seconds:.0f} episodes/min")  # fmt: skip


if __name__ == "__main__":
    main()
