"""The caches' backend: diskcache's, kept open from one request to the next.

Django closes every cache when a request ends. diskcache then closes its SQLite shards, and the
next request opens them again: a connection, the settings read back and about ten PRAGMAs per
shard, 3.6 ms for nine reads against 0.06 ms on open connections, on every page (a page kept
for visitors costs about 3 ms in all). diskcache's connections are per thread, reopened after a
fork (it compares process ids) and in autocommit, so an open one holds no lock or snapshot
between requests.
"""

from diskcache import DjangoCache


class DiskCache(DjangoCache):
    def close(self, **kwargs) -> None:
        """Called by Django after every request: the connections stay open (see above)."""

    def close_files(self) -> None:
        """Closes this thread's connections to the shards (before a fork, say)."""
        super().close()
