"""Per-call cost of a workflowCall node: in-process vs. over HTTP (bench/calls.ts).

Run with the generated app's venv, from the generated calls-caller app's directory (so `app` and
`catalyst_runtime` import), with CATALYST_PEER_CALLS_CALLEE_URL pointing at a running calls-callee app.

It times the *generated node functions themselves* (the first node of each workflow of calls-caller):
  inline    a transform node computing the tax value (no call at all: the reference)
  inproc    a workflowCall node calling `tax` of the same app (validate input, await its run)
  overhttp  a workflowCall node calling calls-callee/tax over HTTP (shared httpx client, keep-alive)
Each is awaited N times in a loop on one event loop, one call at a time; rounds interleave the three,
and the per-call time of each round is elapsed / N, both wall-clock (perf_counter) and this process's
CPU time (process_time: not inflated when other processes of a busy machine preempt this one; for the
HTTP call it leaves out the callee's work, so only wall-clock is meaningful there).
Prints one JSON object on stdout.
Logging is set up as the app's lifespan does (JSON lines on stderr at --log-level).
"""

import argparse
import asyncio
import json
import statistics
import time

from app.registry import REGISTRY
from app.settings import SPEC
from catalyst_runtime import context, http, logs
from catalyst_runtime import settings as settings_mod
from catalyst_runtime.engine import Call, Run

INPUT = {"amount": 42.5}


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--n-local", type=int, default=20000, help="calls per round for inline and inproc")
    ap.add_argument("--n-http", type=int, default=500, help="calls per round over HTTP")
    ap.add_argument("--log-level", default="info")
    args = ap.parse_args()

    cfg = settings_mod.load(SPEC)
    logs.setup(args.log_level)
    await http.start()
    call = Call(settings=cfg, registry=REGISTRY, via="http")
    context.request_id.set("bench-calls")
    fns = {name: REGISTRY.get(name).nodes[0].fn for name in ("inline", "inproc", "overhttp")}

    def new_run(name: str) -> Run:
        run = Run(input=dict(INPUT), env=cfg.env, call=call, workflow=name)
        run.node = "tax"
        return run

    # Same value from all three, or the comparison is not of the same work.
    outs = {name: await fn(new_run(name)) for name, fn in fns.items()}
    if not (outs["inline"] == outs["inproc"] == outs["overhttp"]):
        raise SystemExit(f"the three nodes disagree: {outs}")

    async def per_call_us(name: str, n: int) -> tuple[float, float]:
        """(wall µs, CPU µs) per call."""
        fn = fns[name]
        run = new_run(name)
        token = context.workflow.set(name)
        try:
            c0 = time.process_time_ns()
            t0 = time.perf_counter_ns()
            for _ in range(n):
                await fn(run)
            t1 = time.perf_counter_ns()
            c1 = time.process_time_ns()
            return (t1 - t0) / n / 1000, (c1 - c0) / n / 1000
        finally:
            context.workflow.reset(token)

    # Warm-up: import paths, caches, the HTTP connection.
    await per_call_us("inline", 2000)
    await per_call_us("inproc", 2000)
    await per_call_us("overhttp", 100)

    wall: dict[str, list[float]] = {"inline": [], "inproc": [], "overhttp": []}
    cpu: dict[str, list[float]] = {"inline": [], "inproc": [], "overhttp": []}
    for r in range(args.rounds):
        order = ["inline", "inproc", "overhttp"] if r % 2 == 0 else ["overhttp", "inproc", "inline"]
        for name in order:
            w, c = await per_call_us(name, args.n_http if name == "overhttp" else args.n_local)
            wall[name].append(w)
            cpu[name].append(c)
    await http.stop()

    rounds = range(args.rounds)
    print(
        json.dumps(
            {
                "logLevel": args.log_level,
                "rounds": args.rounds,
                "nLocal": args.n_local,
                "nHttp": args.n_http,
                "answer": outs["inproc"],
                "wallUs": wall,
                "cpuUs": cpu,
                "medianWallUs": {k: statistics.median(v) for k, v in wall.items()},
                "medianCpuUs": {k: statistics.median(v) for k, v in cpu.items()},
                "minWallUs": {k: min(v) for k, v in wall.items()},
                # Per round, then the median: what the in-process call adds over computing the value inline,
                # and HTTP / in-process (wall-clock, the same round).
                "inprocAddsCpuUs": statistics.median([cpu["inproc"][i] - cpu["inline"][i] for i in rounds]),
                "inprocAddsWallUs": statistics.median([wall["inproc"][i] - wall["inline"][i] for i in rounds]),
                "httpOverInprocWall": statistics.median([wall["overhttp"][i] / wall["inproc"][i] for i in rounds]),
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
