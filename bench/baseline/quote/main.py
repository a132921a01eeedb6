"""Hand-written FastAPI equivalent of the bench fixture bench/fixtures/projects/quote (bench/app.ts):
transform → condition → respond, written as a developer would by hand.
"""

import os

from fastapi import FastAPI
from pydantic import BaseModel, Field

BULK_DISCOUNT = float(os.environ.get("BULK_DISCOUNT", "0.1"))

app = FastAPI(title="quote (hand-written)")


class QuoteIn(BaseModel):
    sku: str = Field(min_length=1, max_length=64)
    quantity: int = Field(ge=1)
    unitPrice: float = Field(ge=0)


@app.post("/quote")
async def quote(body: QuoteIn):
    subtotal = round(body.quantity * body.unitPrice, 2)
    if body.quantity >= 10:
        return {"sku": body.sku, "quantity": body.quantity, "subtotal": subtotal, "discount": BULK_DISCOUNT, "total": round(subtotal * (1 - BULK_DISCOUNT), 2)}
    return {"sku": body.sku, "quantity": body.quantity, "subtotal": subtotal, "discount": 0, "total": subtotal}


@app.get("/health")
async def health():
    return {"status": "ok"}
