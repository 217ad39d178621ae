# One image for every role: the web app (the default command), the workers
# (`python -m workers`) and the one-off migration (`flask --app wsgi db upgrade`).
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    INSTANCE_PATH=/srv/desk/instance

RUN useradd --system --uid 10001 --user-group --home-dir /srv/desk --no-create-home desk

WORKDIR /srv/desk/app

# The locked dependencies first, every file checked against its hash: this layer is
# rebuilt only when the lock changes.  (pip notes that the lock's local index folders
# are missing here; it installs from PyPI.)
COPY requirements/base.lock requirements/base.lock
RUN python -m pip install --no-cache-dir --require-hashes -r requirements/base.lock

# Then the project alone.  The code runs from this folder: Alembic reads the migrations
# from models/migrations here, and gunicorn_conf.py sits beside wsgi.py.
COPY . .
RUN python -m pip install --no-cache-dir --no-deps --no-build-isolation . \
    && mkdir -p /srv/desk/instance \
    && chown desk:desk /srv/desk/instance

USER desk

EXPOSE 8000

# The production command of the README; inside a container it binds every interface
# of the container, and compose publishes the port to the host's loopback only.
CMD ["gunicorn", "-c", "gunicorn_conf.py", "--workers", "4", "--bind", "0.0.0.0:8000", "wsgi:app"]
