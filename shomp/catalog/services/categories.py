"""The marketplace's category tree, shipped as data (catalog/data/categories.json).

`sync_categories` creates the categories the file names and that are missing (by slug); it never
renames, moves or deletes one, so the admin's edits stand. Migration 0007 calls it, and so does
every `post_migrate` (a flushed test database loses the migration's rows).
"""

import json
from pathlib import Path

from django.db import transaction

from ..models import Category

CATEGORIES_FILE = Path(__file__).resolve().parent.parent / "data" / "categories.json"


def category_tree_data() -> list[dict]:
    return json.loads(CATEGORIES_FILE.read_text(encoding="utf-8"))


@transaction.atomic
def sync_categories(*, model=Category) -> int:
    """Create the shipped categories that don't exist yet; returns how many were created.
    (`model` lets a migration pass its historical model.)"""
    existing = set(model.objects.values_list("slug", flat=True))
    created = 0

    def add(items: list[dict], parent) -> None:
        nonlocal created
        for position, item in enumerate(items):
            if item["slug"] in existing:
                category = model.objects.get(slug=item["slug"])
            else:
                category = model.objects.create(
                    slug=item["slug"],
                    name=item["name"],
                    description=item.get("description", ""),
                    parent=parent,
                    position=999 if item["slug"] == "other" else position,
                )
                created += 1
            add(item.get("children", []), category)

    add(category_tree_data(), None)
    return created
