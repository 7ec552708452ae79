"""Conversations can be assigned to a team member; saved replies can be shared with the
organization. Every existing reply stays its store's, under its title and content.

Titles become unique per scope whatever their case (the services always refused "Hi" beside
"hi"; only the admin could make such a pair): a pair found anyway keeps the first one's title
and gives the others a " (2)", " (3)"... suffix rather than losing one."""

import django.db.models.deletion
import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models


def tell_apart_case_twins(apps, schema_editor):
    SavedReply = apps.get_model("messaging", "SavedReply")
    seen: dict[tuple[int, str], int] = {}
    for reply in SavedReply.objects.order_by("store_id", "pk").only("pk", "store_id", "title"):
        key = (reply.store_id, reply.title.lower())
        count = seen.get(key, 0) + 1
        seen[key] = count
        if count > 1:
            title = f"{reply.title[:74]} ({count})"
            while SavedReply.objects.filter(store_id=reply.store_id, title__iexact=title).exists():
                count += 1
                title = f"{reply.title[:74]} ({count})"
            SavedReply.objects.filter(pk=reply.pk).update(title=title)


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0002_attachments_processed_by_the_worker"),
        ("organizations", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="conversation",
            name="assigned_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="conversation",
            name="assigned_to",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddIndex(
            model_name="conversation",
            index=models.Index(
                condition=models.Q(("assigned_to__isnull", False)),
                fields=["assigned_to", "-last_message_at"],
                name="messaging_assigned_latest",
            ),
        ),
        migrations.RemoveConstraint(
            model_name="savedreply",
            name="messaging_saved_reply_title_per_store",
        ),
        migrations.AddField(
            model_name="savedreply",
            name="organization",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="saved_replies",
                to="organizations.organization",
            ),
        ),
        migrations.AlterField(
            model_name="savedreply",
            name="store",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="saved_replies",
                to="stores.store",
            ),
        ),
        migrations.RunPython(tell_apart_case_twins, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="savedreply",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("organization__isnull", True), ("store__isnull", False)),
                    models.Q(("organization__isnull", False), ("store__isnull", True)),
                    _connector="OR",
                ),
                name="messaging_saved_reply_one_scope",
            ),
        ),
        migrations.AddConstraint(
            model_name="savedreply",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("title"),
                models.F("store"),
                condition=models.Q(("store__isnull", False)),
                name="messaging_saved_reply_title_per_store",
            ),
        ),
        migrations.AddConstraint(
            model_name="savedreply",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("title"),
                models.F("organization"),
                condition=models.Q(("organization__isnull", False)),
                name="messaging_saved_reply_title_per_organization",
            ),
        ),
    ]
