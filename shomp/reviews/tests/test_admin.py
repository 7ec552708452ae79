"""Staff moderate in the admin: the queue, restore and remove with a note; the author is told."""

import pytest
from django.urls import reverse

from shomp.accounts.tests.factories import UserFactory
from shomp.notifications.models import Notification
from shomp.reviews import services
from shomp.reviews.models import Review, ReviewModeration

# The store takes reviews from anyone logged in, so `stranger` writes (unverified) reviews here;
# who may review, in both modes, is test_who_may_review.py's subject.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("anyone_may_review")]


@pytest.fixture
def hidden(stranger, product):
    review = services.create_review(user=stranger, product=product, rating=1, title="Awful!!")
    for _ in range(services.FLAGS_TO_HIDE):
        services.flag_review(review=review, user=UserFactory(), reason="offensive")
    return review


def test_the_moderation_queue_lists_hidden_reviews_with_their_flags(client, staff, hidden):
    client.force_login(staff)
    changelist = reverse("admin:reviews_review_changelist")
    page = client.get(changelist, {"status__exact": "hidden"}).content.decode()
    assert "Awful!!" in page and "Hidden pending moderation" in page
    detail = client.get(reverse("admin:reviews_review_change", args=[hidden.pk])).content.decode()
    assert "Offensive or abusive" in detail and "Hidden after flags" in detail


@pytest.mark.parametrize(
    ("action", "status", "title"),
    [
        ("restore_reviews", Review.Status.PUBLISHED, "Your review of Moss Mug is published again"),
        ("remove_reviews", Review.Status.REMOVED, "Your review of Moss Mug was removed by our moderators"),
    ],
)
def test_staff_decide_with_a_note_and_the_author_is_told(
    client, staff, hidden, stranger, action, status, title, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    changelist = reverse("admin:reviews_review_changelist")
    confirm = client.post(changelist, {"action": action, "_selected_action": [hidden.pk]})
    assert "Note to the author" in confirm.content.decode()
    hidden.refresh_from_db()
    assert hidden.status == Review.Status.HIDDEN  # nothing happens before the confirmation

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            changelist,
            {"action": action, "_selected_action": [hidden.pk], "apply": "1", "note": "We looked twice."},
            follow=True,
        )
    assert response.status_code == 200
    hidden.refresh_from_db()
    assert hidden.status == status
    moderation = ReviewModeration.objects.filter(review=hidden).first()
    assert (moderation.note, moderation.moderator) == ("We looked twice.", staff)
    notification = Notification.objects.get(user=stranger, type="review_moderation")
    assert notification.title == title and "We looked twice." in notification.content


def test_reviews_are_not_added_or_deleted_in_the_admin(client, staff, hidden):
    client.force_login(staff)
    assert client.get(reverse("admin:reviews_review_add")).status_code == 403
    assert client.get(reverse("admin:reviews_review_delete", args=[hidden.pk])).status_code == 403


def test_non_staff_are_kept_out(client, stranger, hidden):
    client.force_login(stranger)
    response = client.get(reverse("admin:reviews_review_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response.url
