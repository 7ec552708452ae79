"""The organizations app's addresses and store addresses (/<store_slug>/) never meet.

The app's routes start with "dashboard" or "organizations", both reserved store slugs (and
usernames); "invitations" is only the second segment of the invitation link, so a store may be
called that without hiding the link, and the link never hides the store."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import get_resolver

from shomp.accounts.tests.factories import UserFactory
from shomp.core.reserved import RESERVED_WORDS
from shomp.organizations import urls as organization_urls
from shomp.organizations.services import invite_member
from shomp.stores.services import create_store

TOKEN = "A" * 43  # the shape of a real link's token


def test_every_first_segment_of_the_apps_routes_is_reserved():
    segments = {str(pattern.pattern).split("/", 1)[0] for pattern in organization_urls.urlpatterns}

    assert segments == {"dashboard", "organizations"}
    assert segments <= RESERVED_WORDS
    assert get_resolver().resolve(f"/organizations/invitations/{TOKEN}/").url_name == "invitation"


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["organizations", "dashboard", "Organizations"])
def test_a_store_cant_take_an_address_of_the_organization_pages(slug):
    with pytest.raises(ValidationError, match="reserved by Shomp"):
        create_store(owner=UserFactory(), name="Team shop", slug=slug)


@pytest.mark.django_db
def test_a_store_called_invitations_and_the_invitation_link_both_work(client):
    owner = UserFactory()
    store = create_store(owner=owner, name="Invitations", slug="invitations")
    invitation = invite_member(organization=store.organization, actor=owner, email="helper@example.com", role="support")

    assert client.get("/invitations/").context["store"] == store
    response = client.get(f"/organizations/invitations/{invitation.token}/")
    assert response.status_code == 200
    assert response.context["invitation"] == invitation
