"""The followers and announcements pages ask the permission door for "followers". Each role
against each route; a lowered member loses access on the next request."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from shomp.follows import services
from shomp.follows.models import StoreAnnouncement
from shomp.follows.policies import can_follow_store
from shomp.organizations.models import Membership
from shomp.organizations.tests.factories import add_member
from shomp.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db

ROLES = ["owner", "admin", "manager", "support", "fulfilment", "analyst"]
FOLLOWER_PEOPLE = {"owner", "admin", "manager"}


def _world():
    store = StoreFactory()
    users = {"owner": store.owner}
    for role in ROLES[1:]:
        users[role] = add_member(store, role=role).user
    return store, users


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_followers_and_announcements_only_with_followers(client, role):
    store, users = _world()
    client.force_login(users[role])
    followers = client.get(reverse("follows:dashboard_followers"))
    announcements = client.get(reverse("follows:dashboard_announcements"))
    sent = client.post(
        reverse("follows:dashboard_announcements"), {"kind": "news", "title": "Kiln opening", "body": "", "send": "1"}
    )
    if role in FOLLOWER_PEOPLE:
        assert followers.status_code == 200 and announcements.status_code == 200
    else:  # no store where they may do followers: sent to the team page, nothing sent
        assert followers.status_code == 302 and announcements.status_code == 302 and sent.status_code == 302
        assert not StoreAnnouncement.objects.filter(store=store).exists()
    # The owner and full admins run the store rather than follow it.
    assert can_follow_store(users[role], store) == (role not in {"owner", "admin"})
    if role in {"owner", "admin"}:
        with pytest.raises(ValidationError):
            services.follow_store(user=users[role], store=store)


def test_lowering_a_role_takes_effect_on_the_next_request(client):
    _store, users = _world()
    member = users["manager"]
    client.force_login(member)
    url = reverse("follows:dashboard_followers")
    assert client.get(url).status_code == 200
    Membership.objects.filter(user=member).update(role="support")
    assert client.get(url).status_code == 302
