"""One date format across the site: "Dec 6, 2026" (and ", 14:05" with the time)."""

from datetime import UTC, date, datetime

import pytest
from django.template import Context, Template

from shomp.reviews.tests.factories import ReviewFactory


def test_the_default_date_formats_are_shomps():
    rendered = Template("{{ day|date }} | {{ moment|date:'DATETIME_FORMAT' }} | {{ day }}").render(
        Context({"day": date(2026, 12, 6), "moment": datetime(2026, 12, 6, 14, 5, tzinfo=UTC)})
    )
    assert rendered == "Dec 6, 2026 | Dec 6, 2026, 14:05 | Dec 6, 2026"


@pytest.mark.django_db
def test_a_review_shows_its_date_in_that_format(client):
    review = ReviewFactory(title="Lovely")
    review.created_at = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
    review.save(update_fields=["created_at"])

    html = client.get(review.product.get_absolute_url() + "reviews/").content.decode()

    assert "Mar 9, 2026" in html
    assert "9 Mar 2026" not in html
