"""One-shot migration: creates the schema, then exits (0 on success).

Run by a one-shot job before the API starts (see BackendProcess with oneShot in the stack).
"""

import os

import psycopg

from main import SCHEMA, load_file_secrets

if __name__ == "__main__":
    load_file_secrets()
    with psycopg.connect(os.environ["DATABASE_URL"], connect_timeout=10) as conn:
        conn.execute(SCHEMA)
    print("migrations applied")
