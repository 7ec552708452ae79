import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0001_initial"),
        ("stores", "0004_stores_into_organizations"),
    ]

    operations = [
        migrations.AlterField(
            model_name="store",
            name="organization",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="stores", to="organizations.organization"
            ),
        ),
    ]
