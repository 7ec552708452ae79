import factory

from shomp.accounts.tests.factories import UserFactory
from shomp.follows.models import Follow, StoreAnnouncement
from shomp.stores.tests.factories import StoreFactory


class FollowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Follow

    user = factory.SubFactory(UserFactory)
    store = factory.SubFactory(StoreFactory)


class AnnouncementFactory(factory.django.DjangoModelFactory):
    """An announcement row without delivery (use services.send_announcement to deliver one)."""

    class Meta:
        model = StoreAnnouncement

    store = factory.SubFactory(StoreFactory)
    author = factory.SelfAttribute("store.owner")
    title = factory.Sequence(lambda n: f"News {n}")
    body = "We have news."
