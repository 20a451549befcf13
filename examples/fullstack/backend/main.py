"""Items API: a small FastAPI backend storing items in PostgreSQL.

Configuration comes from the environment:

* ``DATABASE_URL``: a libpq connection URL, e.g. ``postgresql://shop_app@db:5432/shop``.
  It carries no password: libpq reads it from ``PGPASSWORD`` (or another standard
  libpq source such as ``PGPASSFILE``), so the URL is passed to psycopg as it is.

Run with ``uvicorn main:app``.
"""

import asyncio
import hashlib
import logging
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

import psycopg
from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse
from psycopg.rows import class_row
from pydantic import BaseModel, Field

logger = logging.getLogger("uvicorn.error")


def load_file_secrets() -> None:
    """Apply the ``*_FILE`` convention: ``PGPASSWORD_FILE=/run/secrets/x`` sets ``PGPASSWORD``.

    With file-based secrets the stack passes the path of each secret file instead of its value;
    a variable that is already set directly wins.
    """
    for name, path in list(os.environ.items()):
        if name.endswith("_FILE") and len(name) > 5:
            target = name[: -len("_FILE")]
            if target not in os.environ:
                with open(path, encoding="utf-8") as f:
                    os.environ[target] = f.read().rstrip("\n")


load_file_secrets()

#: How long startup waits for the database to accept connections, in seconds.
STARTUP_DB_TIMEOUT = 30.0
#: libpq connect timeout for a single attempt, in seconds.
CONNECT_TIMEOUT = 5

SCHEMA = """
create table if not exists items (
    id serial primary key,
    name text not null,
    created_at timestamptz not null default now()
)
"""


class ItemIn(BaseModel):
    """Body of ``POST /api/items``."""

    name: str = Field(min_length=1, max_length=200)


class Item(BaseModel):
    """An item as stored in the database."""

    id: int
    name: str
    created_at: datetime


class Health(BaseModel):
    """Body of ``GET /api/health``."""

    status: str


class UploadResult(BaseModel):
    """Size and SHA-256 digest of an uploaded request body."""

    bytes: int
    sha256: str


def connect() -> psycopg.Connection:
    """Open a new database connection from ``DATABASE_URL``.

    Use it as a context manager: the transaction is committed on success,
    rolled back on error, and the connection is closed either way.
    """
    return psycopg.connect(os.environ["DATABASE_URL"], connect_timeout=CONNECT_TIMEOUT)


def init_db(timeout: float = STARTUP_DB_TIMEOUT) -> None:
    """Create the schema, retrying the connection for up to ``timeout`` seconds.

    The database may still be starting when the API starts; the last
    connection error is raised once the time is up.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            with connect() as conn:
                conn.execute(SCHEMA)
            return
        except psycopg.OperationalError as exc:
            if time.monotonic() >= deadline:
                raise
            logger.warning("Database not ready (%s); retrying", " ".join(str(exc).split()))
            time.sleep(1)


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    """Prepare the database before the app starts serving requests."""
    await asyncio.to_thread(init_db)
    yield


app = FastAPI(title="Items API", lifespan=lifespan)


# Database endpoints are plain ``def``: FastAPI runs them in a thread pool, so the
# blocking psycopg calls do not stall the event loop.


@app.get("/api/health", response_model=Health, responses={503: {"model": Health}})
def health() -> Health | JSONResponse:
    """Report whether the database answers ``select 1``."""
    try:
        with connect() as conn:
            conn.execute("select 1")
    except psycopg.Error:
        return JSONResponse(
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
            content={"status": "unavailable"},
        )
    return Health(status="ok")


@app.get("/api/items")
def list_items() -> list[Item]:
    """Return all items, oldest first."""
    with connect() as conn, conn.cursor(row_factory=class_row(Item)) as cur:
        cur.execute("select id, name, created_at from items order by id")
        return cur.fetchall()


@app.post("/api/items", status_code=status.HTTP_201_CREATED)
def create_item(item: ItemIn) -> Item:
    """Store a new item and return it."""
    with connect() as conn, conn.cursor(row_factory=class_row(Item)) as cur:
        cur.execute(
            "insert into items (name) values (%s) returning id, name, created_at",
            (item.name,),
        )
        created = cur.fetchone()
    assert created is not None
    return created


@app.post("/api/upload")
async def upload(request: Request) -> UploadResult:
    """Stream the raw request body, returning its size and SHA-256 digest.

    The body is never held in memory as a whole, so large uploads are fine
    (as far as any proxy in front allows).
    """
    digest = hashlib.sha256()
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        digest.update(chunk)
    return UploadResult(bytes=size, sha256=digest.hexdigest())
