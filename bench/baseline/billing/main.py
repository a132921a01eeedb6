"""Hand-written FastAPI equivalent of the generated billing app's POST /charge (bench/app.ts, bench/coldstart.ts).

What a developer would write by hand for projects/billing/workflows/{charge,invoice,tax}.yaml: a pydantic
input model, the sub-workflows as plain async functions awaited in-process, the same 1 ms `delay` the
invoice workflow has, the same log line the `audit` node writes, and the same response bodies.
No request ids, metrics, structured logs or error envelopes: that is what the comparison measures.
"""

import asyncio
import logging
import os

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

CURRENCY = os.environ.get("CURRENCY", "EUR")
TAX_RATE = float(os.environ.get("TAX_RATE", "0.2"))

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
log = logging.getLogger("billing")

app = FastAPI(title="billing (hand-written)")


class ChargeIn(BaseModel):
    customerId: str = Field(min_length=1)
    amount: float
    memo: str | None = Field(default=None, max_length=200)


async def tax(amount: float) -> dict:
    return {"rate": TAX_RATE, "tax": round(amount * TAX_RATE, 2)}


async def invoice(customer_id: str, amount: float, memo: str) -> dict:
    t = await tax(amount)
    await asyncio.sleep(0.001)
    return {
        "invoiceId": f"inv_{customer_id}_{round(amount * 100)}",
        "customerId": customer_id,
        "memo": memo,
        "net": amount,
        "tax": t["tax"],
        "total": round(amount + t["tax"], 2),
        "currency": CURRENCY,
    }


@app.post("/charge", status_code=201)
async def charge(body: ChargeIn):
    if not body.amount > 0:
        return JSONResponse(status_code=422, content={"error": "invalid_amount", "message": f"amount must be positive, got {body.amount}"})
    inv = await invoice(body.customerId, body.amount, body.memo or "monthly charge")
    log.info("charged %s: %s %s", body.customerId, inv["total"], CURRENCY)
    return inv


@app.get("/health")
async def health():
    return {"status": "ok"}
