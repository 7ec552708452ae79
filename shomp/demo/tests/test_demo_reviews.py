"""The demo's reviews: verified ones with photos and responses, idempotent like the rest of seed_demo."""

import io

import pytest
from django.core.management import call_command

from shomp.reviews import services
from shomp.reviews.models import HelpfulVote, ProductRating, Review, ReviewFlag, ReviewPhoto, ReviewResponse
from shomp.stores.models import Store


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", "--products-per-store", "3", stdout=out)
    return out.getvalue()


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count() for model in (Review, ReviewPhoto, ReviewResponse, HelpfulVote, ReviewFlag, ProductRating)
    )


@pytest.mark.django_db
def test_demo_reviews_have_photos_responses_and_badges_and_are_made_once():
    output = seed()
    assert "reviews" in output

    mug = Review.objects.get(user__username="demo-buyer", product__slug="speckled-stoneware-mug-350-ml")
    assert mug.verified_purchase and mug.photos.exists()
    assert mug.response.store.name == "Fern & Kiln Ceramics"
    assert (mug.rating_before_response, mug.rating) == (3, 5) and mug.updated_after_response_at
    assert Review.objects.filter(user__username="demo-buyer", verified_purchase=True).count() >= 4
    assert Review.objects.filter(user__username="maple_reader", verified_purchase=False).exists()
    # Stores with reviews from people who never bought there take reviews from anyone; the rest
    # keep the default, buyers only.
    unverified_stores = set(Review.objects.filter(verified_purchase=False).values_list("store__slug", flat=True))
    assert unverified_stores and set(Store.objects.filter(review_policy="anyone").values_list("slug", flat=True)) == (
        unverified_stores
    )
    assert Store.objects.filter(review_policy="buyers").exists()
    assert Review.objects.filter(product__isnull=True).exists()  # store reviews too
    assert ReviewFlag.objects.filter(resolved_at__isnull=True).exists()
    assert HelpfulVote.objects.exists()
    assert ReviewResponse.objects.count() >= 4

    before = counts()
    summaries = {row.pk: row.as_tuple() for row in ProductRating.objects.all()}
    seed()
    assert counts() == before
    services.calculate_ratings()
    assert {row.pk: row.as_tuple() for row in ProductRating.objects.all()} == summaries
