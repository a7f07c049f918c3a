# Production image: GOV.UK Frontend built from npm, Python app served by gunicorn.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY scripts/build-static.mjs scripts/
COPY static/src static/src
RUN npm run build

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY ndx ndx
COPY catalogue catalogue
COPY suppliers suppliers
COPY buying buying
COPY reviews reviews
COPY matching matching
RUN pip install --no-cache-dir .
COPY . .
COPY --from=assets /app/static/build static/build
# collectstatic needs production settings (hashed, compressed files) but no real servers.
RUN NDX_ENV=production SECRET_KEY=build-only-key-not-used-at-run-time-0123456789abcdef \
    DATABASE_URL=sqlite:////tmp/build.db REDIS_URL=redis://127.0.0.1:6379/0 ALLOWED_HOSTS=build \
    python manage.py collectstatic --noinput
RUN useradd --create-home ndx && mkdir -p /app/var && chown ndx /app/var
USER ndx
EXPOSE 8000
CMD ["gunicorn", "ndx.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60"]
