"""WSGI entry point (gunicorn portal.wsgi).

Django imports the URLconf (and with it every view module) and compiles each template on the
first request that needs them. Under `gunicorn --preload` that work would be repeated by every
worker, on a visitor's request: about 350 ms for the first request after each start. `warm()`
does it once, in the process that loads the application, so the workers fork with it done.
"""

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
    from django.db import connections
    from django.template.loader import get_template
    from django.urls import get_resolver

    get_resolver()._populate()
    folder = Path(settings.BASE_DIR) / "templates"
    for pattern in WARM_TEMPLATES:
        for path in sorted(folder.glob(pattern)):
            get_template(path.relative_to(folder).as_posix())
    connections.close_all()


warm()
