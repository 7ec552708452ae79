import factory

from shomp.accounts.tests.factories import UserFactory
from shomp.organizations.services import own_organization
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
