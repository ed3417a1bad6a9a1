"""Times one function on inputs of growing size; copied into the sandbox and run there.

``python _timing.py MODULE ENTRY SIZES BUDGET_S`` imports ``MODULE.ENTRY`` and ``perf.make_args``
from the working folder and prints one JSON list: per size, the best of a few runs (fresh arguments
each run, so a function that mutates its input is timed fairly). Sizes stop once a run exceeds
BUDGET_S seconds: the slow side of a pair need not be timed to exhaustion to lose.
Standard library only, so it runs with any Python the sandbox has.
"""

import gc
import importlib
import json
import sys
import time

MIN_RUNS, MAX_RUNS, MIN_TOTAL_S = 3, 7, 0.2


def best_time(fn, make_args, n, budget_s):
    best, runs, spent = float("inf"), 0, 0.0
    while runs < MIN_RUNS or (runs < MAX_RUNS and spent < MIN_TOTAL_S):
        args = make_args(n)
        gc.collect()
        start = time.perf_counter()
        fn(*args)
        elapsed = time.perf_counter() - start
        best, runs, spent = min(best, elapsed), runs + 1, spent + elapsed
        if elapsed > budget_s:
            break
    return best, runs


if __name__ == "__main__":
    module, entry, sizes_arg, budget_arg = sys.argv[1:5]
    budget_s = float(budget_arg)
    sys.path.insert(0, ".")
    fn = getattr(importlib.import_module(module), entry)
    make_args = importlib.import_module("perf").make_args
    results = []
    for n in (int(s) for s in sizes_arg.split(",")):
        seconds, runs = best_time(fn, make_args, n, budget_s)
        results.append({"n": n, "seconds": seconds, "runs": runs})
        if seconds > budget_s:
            break
    print(json.dumps(results))
