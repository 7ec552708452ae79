"""The demo's team: demo-seller's organization "Studio North" with a manager, a support member and
an invitation still waiting.

Called by `seed_demo` inside its transaction, after the users and stores exist. Everything goes
through the organizations services, as the members page would do it: the seller's own
organization (made with their first store) is renamed, and each member joins by an invitation
they accept. Idempotent: members are found by (organization, user) and the waiting invitation by
its address, so a second run makes nothing (a waiting invitation that has expired is sent again).
"""

from __future__ import annotations

from collections import Counter

from django.contrib.auth import get_user_model

from shomp.organizations import services as organizations
from shomp.organizations.areas import Role
from shomp.organizations.models import Invitation, Membership, Organization
from shomp.stores.models import Store

User = get_user_model()

NAME = "Studio North"
DESCRIPTION = (
    "The little studio behind Inkwell & Ash, Fern & Kiln and Purl Theory: prints, pots and knits "
    "made, packed and posted by a small team."
)
OWNER = "demo-seller"
OWNER_STORE = "inkwell-and-ash"  # any store of the owner's: its organization becomes Studio North

#: (who, role, the stores they are limited to; None: every store of the organization).
MEMBERS = [
    ("demo-seller2", Role.MANAGER, ["fern-and-kiln"]),
    ("demo-support", Role.SUPPORT, None),
]

#: An invitation nobody has accepted yet, to see on the members page.
PENDING_EMAIL = "newhelper@example.com"
PENDING_ROLE = Role.FULFILMENT


def seed(*, users: dict, stores: dict[str, Store], created: Counter) -> Organization:
    owner = users[OWNER]
    organization = stores[OWNER_STORE].organization
    if organization.name != NAME:
        organization = organizations.update_organization(
            organization=organization, actor=owner, name=NAME, description=DESCRIPTION
        )
        created["organizations"] += 1
    for username, role, store_slugs in MEMBERS:
        user = users[username]
        if Membership.objects.filter(organization=organization, user=user).exists():
            continue
        store_ids = None if store_slugs is None else [stores[slug].pk for slug in store_slugs]
        invitation = organizations.invite_member(
            organization=organization, actor=owner, email=user.email, role=role, store_ids=store_ids
        )
        organizations.accept_invitation(token=invitation.token, user=user)
        created["organization members"] += 1
    waiting = Invitation.objects.filter(
        organization=organization, email=PENDING_EMAIL, accepted_at__isnull=True, revoked_at__isnull=True
    ).first()
    if waiting is None or waiting.status != Invitation.Status.PENDING:
        organizations.invite_member(organization=organization, actor=owner, email=PENDING_EMAIL, role=PENDING_ROLE)
        created["invitations"] += 1
    return organization
