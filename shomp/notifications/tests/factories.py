import factory

from shomp.accounts.tests.factories import UserFactory
from shomp.notifications.models import Notification, NotificationType


class NotificationFactory(factory.django.DjangoModelFactory):
    """An unread store announcement for a new user (pass type/data/read_at to change it)."""

    class Meta:
        model = Notification

    user = factory.SubFactory(UserFactory)
    type = NotificationType.STORE_ANNOUNCEMENT
    title = factory.Sequence(lambda n: f"Notice {n}")
    content = "Something happened."
    key = factory.Sequence(lambda n: f"test:{n}")
    data = factory.LazyFunction(lambda: {"url": "/stores/"})
