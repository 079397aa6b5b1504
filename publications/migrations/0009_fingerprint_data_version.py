"""The concept facet is among the cached whole-collection figures (publications.figures), so
writes to the fingerprint tables change the data version too, as writes to the tables of
migration 0005 do. (The history, duplicate and vector tables feed no cached figure.)"""

from django.db import migrations

TABLES = ["publications_concept", "publications_publicationconcept"]

CREATE = """
CREATE TRIGGER portal_data_version_insert AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION portal_bump_data_version();
CREATE TRIGGER portal_data_version_update AFTER UPDATE ON {table}
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION portal_bump_data_version();
CREATE TRIGGER portal_data_version_delete AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION portal_bump_data_version();
CREATE TRIGGER portal_data_version_truncate AFTER TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION portal_bump_data_version();
"""
DROP = """
DROP TRIGGER portal_data_version_insert ON {table};
DROP TRIGGER portal_data_version_update ON {table};
DROP TRIGGER portal_data_version_delete ON {table};
DROP TRIGGER portal_data_version_truncate ON {table};
"""


class Migration(migrations.Migration):
    dependencies = [("publications", "0008_fingerprints")]

    operations = [
        migrations.RunSQL(
            "".join(CREATE.format(table=table) for table in TABLES),
            "".join(DROP.format(table=table) for table in TABLES),
        )
    ]
