"""Gunicorn settings for `make serve` and `make bench`: WEB_CONCURRENCY workers on loopback PORT,
or on the unix socket (and ports) GUNICORN_BIND names when nginx is in front (roles_site.serve).

Workers: (2 x cores) + 1 sync-style processes by default, each with a few threads (gthread), so
keep-alive connections are held without a process each and a worker blocked on the database does
not stall the others. Override with WEB_CONCURRENCY and GUNICORN_THREADS.
"""

from __future__ import annotations

import os

port = int(os.environ.get("PORT", "8000"))
bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{port}").split(",")

workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1) + 1)
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = 5
# The longest request line gunicorn accepts (its default is 4094, its maximum 8190). A pasted
# search of a few kilobytes reaches the app, which shortens it and says so, instead of meeting
# gunicorn's bare 414 page.
limit_request_line = 8190
timeout = 30
graceful_timeout = 10

# Import Django once in the master: faster worker start, shared memory pages.
preload_app = True

# Several servers may run at once on one machine: nothing shared by a fixed path.
control_socket_disable = True
pidfile = None
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
proc_name = f"roles-{port}"

# Django logs one line per request (roles_site.middleware); gunicorn's own access log would
# repeat it. Gunicorn's error log goes to stdout with the rest.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("DJANGO_LOG_LEVEL", "info").lower()
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "plain",
        }
    },
    "root": {"handlers": ["stdout"], "level": "WARNING"},
    "loggers": {
        "gunicorn.error": {"handlers": ["stdout"], "level": loglevel.upper(), "propagate": False},
        "gunicorn.access": {"handlers": [], "propagate": False},
    },
}
