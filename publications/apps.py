from django.apps import AppConfig


class PublicationsConfig(AppConfig):
    name = "publications"
    verbose_name = "Research output"

    def ready(self) -> None:
        from publications import figures  # noqa: F401  (reads each connection's identity)
