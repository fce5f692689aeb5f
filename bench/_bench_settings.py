"""Settings for ``bench/bench_cases.py``'s gunicorn server: the project's settings with a benchmark-only URL
config (``bench/_bench_urls.py``). Nothing here is used by the platform itself."""

from fuhe.settings import *  # noqa: F403

ROOT_URLCONF = "_bench_urls"
