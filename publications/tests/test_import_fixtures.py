"""Every real export among the fixtures goes through the whole import (parser and engine): its
records become publications, nothing fails, and importing the file again changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from publications.importing.engine import Importer
from publications.importing.parsers import parse
from publications.importing.records import ImportedRecord
from publications.models import Authorship, Journal, Keyword, Person, Publication

pytestmark = pytest.mark.django_db
FIXTURES = sorted(
    path for path in (Path(__file__).parent / "data" / "import").iterdir() if path.suffix != ".md"
)


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Publication, Person, Journal, Keyword, Authorship))


@pytest.mark.parametrize("path", FIXTURES, ids=[path.name for path in FIXTURES])
def test_a_real_export_imports_whole_and_a_second_import_changes_nothing(path):
    items = list(parse(path.read_bytes()))
    records = [item for item in items if isinstance(item, ImportedRecord)]
    summary = Importer().run(items)
    assert summary.messages == []
    assert summary.created == len(records) == Publication.objects.count()
    for publication in Publication.objects.all():
        assert publication.workflow_state == "for_validation"
        assert publication.title
    before = counts()
    again = Importer().run(list(parse(path.read_bytes())))
    assert (again.created, again.failed) == (0, 0)
    assert again.unchanged + again.updated == len(records)
    assert again.updated == 0
    assert counts() == before
