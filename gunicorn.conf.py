"""Production gunicorn settings, read by `gunicorn aftersales.wsgi` run from the repo root
(gunicorn loads ./gunicorn.conf.py by itself; elsewhere pass `-c path/to/gunicorn.conf.py`).

- gthread workers keep client connections open (keep-alive), so an API client that
  sends many requests pays for one TCP connection, not one per request.
- Two worker processes per core by default (WEB_CONCURRENCY overrides): intake is
  Python CPU work, so processes, not threads, use the cores; the second process per
  core works while the first waits on the database.
- The application is loaded once in the master (preload) and the triage classifier
  (scikit-learn and the model, ≈ 1 s of CPU) is loaded there too, before the workers
  fork: no worker spends its first request loading it, and they share its memory.
  No database connection is opened before the fork.
"""

import os

wsgi_app = "aftersales.wsgi"
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1)))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
preload_app = True


def on_starting(server) -> None:
    # With preload_app the application (and Django) is already loaded here.
    from django.db import connections

    from aftersales.triage import classifier

    try:
        classifier.classify("收到的商品有质量问题")  # imports sklearn, loads the model
    except classifier.ModelMissing:
        pass  # the first intake reports it
    connections.close_all()
