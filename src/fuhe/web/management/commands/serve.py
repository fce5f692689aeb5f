"""fuhe serve: migrate, collect static files and serve the platform with gunicorn (WSGI)."""

from __future__ import annotations

import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connections


class Command(BaseCommand):
    help = "Serve Fuhe over HTTP with gunicorn (migrations and static files are prepared first)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=settings.FUHE_BIND)
        parser.add_argument("--workers", type=int, default=settings.FUHE_WORKERS)
        parser.add_argument("--threads", type=int, default=settings.FUHE_THREADS)
        parser.add_argument("--no-prepare", action="store_true", help="skip migrate and collectstatic")
        parser.add_argument("--no-worker", action="store_true", help="do not start the background worker")

    def handle(self, *args, **options):
        if not options["no_prepare"]:
            call_command("migrate", interactive=False, verbosity=0)
            call_command("collectstatic", interactive=False, verbosity=0)
        from gunicorn.app.base import BaseApplication

        from fuhe.wsgi import application

        class Server(BaseApplication):
            def load_config(self):
                self.cfg.set("bind", options["bind"])
                self.cfg.set("workers", options["workers"])
                self.cfg.set("threads", options["threads"])
                self.cfg.set("accesslog", "-" if options["verbosity"] > 1 else None)

            def load(self):
                return application

        worker = None
        if not options["no_worker"]:
            # the timers (deadline warnings, escalation) run in a huey consumer beside the web server
            worker = subprocess.Popen([sys.executable, "-m", "fuhe.cli", "run_huey", "--quiet"])  # noqa: S603
        self.stdout.write(f"Fuhe serving on http://{options['bind']}/  (Ctrl-C stops)")
        # the workers are forked from this process: none may inherit its database connection (SQLite forbids
        # using a connection across fork, and a worker would share the writer lock's file description)
        connections.close_all()
        try:
            Server().run()
        finally:
            if worker is not None:
                worker.terminate()
