"""The yardstick for bench_ratio.py: a FastAPI hello-world served by the same uvicorn."""

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class Body(BaseModel):
    message: str


@app.post("/hello")
async def hello(body: Body) -> dict[str, str]:
    return {"answer": "hello", "message": body.message}
