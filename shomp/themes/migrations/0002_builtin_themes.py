"""Load the shipped themes (data/themes.json). Later changes to the file: sync_themes() or a new
migration calling it the same way."""

import json
from pathlib import Path

from django.db import migrations

THEMES_FILE = Path(__file__).resolve().parent.parent / "data" / "themes.json"


def load(apps, schema_editor):
    Theme = apps.get_model("themes", "Theme")
    for position, data in enumerate(json.loads(THEMES_FILE.read_text())):
        Theme.objects.update_or_create(
            key=data["key"],
            defaults={
                "name": data["name"],
                "description": data["description"],
                "css_variables": data["css_variables"],
                "layout_options": data["layout_options"],
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("themes", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
