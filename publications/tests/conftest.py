"""The browser tests' fixtures (publications/tests/browser.py), for the modules that ask for them:
each is module-scoped, so each such module gets its own server and browser."""

from publications.tests.browser import (  # noqa: F401
    browser,
    chromium,
    collected_var_dir,
    librarian_state,
    server,
)
