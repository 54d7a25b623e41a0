# One image for the web app and the worker (docker-compose.yml runs both from it).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    ENVIRONMENT=production \
    STORAGE_DIR=/data/storage

# WeasyPrint (certificates) loads Pango and HarfBuzz at run time; DejaVu is the fallback font.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /srv/madrina

# Dependencies first, in their own layer, so a code change does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
 && pip install -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt

COPY README.md alembic.ini ./
COPY app ./app
COPY workers ./workers
COPY migrations ./migrations
COPY templates ./templates
COPY static ./static
# Installed in place (-e): app.config.ROOT must find templates/, static/ and migrations/
# next to app/, which a plain install would move into site-packages.
RUN pip install --no-deps -e . \
 && python -m compileall -q app workers migrations

# Run as a user who can write only the storage folder (a volume in docker-compose.yml).
RUN useradd --system --uid 10001 --create-home --home-dir /home/madrina --shell /usr/sbin/nologin madrina \
 && mkdir -p /data/storage \
 && chown madrina:madrina /data/storage
USER madrina

EXPOSE 8000
CMD ["madrina", "serve", "--host", "0.0.0.0", "--workers", "2"]
