"""Each record's full-text vector is kept in its row; the abstract goes out of line instead.

A search vector is about 1.7 KB, a whole record about 3.5 KB. PostgreSQL moves values out of
line (TOAST) until a row fits in about 2 KB: the vector, which it cannot compress, went out,
and the compressed abstract stayed. But a search reads each candidate's vector, to test it
while walking the dates and to rank it, and no search reads an abstract beyond the snippets
of one page. At a million publications, ranking the 1,742 results of `q=habitat` read 13,866
buffers, 30 ms, and walking the dates read each record's vector out of line.

Now the vector is stored MAIN: out of line only if the row would exceed a page. The abstract
is stored EXTERNAL, so it goes out of line first, uncompressed. The rows' target size is
raised to 3,500 bytes. At the default 2 KB, PostgreSQL went on to move the title, the slug
and the authors' names out of line, one more read each for every result shown. At 3,500,
99% of the records keep them in the row, and 28% move their abstract out. Measured after
`VACUUM FULL` at a million publications: walking the dates for the 200 newest matches of a
search took p50 42 ms instead of 98 ms, and ranking 2,000 results 12.8 ms instead of 23.9.
The heap grew from 1.6 to 3.7 GB and its out-of-line table shrank from 1.8 to 0.3 GB.

Only rows written after this migration are laid out so: existing rows keep their vectors out
of line until the table is rewritten, with `VACUUM (FULL, ANALYZE) publications_publication`
and then a plain `VACUUM` of it, which sets the visibility map that VACUUM FULL leaves empty
(the README's "Performance"). That locks the table while it runs, so it is not done here.
"""

from django.db import migrations

TABLE = "ALTER TABLE publications_publication"


class Migration(migrations.Migration):
    dependencies = [("publications", "0024_forget_figures_on_authorships")]

    operations = [
        migrations.RunSQL(
            [
                f"{TABLE} ALTER COLUMN search_vector SET STORAGE MAIN",
                f"{TABLE} ALTER COLUMN abstract SET STORAGE EXTERNAL",
                f"{TABLE} SET (toast_tuple_target = 3500)",
            ],
            [
                f"{TABLE} RESET (toast_tuple_target)",
                f"{TABLE} ALTER COLUMN abstract SET STORAGE EXTENDED",
                f"{TABLE} ALTER COLUMN search_vector SET STORAGE EXTENDED",
            ],
        ),
    ]
