"""Every store into an organization: each store owner gets one (named after them, with them as
its owner member) and all their stores go in it. Nothing else changes, so every owner can do
exactly what they could before. Running it again reuses the organization an owner already has."""

from django.db import migrations


def stores_into_organizations(apps, schema_editor):
    Store = apps.get_model("stores", "Store")
    Organization = apps.get_model("organizations", "Organization")
    Membership = apps.get_model("organizations", "Membership")
    AuditLogEntry = apps.get_model("organizations", "AuditLogEntry")
    owner_ids = Store.objects.filter(organization__isnull=True).values_list("owner_id", flat=True).distinct()
    for owner_id in sorted(set(owner_ids)):
        organization = Organization.objects.filter(owner_id=owner_id).order_by("pk").first()
        if organization is None:
            username = Store.objects.filter(owner_id=owner_id).values_list("owner__username", flat=True).first()
            organization = Organization.objects.create(owner_id=owner_id, name=username[:80])
            AuditLogEntry.objects.create(
                organization=organization, actor_id=owner_id, action="created", object=organization.name
            )
        Membership.objects.get_or_create(
            organization=organization, user_id=owner_id, defaults={"role": "owner", "all_stores": True}
        )
        Store.objects.filter(owner_id=owner_id, organization__isnull=True).update(organization=organization)


def stores_out_of_organizations(apps, schema_editor):
    # The organizations stay (their app's own migrations own them); the stores just leave them,
    # and going forward again puts each back in its owner's organization.
    apps.get_model("stores", "Store").objects.update(organization=None)


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0001_initial"),
        ("stores", "0003_store_organization"),
    ]

    operations = [migrations.RunPython(stores_into_organizations, stores_out_of_organizations)]
