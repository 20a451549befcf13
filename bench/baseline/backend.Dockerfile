# Baseline: the backend Dockerfile of /work/shared/seed-pattern.md ("Docker Architecture Pattern"),
# fixed just enough to build and start. Every change from the pattern is marked FIX.
FROM python:3.11-slim AS builder
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

FROM python:3.11-slim AS production
WORKDIR /app
COPY --from=builder /usr/local/lib/python3.11/site-packages /usr/local/lib/python3.11/site-packages
COPY . .
RUN useradd -m -u 1000 appuser && chown -R appuser:appuser /app
USER appuser
EXPOSE 8000
# FIX: was ["uvicorn", ...]: only site-packages is copied from the builder, not the `uvicorn`
# console script in /usr/local/bin, so the container stopped with "executable file not found".
CMD ["python", "-m", "uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8000"]
