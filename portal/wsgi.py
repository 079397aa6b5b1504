"""WSGI entry point (gunicorn portal.wsgi).

Django imports the URLconf (and with it every view module) and compiles each template on the
first request that needs them. Under `gunicorn --preload` that work would be repeated by every
worker, on a visitor's request: about 350 ms for the first request after each start. `warm()`
does it once, in the process that loads the application, so the workers fork with it done. It
also parses the record page's citation styles, digests the deployment's files and sets up the
caches' shards: a worker's first record page took 175 ms, and the next ones 30.

Then everything it made is frozen out of the garbage collector's reach (`gc.freeze()`): those
objects last as long as the process anyway, yet every full collection walked all of them (about
120,000; 37 to 60 ms each time, paid by one search with three filters in about 33) and wrote to
each one's header, copying the memory pages a worker shares with the parent. In `make bench` at
a million publications (`--seconds 2 --only ... --no-store-figures`, runs alternated), first
visits' p95: OAI-PMH pages deep in a harvest (500 records' rows each) 127.8 → 95.1 ms, three
runs each way; record pages 27.3 → 24.7 ms (p50 19.4 → 17.8) and narrow searches 91.4 → 85.9,
four each way; searches with three filters, broad searches, profiles and the API within the
runs' spread.
"""

import gc
import os
from pathlib import Path

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

application = get_wsgi_application()

# The public pages' templates, compiled before the workers fork; the admin's stay lazy.
WARM_TEMPLATES = ("publications/*.html", "api/*.html", "[0-9]*.html", "base.html")


def warm() -> None:
    """Imports and resolves the URLconf and compiles the public templates, without opening a
    database connection (a connection made before forking would be shared by the workers)."""
    from django.conf import settings
    from django.core.cache import caches
    from django.db import connections
    from django.template.loader import get_template
    from django.urls import get_resolver

    from publications.citations import TABS, render_csl
    from publications.figures import deployment

    get_resolver()._populate()
    folder = Path(settings.BASE_DIR) / "templates"
    for pattern in WARM_TEMPLATES:
        for path in sorted(folder.glob(pattern)):
            get_template(path.relative_to(folder).as_posix())
    for _id, _label, style in TABS:
        if style:  # parsed, and its lookups made, by a reference of every usual part
            render_csl(WARM_REFERENCE, style)
    deployment()  # a digest of the code's files, read once per process
    for alias in settings.CACHES:  # the caches' files opened and checked once, and closed:
        cache = caches[alias]  # diskcache reconnects in each worker, by process id
        getattr(cache, "close_files", cache.close)()
    connections.close_all()
    gc.freeze()  # see above: what the workers inherit is never walked again


WARM_REFERENCE = {
    "id": "warm",
    "type": "article-journal",
    "title": "A reference",
    "author": [{"family": "Author", "given": "An"}, {"family": "Other", "given": "Some"}],
    "issued": {"date-parts": [[2000, 1, 2]]},
    "container-title": "A journal",
    "volume": "1",
    "issue": "2",
    "page": "3-4",
    "DOI": "10.1000/1",
}


warm()
