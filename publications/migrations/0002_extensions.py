from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    """pg_trgm (misspelt names, "Did you mean") and unaccent ("Ghézzi" finds Ghezzi) for search."""

    dependencies = [("publications", "0001_initial")]

    operations = [TrigramExtension(), UnaccentExtension()]
