"""The settings page's activity list reads as a sentence: nobody "joined helper", and renames
say what the organization is called now."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.utils.html import strip_tags

from shomp.accounts.tests.factories import UserFactory
from shomp.organizations import services
from shomp.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


def activity(client, user) -> list[str]:
    client.force_login(user)
    html = client.get("/dashboard/organization/settings/").text
    log = html.split('id="audit-log"', 1)[1]
    items = re.findall(r"<li[^>]*>(.*?)</li>", log, flags=re.S)
    return [" ".join(strip_tags(item).split()) for item in items]


def test_the_activity_list_reads_as_sentences(client):
    store = StoreFactory(owner__username="maker")
    owner = store.owner
    services.update_organization(organization=store.organization, actor=owner, name="Studio North")
    helper = UserFactory(username="helper")
    EmailAddress.objects.create(user=helper, email=helper.email, verified=True, primary=True)
    invitation = services.invite_member(
        organization=store.organization, actor=owner, email=helper.email, role="support"
    )
    services.accept_invitation(token=invitation.token, user=helper)

    lines = [line.rsplit(" ", 4)[0] for line in activity(client, owner)]  # without the date

    assert lines[0].startswith("helper joined as support")
    assert "joined helper" not in " ".join(lines)
    assert any(line.startswith("maker invited h***@example.com as support") for line in lines)
    assert any(line.startswith("maker changed the name or description (now “Studio North”)") for line in lines)
    assert lines[-1].startswith("maker created the organization")
