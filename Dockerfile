# HTTP mode for production: migrations, then the server on $PORT with a health check.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PORT=3000
WORKDIR /app

COPY pyproject.toml README.md alembic.ini ./
COPY bot ./bot
COPY migrations ./migrations
RUN pip install . && useradd --create-home --uid 10001 bot && chown -R bot /app

USER bot
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
  CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz', timeout=2)"

CMD ["sh", "-c", "python -m bot migrate && exec python -m bot serve"]
