"""`manage.py import_publications`: the command's contract in DESIGN.md (formats, states, exit
status, one line per problem, nothing half-written) and the admin's upload page."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import connection

from publications.models import Journal, Person, Publication, WorkflowState

pytestmark = pytest.mark.django_db
BASE_DIR = Path(__file__).resolve().parents[2]

BIBTEX = """\
@string{jbrha = "Journal of Biological Regulators and Homeostatic Agents"}

@article{ghezzi1997,
  author = {Ghezzi, Silvia and Vicenzi, Elisa and van der Zee, Jan},
  title = {Experiences in immune reconstitution},
  journal = jbrha,
  year = {1997},
  month = jan,
  volume = {11},
  number = {1-2},
  pages = {74--78},
  issn = {0393-974X},
  doi = {10.5555/ghezzi.1997},
  keywords = {HIV, IL-2}
}

@article{mueller2001,
  author = {M{\\"u}ller, J{\\"u}rgen and {World Health Organization}},
  title = {Cytokines in {HIV} infection},
  journal = jbrha,
  year = {2001},
  pages = {1--9},
  doi = {10.5555/mueller.2001}
}
"""

RIS_WITH_A_BAD_RECORD = (
    """\
TY  - JOUR
TI  - A good record
AU  - Poli, Guido
JO  - Journal of Biological Regulators and Homeostatic Agents
PY  - 1998
DO  - 10.5555/good.1998
ER  -

TY  - JOUR
AU  - Nobody, Without
JO  - Journal of Biological Regulators and Homeostatic Agents
PY  - 1999
DO  - 10.5555/untitled.1999
ER  -

