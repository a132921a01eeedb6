"""Runs workflows of a generated app in-process (no server) and prints the results as JSON.

Usage: python driver.py <app dir>  with a JSON document on stdin:
  {"env": {NAME: value}, "cases": [[workflow, input], ...]}
Prints [{"status", "body"} | {"error", "code", "message"}, ...].
"""

import asyncio
import json
import sys

sys.path.insert(0, sys.argv[1])

from app.registry import REGISTRY  # noqa: E402
from app.settings import SPEC  # noqa: E402
from catalyst_runtime import http, settings  # noqa: E402
from catalyst_runtime.engine import Call  # noqa: E402
from catalyst_runtime.errors import CatalystError  # noqa: E402


async def main() -> None:
    doc = json.load(sys.stdin)
    cfg = settings.load(SPEC, doc.get("env", {}))
    await http.start()
    out = []
    for name, data in doc["cases"]:
        wf = REGISTRY.get(name)
        try:
            result = await wf.run(wf.validate_input(data), Call(settings=cfg, registry=REGISTRY))
            out.append({"status": result.status, "body": result.body})
        except CatalystError as exc:
            out.append({"error": type(exc).__name__, "code": exc.code, "message": exc.message})
    await http.stop()
    sys.stdout.write(json.dumps(out, ensure_ascii=True))


asyncio.run(main())
