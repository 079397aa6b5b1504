"""`manage.py evaluate_fingerprints [--file FILE]`: recall@10 of author keywords."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from publications.fingerprints.evaluate import K, evaluate
from publications.importing.parsers import parse
from publications.importing.records import ImportedRecord, ImportFormatError
from publications.models import Publication, PublicationKeyword


class Command(BaseCommand):
    help = (
        "Measures the fingerprints: for each publication with author keywords, computes its "
        "fingerprint from title and abstract only and prints how many of its keywords the top "
        f"{K} concepts recover (recall@{K}). With --file, measures the records of an import "
        "file (e.g. a MEDLINE export, whose MeSH terms count as keywords) without importing it."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--file", help="An import file to measure instead of the portal.")

    def handle(self, *args, file: str | None = None, **options) -> None:
        if file:
            try:
                items = parse(Path(file).read_bytes())
            except (OSError, ImportFormatError) as error:
                raise CommandError(f"{file}: {error}") from error
            texts = [
                (item.title, item.abstract, item.keywords)
                for item in items
                if isinstance(item, ImportedRecord)
            ]
            source = file
        else:
            keywords: dict[int, list[str]] = {}
            for publication_id, term in PublicationKeyword.objects.order_by(
                "publication_id", "position"
            ).values_list("publication_id", "keyword__term"):
                keywords.setdefault(publication_id, []).append(term)
            texts = [
                (title, abstract, keywords.get(pk, []))
                for pk, title, abstract in Publication.objects.order_by("pk").values_list(
                    "pk", "title", "abstract"
                )
            ]
            source = "the portal's publications"
        result = evaluate(texts)
        self.stdout.write(
            f"{source}: {result.records} of {len(texts)} records have keywords; the top {K} "
            f"concepts recover {result.found} of their {result.keywords} keywords: "
            f"recall@{K} = {result.recall:.1%} (exact matches only: {result.exact_recall:.1%})."
        )
