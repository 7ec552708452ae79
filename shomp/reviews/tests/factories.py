import factory

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog.tests.factories import ProductFactory
from shomp.reviews.models import HelpfulVote, Review, ReviewFlag, ReviewPhoto, ReviewResponse


class ReviewFactory(factory.django.DjangoModelFactory):
    """A published product review written straight to the table: the summaries are NOT updated.

    Use `shomp.reviews.services.create_review` (or `calculate_ratings` after the factory) when a
    test looks at averages and counts."""

    class Meta:
        model = Review

    product = factory.SubFactory(ProductFactory)
    store = factory.LazyAttribute(lambda o: o.product.store if o.product else None)
    user = factory.SubFactory(UserFactory)
    rating = 4
    title = factory.Sequence(lambda n: f"Review {n}")
    content = "Lovely, arrived quickly."


class StoreReviewFactory(ReviewFactory):
    product = None
    store = factory.SubFactory("shomp.stores.tests.factories.StoreFactory")


class ReviewPhotoFactory(factory.django.DjangoModelFactory):
    """A photo row naming a stored file without writing it (cheap for list pages)."""

    class Meta:
        model = ReviewPhoto

    review = factory.SubFactory(ReviewFactory)
    image = factory.Sequence(lambda n: f"reviews/photos/test-{n}.jpg")
    thumbnail = factory.Sequence(lambda n: f"reviews/photos/thumbs/test-{n}.jpg")
    width = 640
    height = 480
    position = factory.Sequence(lambda n: n)


class ReviewResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewResponse

    review = factory.SubFactory(ReviewFactory)
    store = factory.LazyAttribute(lambda o: o.review.store)
    content = "Thank you for your kind words!"
    author = factory.LazyAttribute(lambda o: o.review.store.owner)


class ReviewFlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewFlag

    review = factory.SubFactory(ReviewFactory)
    user = factory.SubFactory(UserFactory)
    reason = ReviewFlag.Reason.SPAM


class HelpfulVoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HelpfulVote

    review = factory.SubFactory(ReviewFactory)
    user = factory.SubFactory(UserFactory)
