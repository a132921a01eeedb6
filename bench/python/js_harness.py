"""Per-call cost of JavaScript nodes (bench/js.ts), run with the generated js-nodes app's venv from its directory.

It times the generated node functions themselves (the one node of each workflow of js-nodes):
  translated  a transform whose expressions were compiled to Python (the reference)
  jsexpr      the same values computed by a javascript node (how an imported untranslatable expression runs)
  code        a small Code node (allItems: loop over $input.all(), return items)
Each is awaited N times in a loop, one call at a time; rounds interleave them; per call = elapsed / N,
wall-clock (perf_counter) and this process's CPU time (process_time). Also: the first call of a fresh
engine (V8 context, Luxon, prelude: once per app process). Prints one JSON object on stdout.
"""

import argparse
import asyncio
import json
import statistics
import time

from app.registry import REGISTRY
from app.settings import SPEC
from catalyst_runtime import context, js, logs
from catalyst_runtime import settings as settings_mod
from catalyst_runtime.engine import Call, Run

INPUT = {"amount": 42.5, "name": "ada"}
NAMES = ("translated", "jsexpr", "code")


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--n", type=int, default=3000)
    args = ap.parse_args()
    cfg = settings_mod.load(SPEC)
    logs.setup("warning")
    call = Call(settings=cfg, registry=REGISTRY, via="http")
    context.request_id.set("bench-js")
    fns = {name: REGISTRY.get(name).nodes[0].fn for name in NAMES}

    def new_run(name: str) -> Run:
        run = Run(input=dict(INPUT), env=cfg.env, call=call, workflow=name)
        run.node = "calc"
        return run

    t0 = time.perf_counter()
    first = await fns["code"](new_run("code"))
    first_ms = (time.perf_counter() - t0) * 1000
    outs = {name: await fn(new_run(name)) for name, fn in fns.items()}
    if not (outs["translated"] == outs["jsexpr"] == outs["code"] == first):
        raise SystemExit(f"the nodes disagree: {outs}")

    async def per_call_us(name: str, n: int) -> tuple[float, float]:
        fn = fns[name]
        run = new_run(name)
        c0 = time.process_time_ns()
        t0 = time.perf_counter_ns()
        for _ in range(n):
            await fn(run)
        t1 = time.perf_counter_ns()
        c1 = time.process_time_ns()
        return (t1 - t0) / n / 1000, (c1 - c0) / n / 1000

    for name in NAMES:
        await per_call_us(name, 500)
    wall: dict[str, list[float]] = {k: [] for k in NAMES}
    cpu: dict[str, list[float]] = {k: [] for k in NAMES}
    for r in range(args.rounds):
        for name in NAMES if r % 2 == 0 else tuple(reversed(NAMES)):
            w, c = await per_call_us(name, args.n)
            wall[name].append(w)
            cpu[name].append(c)
    print(
        json.dumps(
            {
                "answer": outs["code"],
                "firstCallMs": first_ms,
                "memoryLimitMb": js.MEMORY_LIMIT_MB,
                "wallUs": wall,
                "cpuUs": cpu,
                "medianWallUs": {k: statistics.median(v) for k, v in wall.items()},
                "minWallUs": {k: min(v) for k, v in wall.items()},
                "medianCpuUs": {k: statistics.median(v) for k, v in cpu.items()},
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
