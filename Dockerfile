# HTTP mode for production: migrations, then the server on $PORT with a health check.
FROM python:3.11-slim

# The uv that pyproject.toml's tool.uv.required-version names (uv refuses to run on any other).
ARG UV_VERSION=0.13.9
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PORT=3000 \
    UV_NO_CACHE=1 UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH
WORKDIR /app

COPY pyproject.toml uv.lock README.md alembic.ini ./
COPY bot ./bot
COPY migrations ./migrations
# Exactly the versions in uv.lock, without the test tools.
RUN pip install "uv==${UV_VERSION}" \
  && uv sync --locked --no-editable --python /usr/local/bin/python \
  && pip uninstall -y uv \
  && useradd --create-home --uid 10001 bot && chown -R bot /app

USER bot
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
  CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz', timeout=2)"

CMD ["sh", "-c", "python -m bot migrate && exec python -m bot serve"]
