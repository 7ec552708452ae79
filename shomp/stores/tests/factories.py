import factory

from shomp.accounts.models import User
from shomp.accounts.tests.factories import UserFactory
from shomp.organizations import services as organizations
from shomp.organizations.models import Membership
from shomp.organizations.services import own_organization
from shomp.stores import services
from shomp.stores.models import Store


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store

    owner = factory.SubFactory(UserFactory)
    # As create_store does: the owner's own organization, made with their first store.
    organization = factory.LazyAttribute(lambda store: own_organization(user=store.owner))
    name = factory.Sequence(lambda n: f"Store {n}")
    slug = factory.Sequence(lambda n: f"store-{n}")
    description = "Handmade things."


def big_studio(stores: int, members: int):
    """An owner's organization with `stores` stores and `members` managers (every other one
    limited to one store), and a second organization of theirs with as many stores: for query
    budgets. Returns (owner, the first store); members are users "member0", "member1", ...
    (odd ones limited: "member1" to the second store, or the only one)."""
    owner = UserFactory()
    first = services.create_store(owner=owner, name="Store 0", slug="store-0")
    organization = first.organization
    all_stores = [first] + [
        services.create_store(owner=owner, name=f"Store {n}", slug=f"store-{n}") for n in range(1, stores)
    ]
    users = User.objects.bulk_create(User(username=f"member{n}", email=f"m{n}@example.com") for n in range(members))
    memberships = Membership.objects.bulk_create(
        Membership(organization=organization, user=user, role="manager", all_stores=n % 2 == 0)
        for n, user in enumerate(users)
    )
    Through = Membership.stores.through
    Through.objects.bulk_create(
        Through(membership=m, store=all_stores[n % stores]) for n, m in enumerate(memberships) if not m.all_stores
    )
    organizations.sync_store_teams(organization=organization)
    second = organizations.create_organization(owner=owner, name="Other")
    for n in range(stores):
        services.create_store(owner=owner, name=f"Other {n}", slug=f"other-{n}", organization=second)
    return owner, first