TY  - JOUR
TI  - Another good record
AU  - Lazzarin, A.
PY  - 2000
ER  -
"""
).replace("ER  -\n", "ER  - \n")  # RIS's end tag has a trailing space


def write(tmp_path: Path, name: str, text: str | bytes) -> str:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return str(path)


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_publications", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_bibtex_file_is_imported_for_validation_and_a_second_run_changes_nothing(tmp_path):
    path = write(tmp_path, "refs.bib", BIBTEX)
    out, err = run(path)
    assert f"{path}: 2 created, 0 updated, 0 unchanged, 0 failed" in out
    assert err == "" or "records" in err  # only the progress bar
    first = Publication.objects.get(doi="10.5555/ghezzi.1997")
    assert first.workflow_state == WorkflowState.FOR_VALIDATION
    assert first.journal.title == "Journal of Biological Regulators and Homeostatic Agents"
    assert [a.display_name for a in first.authorships.order_by("position")] == [
        "S. Ghezzi",
        "E. Vicenzi",
        "J. van der Zee",
    ]
    assert (first.volume, first.issue, first.pages, first.date_precision) == (
        "11",
        "1-2",
        "74-78",
        "month",
    )
    second = Publication.objects.get(doi="10.5555/mueller.2001")
    assert [a.display_name for a in second.authorships.order_by("position")] == [
        "J. Müller",
        "World Health Organization",
    ]
    before = (Publication.objects.count(), Person.objects.count(), Journal.objects.count())
    out, _ = run(path)
    assert "0 created, 0 updated, 2 unchanged, 0 failed" in out
    assert (Publication.objects.count(), Person.objects.count(), Journal.objects.count()) == before


def test_a_bad_record_is_one_line_and_a_non_zero_exit_and_the_others_are_imported(tmp_path):
    path = write(tmp_path, "export.ris", RIS_WITH_A_BAD_RECORD)
    with pytest.raises(CommandError) as raised:
        run(path, "--format", "ris")
    assert raised.value.returncode == 1
    assert set(Publication.objects.values_list("title", flat=True)) == {
        "A good record",
        "Another good record",
    }
    assert not Publication.objects.filter(doi="10.5555/untitled.1999").exists()


def test_the_state_option_makes_records_public_at_once(tmp_path, visitor):
    run(write(tmp_path, "refs.bib", BIBTEX), "--state", "validated")
    publication = Publication.objects.get(doi="10.5555/ghezzi.1997")
    assert visitor.get(publication.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
        b'{"status": "ok", "message": {"DOI": "10.5555/x", "title": ["Cut',
        b"<?xml version='1.0'?><PubmedArticleSet><PubmedArticle><MedlineCitation>",
        b"",
        "TY  - JOUR\nTI  - UTF-16\nER  - \n".encode("utf-16"),
    ],
    ids=["binary", "truncated-json", "truncated-xml", "empty", "utf-16"],
)
def test_an_unreadable_file_writes_nothing_and_says_why_in_one_line(tmp_path, content):
    path = write(tmp_path, "upload.dat", content)
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_publications", path, stdout=out, stderr=err)
    except CommandError as error:
        assert error.returncode == 1
        lines = err.getvalue().strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"{path}: ")
        assert "Traceback" not in err.getvalue()
        assert Publication.objects.count() == 0
    else:
        # A UTF-16 file with a byte-order mark is a readable file.
        assert content.startswith(b"\xff\xfe")
        assert Publication.objects.filter(title="UTF-16").exists()


def test_a_missing_file_and_a_good_file_the_good_one_is_imported(tmp_path):
    good = write(tmp_path, "refs.bib", BIBTEX)
    with pytest.raises(CommandError):
        run(str(tmp_path / "missing.ris"), good)
    assert Publication.objects.count() == 2


def test_the_command_line_prints_no_traceback(tmp_path):
    """As a librarian runs it: exit status 1 and a line naming the file, nothing else."""
    db = connection.settings_dict
    host = quote(db["HOST"] or db["OPTIONS"].get("host", ""), safe="")
    port = db["PORT"] or db["OPTIONS"].get("port") or 5432
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{quote(db['USER'])}:{quote(db['PASSWORD'] or '')}@/"
        f"{db['NAME']}?host={host}&port={port}",
    }
    path = write(tmp_path, "garbage.bib", b"\x00\x01\x02 not a bibliography \xff\xfe")
    result = subprocess.run(
        [sys.executable, "manage.py", "import_publications", path],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0].startswith(f"{path}: ")


# The admin's upload page runs the same engine.


@pytest.fixture
def librarian_user(django_user_model):
    user = django_user_model.objects.create_user("libby", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Librarian"))
    return user


@pytest.fixture
def editor_user(django_user_model):
    user = django_user_model.objects.create_user("eddie", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    return user


def test_a_librarian_uploads_a_file_in_the_admin(client, librarian_user):
    client.force_login(librarian_user)
    page = client.get("/admin/tools/import/")
    assert page.status_code == 200
    assert "Validated (public at once)" in page.content.decode()
    upload = io.BytesIO(BIBTEX.encode())
    upload.name = "refs.bib"
    response = client.post(
        "/admin/tools/import/", {"file": upload, "format": "auto", "state": "for_validation"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert '<data value="2">2</data> created' in html
    assert "Experiences in immune reconstitution" in html
    publication = Publication.objects.get(doi="10.5555/ghezzi.1997")
    assert publication.history.get().history_user == librarian_user


def test_an_editor_cannot_import_validated_records(client, editor_user):
    client.force_login(editor_user)
    assert "Validated (public at once)" not in client.get("/admin/tools/import/").content.decode()
    upload = io.BytesIO(BIBTEX.encode())
    upload.name = "refs.bib"
    response = client.post("/admin/tools/import/", {"file": upload, "state": "validated"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Publication.objects.count() == 0


def test_an_unreadable_upload_is_refused_with_a_message(client, librarian_user):
    client.force_login(librarian_user)
    upload = io.BytesIO(b"\x00\x01 garbage")
    upload.name = "garbage.ris"
    response = client.post(
        "/admin/tools/import/", {"file": upload, "format": "auto", "state": "for_validation"}
    )
    assert response.status_code == 200
    assert "This file cannot be imported" in response.content.decode()
    assert Publication.objects.count() == 0


def test_visitors_never_reach_the_import_page(client, django_user_model):
    response = client.get("/admin/tools/import/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(django_user_model.objects.create_user("plain", password="pw"))
    response = client.get("/admin/tools/import/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_admin_index_links_the_librarian_tools(client, librarian_user, editor_user):
    client.force_login(librarian_user)
    page = client.get("/admin/").content.decode()
    assert 'href="/admin/tools/import/">Import publications' in page
    assert 'href="/admin/tools/duplicates/">Possible duplicates' in page
    assert "?workflow_state__exact=for_validation" in page


HOSTILE_RIS = (
    "TY  - JOUR\n"
    "TI  - <script>alert('title')</script> Hostile\x07 title\n"
    "AU  - <img src=x onerror=alert(1)>, Mallory\n"
    "JO  - <b onmouseover=alert(2)>Journal</b>\n"
    "KW  - <script>alert('kw')</script>\n"
    "AB  - <p>Fine <i>text</i></p><script>alert('abstract')</script>\n"
    "PY  - 2020\n"
    "DO  - 10.5555/hostile.1\n"
    "ER  - \n"
)


def test_hostile_text_is_stored_safely_and_inert_on_every_page_and_export(tmp_path, visitor):
    run(write(tmp_path, "hostile.ris", HOSTILE_RIS), "--state", "validated")
    publication = Publication.objects.get(doi="10.5555/hostile.1")
    assert "\x07" not in publication.title  # control characters are not stored
    assert "<script>" not in publication.abstract  # the abstract is sanitised on the way in
    url = publication.get_absolute_url()
    for address in [
        url,
        url + "cite/?style=ieee",
        "/publications/?q=hostile",
        "/feeds/publications/",
        publication.journal.get_absolute_url(),
    ]:
        body = visitor.get(address).content.decode()
        assert "<script>alert" not in body, address
        assert "<img src=x" not in body and "<b onmouseover" not in body, address
    json_export = visitor.get(url + "export.json").content.decode()
    assert "Hostile" in json_export and "alert('abstract')" not in json_export
