"""Publication vectors carry whether the publication is public, and only public ones are in the
publication HNSW index. Triggers keep the flag: set from the publication when a vector is
written, and changed on every vector of a publication whose workflow state or visibility changes
(the admin, bulk actions, imports and merges all write through the table), and the vectors of
a deleted publication go with it (a vector has no foreign key: it may be a person's)."""

import pgvector.django.indexes
from django.db import migrations, models

SQL = """
CREATE FUNCTION portal_fingerprint_public() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.kind = 'publication' THEN
        NEW.public := EXISTS (
            SELECT 1 FROM publications_publication p
            WHERE p.id = NEW.object_id AND p.workflow_state = 'validated'
              AND p.visibility = 'public'
        );
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER portal_fingerprint_public BEFORE INSERT OR UPDATE OF kind, object_id
    ON publications_fingerprintvector
    FOR EACH ROW EXECUTE FUNCTION portal_fingerprint_public();

CREATE FUNCTION portal_publication_public_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE publications_fingerprintvector v
    SET public = (n.workflow_state = 'validated' AND n.visibility = 'public')
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE v.kind = 'publication' AND v.object_id = n.id
      AND (n.workflow_state, n.visibility) IS DISTINCT FROM (o.workflow_state, o.visibility);
    RETURN NULL;
END $$;
CREATE TRIGGER portal_publication_public_changed AFTER UPDATE ON publications_publication
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION portal_publication_public_changed();

CREATE FUNCTION portal_publication_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM publications_fingerprintvector v USING old_rows o
    WHERE v.kind = 'publication' AND v.object_id = o.id;
    RETURN NULL;
END $$;
CREATE TRIGGER portal_publication_deleted AFTER DELETE ON publications_publication
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION portal_publication_deleted();

-- Vectors of publications deleted before this trigger existed.
DELETE FROM publications_fingerprintvector v
WHERE v.kind = 'publication'
  AND NOT EXISTS (SELECT 1 FROM publications_publication p WHERE p.id = v.object_id);
UPDATE publications_fingerprintvector v SET public = false
WHERE v.kind = 'publication' AND NOT EXISTS (
    SELECT 1 FROM publications_publication p
    WHERE p.id = v.object_id AND p.workflow_state = 'validated' AND p.visibility = 'public'
);
"""
REVERSE = """
DROP TRIGGER portal_publication_deleted ON publications_publication;
DROP FUNCTION portal_publication_deleted();
DROP TRIGGER portal_publication_public_changed ON publications_publication;
DROP FUNCTION portal_publication_public_changed();
DROP TRIGGER portal_fingerprint_public ON publications_fingerprintvector;
DROP FUNCTION portal_fingerprint_public();
"""


class Migration(migrations.Migration):

    dependencies = [
        ('publications', '0009_fingerprint_data_version'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='fingerprintvector',
            name='fingerprint_publication_hnsw',
        ),
        migrations.AddField(
            model_name='fingerprintvector',
            name='public',
            field=models.BooleanField(db_default=True, editable=False, help_text="Whether the publication is public (validated and public). Kept by database triggers (migration 0010); persons' and organisations' vectors are always true."),
        ),
        migrations.RunSQL(SQL, REVERSE),
        migrations.AddIndex(
            model_name='fingerprintvector',
            index=pgvector.django.indexes.HnswIndex(condition=models.Q(('kind', 'publication'), ('public', True)), fields=['vector'], name='fingerprint_publication_hnsw', opclasses=['sparsevec_cosine_ops']),
        ),
    ]
