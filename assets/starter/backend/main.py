"""Starter API: a FastAPI app, served by uvicorn in the container (see Dockerfile).

Configuration comes from the environment that compose.yaml sets:

* ``DATABASE_URL`` (only when the stack has a database): a libpq URL such as
  ``postgresql://db:5432/app``, without credentials. libpq reads the user and the password
  from ``PGUSER`` and ``PGPASSWORD``, so the URL is passed to psycopg as it is.

Run it locally with ``uvicorn main:app --reload`` (port 8000).
"""

import os

from fastapi import FastAPI, Response, status

DATABASE_URL = os.environ.get("DATABASE_URL")

if DATABASE_URL:
    import psycopg

app = FastAPI(title="API")


@app.get("/api/health")
def health(response: Response) -> dict[str, str]:
    """Answer 200 while the app (and its database, if it has one) works, 503 otherwise."""
    if not DATABASE_URL:
        return {"status": "ok"}
    try:
        with psycopg.connect(DATABASE_URL, connect_timeout=5) as conn:
            conn.execute("select 1")
    except psycopg.Error:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return {"status": "unavailable", "database": "unreachable"}
    return {"status": "ok", "database": "ok"}
