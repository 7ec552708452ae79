"""Reviews racing each other, with real threads and real transactions (PostgreSQL only: on SQLite
every write transaction takes the whole database, so there are no row locks to get wrong)."""

import threading
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog.tests.factories import ProductFactory
from shomp.orders.tests.factories import OrderFactory, OrderItemFactory
from shomp.reviews import services
from shomp.reviews.models import ProductRating, Review, ReviewModeration, StoreRating

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks only exist on PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def run_together(count: int, work: Callable[[int], object]) -> list[tuple[str, object]]:
    barrier = threading.Barrier(count)
    results: list[tuple[str, object]] = [("not run", None)] * count

    def target(index: int) -> None:
        try:
            barrier.wait(timeout=20)
            results[index] = ("ok", work(index))
        except BaseException as error:
            results[index] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a review write hung"
    return results


def buyer_of(product):
    """A user with a paid order of `product`: the store takes reviews from buyers only (the default)."""
    user = UserFactory()
    OrderItemFactory(order=OrderFactory(buyer=user, store=product.store), product=product)
    return user


def test_reviews_written_at_once_are_all_counted_once():
    product = ProductFactory()
    users = [buyer_of(product) for _ in range(8)]

    results = run_together(8, lambda i: services.create_review(user=users[i], product=product, rating=1 + i % 5))

    assert [outcome for outcome, _ in results] == ["ok"] * 8
    expected = services.computed_ratings(product=product)[("product", product.pk)]
    assert ProductRating.objects.get(pk=product.pk).as_tuple() == expected == (8, 21, 2, 2, 2, 1, 1)
    assert StoreRating.objects.get(pk=product.store_id).as_tuple() == expected


def test_the_same_review_submitted_twice_at_once_is_made_once():
    product = ProductFactory()
    user = buyer_of(product)

    results = run_together(2, lambda i: services.create_review(user=user, product=product, rating=5))

    assert sorted(outcome for outcome, _ in results) == ["error", "ok"]
    error = next(value for outcome, value in results if outcome == "error")
    assert isinstance(error, ValidationError) and "already reviewed" in str(error)
    assert Review.objects.count() == 1
    assert ProductRating.objects.get(pk=product.pk).count == 1


def test_flags_arriving_together_hide_the_review_once():
    product = ProductFactory()
    review = services.create_review(user=buyer_of(product), product=product, rating=2)
    services.create_review(user=buyer_of(product), product=product, rating=4)
    flaggers = [UserFactory() for _ in range(5)]

    results = run_together(5, lambda i: services.flag_review(review=review, user=flaggers[i], reason="spam"))

    assert [outcome for outcome, _ in results].count("ok") >= 3
    review.refresh_from_db()
    assert review.status == Review.Status.HIDDEN
    assert ReviewModeration.objects.filter(review=review, action="hidden").count() == 1
    assert ProductRating.objects.get(pk=product.pk).as_tuple() == (1, 4, 0, 0, 0, 1, 0)


def test_votes_arriving_together_are_all_counted():
    product = ProductFactory()
    review = services.create_review(user=buyer_of(product), product=product, rating=5)
    voters = [UserFactory() for _ in range(6)]

    results = run_together(6, lambda i: services.vote_helpful(review=review, user=voters[i]))

    assert [outcome for outcome, _ in results] == ["ok"] * 6
    review.refresh_from_db()
    assert review.helpful_count == 6
