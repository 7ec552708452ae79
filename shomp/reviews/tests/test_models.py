"""The database keeps the rules even when code forgets them."""

import pytest
from django.db import IntegrityError, transaction

from shomp.accounts.tests.factories import UserFactory
from shomp.reviews.models import HelpfulVote, ProductRating, Review, ReviewFlag

from .factories import HelpfulVoteFactory, ReviewFactory, ReviewFlagFactory, StoreReviewFactory

pytestmark = pytest.mark.django_db


def refused(make) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


@pytest.mark.parametrize("rating", [0, 6, 100])
def test_rating_is_1_to_5(rating):
    refused(lambda: ReviewFactory(rating=rating))
    assert not Review.objects.exists()


def test_one_review_per_user_per_product_and_one_store_review_per_user_per_store(product, stranger):
    ReviewFactory(product=product, user=stranger)
    refused(lambda: ReviewFactory(product=product, user=stranger))
    StoreReviewFactory(store=product.store, user=stranger)
    refused(lambda: StoreReviewFactory(store=product.store, user=stranger))
    assert Review.objects.count() == 2


def test_one_flag_and_one_helpful_vote_per_user(product):
    review, user = ReviewFactory(product=product), UserFactory()
    ReviewFlagFactory(review=review, user=user)
    refused(lambda: ReviewFlagFactory(review=review, user=user))
    refused(lambda: ReviewFlagFactory(review=review, reason="because"))
    HelpfulVoteFactory(review=review, user=user)
    refused(lambda: HelpfulVoteFactory(review=review, user=user))
    assert (ReviewFlag.objects.count(), HelpfulVote.objects.count()) == (1, 1)


def test_a_summary_row_must_add_up(product):
    refused(lambda: ProductRating.objects.create(product=product, count=2, rating_sum=9, star_5=1))
    refused(lambda: ProductRating.objects.create(product=product, count=1, rating_sum=4, star_5=1))
    refused(lambda: ProductRating.objects.create(product=product, count=-1, rating_sum=-5, star_5=-1))
    ProductRating.objects.create(product=product, count=2, rating_sum=9, star_4=1, star_5=1)


def test_status_is_one_of_three(product):
    refused(lambda: ReviewFactory(product=product, status="deleted"))
