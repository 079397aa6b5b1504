"""The two staff groups: Librarians edit everything and validate (make records public); Editors
enter and edit records but cannot validate or delete. Superusers can do everything."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# What an Editor may add and change (and view everything); never delete, never validate.
EDITABLE = {
    "publication",
    "authorship",
    "person",
    "personnamevariant",
    "membership",
    "keyword",
    "publicationkeyword",
    "publicationstatusentry",
    "publicationlink",
    "journal",
}
EDITOR_CAN = {"add": EDITABLE, "change": EDITABLE}


def create_groups(apps, schema_editor):
    # Permissions are made after migrations run; make this app's now so they can be granted.
    app_config = apps.get_app_config("publications")
    app_config.models_module = True  # the migration state's app stub has none; the call needs one
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    app_permissions = Permission.objects.filter(content_type__app_label="publications")

    librarian, _ = Group.objects.get_or_create(name="Librarian")
    librarian.permissions.set(app_permissions)

    editor, _ = Group.objects.get_or_create(name="Editor")
    granted = [
        permission
        for permission in app_permissions
        if permission.codename.startswith("view_")
        or any(
            permission.codename == f"{action}_{model}"
            for action, models in EDITOR_CAN.items()
            for model in models
        )
    ]
    editor.permissions.set(granted)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Librarian", "Editor"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("publications", "0006_workflow_history_duplicates"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
