"""The reviews services: who may write what, verified purchases, edits, responses, flags, votes, moderation."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from shomp.accounts.tests.factories import UserFactory
from shomp.catalog.models import Product
from shomp.catalog.tests.factories import ProductFactory
from shomp.core.uploads import process_image
from shomp.core.video import process_video
from shomp.notifications.models import Notification
from shomp.orders.models import Order
from shomp.orders.tests.factories import OrderFactory, OrderItemFactory
from shomp.reviews import services
from shomp.reviews.models import (
    HelpfulVote,
    ProductRating,
    Review,
    ReviewFlag,
    ReviewModeration,
    ReviewResponse,
    StoreRating,
)
from shomp.stores.tests.factories import StoreFactory

from . import media

# The store takes reviews from anyone logged in, so `stranger` writes (unverified) reviews here;
# who may review, in both modes, is test_who_may_review.py's subject.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("anyone_may_review")]


def summary(obj) -> tuple:
    model = ProductRating if isinstance(obj, Product) else StoreRating
    row = model.objects.filter(pk=obj.pk).first()
    return row.as_tuple() if row else (0,) * 7


def write(user, product=None, **kwargs):
    kwargs.setdefault("rating", 4)
    return services.create_review(user=user, product=product, **kwargs)


# Creating ---------------------------------------------------------------------------------


def test_a_buyer_who_paid_writes_a_verified_review_that_counts_at_once(paid_buyer, product):
    review = write(paid_buyer, product, rating=5, title="  Lovely mug ", content="Holds heat.")

    assert review.verified_purchase
    assert (review.title, review.status, review.store_id) == ("Lovely mug", Review.Status.PUBLISHED, product.store_id)
    assert summary(product) == (1, 5, 0, 0, 0, 0, 1)
    assert summary(product.store) == (1, 5, 0, 0, 0, 0, 1)


@pytest.mark.parametrize("status", ["paid", "shipped", "fulfilled"])
def test_every_order_that_is_not_cancelled_counts_as_paid(buyer, product, status):
    OrderItemFactory(order=OrderFactory(buyer=buyer, store=product.store, status=status), product=product)
    assert write(buyer, product).verified_purchase


def test_a_cancelled_order_another_product_or_someone_elses_order_is_no_purchase(buyer, stranger, product):
    OrderItemFactory(
        order=OrderFactory(buyer=buyer, store=product.store, status=Order.Status.CANCELLED), product=product
    )
    OrderItemFactory(order=OrderFactory(buyer=buyer, store=product.store), product=ProductFactory(store=product.store))
    OrderItemFactory(order=OrderFactory(buyer=stranger, store=product.store), product=product)

    assert not write(buyer, product).verified_purchase


def test_a_store_review_is_verified_by_any_paid_order_from_the_store(buyer, stranger, store):
    OrderItemFactory(order=OrderFactory(buyer=buyer, store=store), product=ProductFactory(store=store))

    mine = services.create_review(user=buyer, store=store, rating=3)
    theirs = services.create_review(user=stranger, store=store, rating=1)

    assert (mine.product, mine.verified_purchase) == (None, True)
    assert not theirs.verified_purchase
    assert summary(store) == (2, 4, 1, 0, 1, 0, 0)


def test_verified_purchase_is_computed_by_the_service_never_taken_from_input(stranger, product):
    with pytest.raises(TypeError):
        services.create_review(user=stranger, product=product, rating=5, verified_purchase=True)


@pytest.mark.parametrize("rating", [0, 6, -1, "five", None])
def test_a_rating_outside_1_to_5_is_refused(stranger, product, rating):
    with pytest.raises(ValidationError) as error:
        write(stranger, product, rating=rating)
    assert error.value.message_dict == {"rating": ["Choose a rating from 1 to 5 stars."]}
    assert not Review.objects.exists()
    assert summary(product) == (0,) * 7


def test_a_second_review_of_the_same_product_is_refused(stranger, product):
    write(stranger, product, rating=5)
    with pytest.raises(ValidationError, match="already reviewed this product"):
        write(stranger, product, rating=1)
    assert Review.objects.get().rating == 5
    assert summary(product) == (1, 5, 0, 0, 0, 0, 1)


def test_a_second_store_review_is_refused_but_a_product_review_beside_it_is_fine(stranger, store, product):
    services.create_review(user=stranger, store=store, rating=2)
    with pytest.raises(ValidationError, match="already reviewed this store"):
        services.create_review(user=stranger, store=store, rating=5)
    write(stranger, product)
    assert Review.objects.count() == 2


def test_a_store_can_not_review_itself_or_its_products(seller, store, product):
    with pytest.raises(ValidationError, match="own store"):
        write(seller, product)
    with pytest.raises(ValidationError, match="own store"):
        services.create_review(user=seller, store=store, rating=5)
    assert not Review.objects.exists()


def test_a_product_of_another_store_is_refused(stranger, product):
    other_store = StoreFactory()
    with pytest.raises(ValidationError, match="not sold by that store"):
        services.create_review(user=stranger, product=product, store=other_store, rating=5)
    assert not Review.objects.exists()
    assert summary(other_store) == (0,) * 7


def test_drafts_can_not_be_reviewed(stranger, store):
    draft = ProductFactory(store=store, status=Product.Status.DRAFT)
    with pytest.raises(ValidationError, match="not for sale"):
        write(stranger, draft)


def test_an_over_long_title_or_text_is_refused(stranger, product):
    with pytest.raises(ValidationError) as error:
        write(stranger, product, title="x" * 121, content="y" * 5001)
    assert set(error.value.message_dict) == {"title", "content"}
    assert "at most 120 characters" in error.value.message_dict["title"][0]
    write(stranger, product, title="x" * 120, content="y" * 5000)


def test_a_seventh_photo_is_refused(stranger, product):
    photos = [process_image(media.photo()) for _ in range(7)]
    with pytest.raises(ValidationError, match="at most 6 photos"):
        write(stranger, product, photos=photos)
    assert not Review.objects.exists()


def test_photos_and_a_video_are_stored_without_metadata(stranger, product):
    photos = [process_image(media.photo(color=(n * 40, 20, 20))) for n in range(2)]
    review = write(stranger, product, photos=photos, video=process_video(media.video()))

    assert [photo.position for photo in review.photos.all()] == [0, 1]
    assert review.has_media
    assert review.video.name.endswith(".mp4") and review.video_content_type == "video/mp4"
    assert review.video_poster and review.video_poster_thumbnail
    assert 0.5 < review.video_duration <= 1.5
    with review.video.open("rb") as stored:
        assert media.SECRET.encode() not in stored.read()


# Editing and deleting ---------------------------------------------------------------------


def test_the_author_edits_freely_before_a_response(stranger, product):
    review = write(stranger, product, rating=2)
    services.update_review(review=review, rating=3, title="Better")
    services.update_review(review=review, rating=4, title="Better still")

    review.refresh_from_db()
    assert (review.rating, review.title, review.updated_after_response_at) == (4, "Better still", None)
    assert review.edited_at is not None
    assert summary(product) == (1, 4, 0, 0, 0, 1, 0)
    assert summary(product.store) == (1, 4, 0, 0, 0, 1, 0)


def test_after_the_store_responds_the_author_may_update_once_and_it_shows(stranger, seller, store, product):
    review = write(stranger, product, rating=2)
    services.respond_to_review(review=review, store=store, user=seller, content="Sorry! We sent a new one.")

    services.update_review(review=review, rating=5, content="The replacement is perfect.")
    review.refresh_from_db()
    assert (review.rating, review.rating_before_response) == (5, 2)
    assert review.updated_after_response_at is not None
    assert summary(product) == (1, 5, 0, 0, 0, 0, 1)

    with pytest.raises(ValidationError, match="already updated this review after the store's response"):
        services.update_review(review=review, rating=1)
    review.refresh_from_db()
    assert review.rating == 5
    assert summary(product) == (1, 5, 0, 0, 0, 0, 1)


def test_saving_without_changes_does_not_use_up_the_update_after_a_response(stranger, seller, store, product):
    review = write(stranger, product, rating=2, title="Meh")
    services.respond_to_review(review=review, store=store, user=seller, content="Thanks.")
    services.update_review(review=review, rating=2, title="Meh", content=review.content)
    review.refresh_from_db()
    assert review.updated_after_response_at is None


def test_photos_can_be_added_and_removed_up_to_six(stranger, product):
    review = write(stranger, product, photos=[process_image(media.photo()) for _ in range(5)])
    with pytest.raises(ValidationError, match="at most 6 photos"):
        services.update_review(review=review, rating=4, add_photos=[process_image(media.photo()) for _ in range(2)])
    first = review.photos.first()
    services.update_review(
        review=review,
        rating=review.rating,
        title=review.title,
        content=review.content,
        add_photos=[process_image(media.photo()) for _ in range(2)],
        remove_photo_ids=[first.pk],
    )
    assert review.photos.count() == 6
    assert not review.photos.filter(pk=first.pk).exists()


def test_removing_the_only_media_clears_has_media(stranger, product):
    review = write(stranger, product, video=process_video(media.video()))
    services.update_review(review=review, rating=review.rating, title=review.title, remove_video=True)
    review.refresh_from_db()
    assert not review.video and not review.has_media


def test_deleting_a_review_takes_it_out_of_the_summaries(stranger, product):
    review = write(stranger, product, rating=5)
    other = write(UserFactory(), product, rating=3)
    services.delete_review(review=review)
    assert list(Review.objects.all()) == [other]
    assert summary(product) == (1, 3, 0, 0, 1, 0, 0)


def test_a_removed_review_can_be_neither_edited_nor_deleted(stranger, product, staff):
    review = write(stranger, product)
    services.moderate_review(review=review, moderator=staff, decision="remove", note="Spam.")
    with pytest.raises(ValidationError, match="removed"):
        services.update_review(review=review, rating=5)
    with pytest.raises(ValidationError, match="removed"):
        services.delete_review(review=review)


# Responses --------------------------------------------------------------------------------


def test_the_store_responds_once_edits_it_and_the_reviewer_is_told_once(
    stranger, seller, store, product, django_capture_on_commit_callbacks
):
    review = write(stranger, product, rating=3)
    with django_capture_on_commit_callbacks(execute=True):
        response = services.respond_to_review(review=review, store=store, user=seller, content=" Thanks for the note! ")
    with django_capture_on_commit_callbacks(execute=True):
        again = services.respond_to_review(review=review, store=store, user=seller, content="Thank you, edited.")

    assert again.pk == response.pk and again.content == "Thank you, edited."
    notification = Notification.objects.get(user=stranger)
    assert notification.type == "review_response"
    assert notification.title == "Fern & Kiln responded to your review of Moss Mug"
    assert notification.data["url"] == review.get_absolute_url()
    assert [message.to for message in mail.outbox] == [[stranger.email]]  # emailed once, by default
    response.refresh_from_db()
    assert response.author_notified_at is not None
    assert services.send_response_notice(response_id=response.pk)  # a retried task adds nothing
    assert Notification.objects.filter(user=stranger).count() == 1 and len(mail.outbox) == 1


def test_only_the_reviews_store_may_respond(stranger, product):
    review = write(stranger, product)
    other_store = StoreFactory()
    with pytest.raises(ValidationError, match="your own store"):
        services.respond_to_review(review=review, store=other_store, user=other_store.owner, content="Hi")
    with pytest.raises(ValidationError, match="your own store"):
        services.respond_to_review(review=review, store=product.store, user=stranger, content="Hi")
    assert not ReviewResponse.objects.exists()


def test_an_empty_or_over_long_response_is_refused(stranger, seller, store, product):
    review = write(stranger, product)
    for content in ["   ", "x" * 5001]:
        with pytest.raises(ValidationError):
            services.respond_to_review(review=review, store=store, user=seller, content=content)


# Flags ------------------------------------------------------------------------------------


def test_flagging_twice_or_ones_own_review_is_refused(stranger, buyer, product):
    review = write(stranger, product)
    services.flag_review(review=review, user=buyer, reason="spam")
    with pytest.raises(ValidationError, match="already flagged"):
        services.flag_review(review=review, user=buyer, reason="offensive")
    with pytest.raises(ValidationError, match="your own review"):
        services.flag_review(review=review, user=stranger, reason="spam")
    with pytest.raises(ValidationError):
        services.flag_review(review=review, user=UserFactory(), reason="because")
    assert ReviewFlag.objects.count() == 1


def test_three_flags_from_different_users_hide_a_review_and_take_it_out_of_the_average(stranger, seller, product):
    kept = write(UserFactory(), product, rating=5)
    review = write(stranger, product, rating=1)
    assert summary(product) == (2, 6, 1, 0, 0, 0, 1)

    services.flag_review(review=review, user=UserFactory(), reason="spam")
    services.flag_review(review=review, user=seller, reason="conflict")  # a store owner may flag
    review.refresh_from_db()
    assert review.status == Review.Status.PUBLISHED
    services.flag_review(review=review, user=UserFactory(), reason="offensive", note="Rude.")

    review.refresh_from_db()
    assert review.status == Review.Status.HIDDEN
    assert summary(product) == (1, 5, 0, 0, 0, 0, 1)
    assert summary(product.store) == (1, 5, 0, 0, 0, 0, 1)
    assert ReviewModeration.objects.get(review=review).action == "hidden"
    assert kept.status == Review.Status.PUBLISHED
    with pytest.raises(ValidationError, match="already with our moderators"):
        services.flag_review(review=review, user=UserFactory(), reason="spam")


# Moderation -------------------------------------------------------------------------------


def hide(review) -> None:
    for _ in range(services.FLAGS_TO_HIDE):
        services.flag_review(review=review, user=UserFactory(), reason="spam")


def test_staff_restore_a_hidden_review_the_author_is_told_and_old_flags_no_longer_count(
    stranger, product, staff, django_capture_on_commit_callbacks
):
    review = write(stranger, product, rating=2)
    hide(review)
    with django_capture_on_commit_callbacks(execute=True):
        moderation = services.moderate_review(review=review, moderator=staff, decision="restore", note="Honest review.")

    review.refresh_from_db()
    assert review.status == Review.Status.PUBLISHED
    assert summary(product) == (1, 2, 0, 1, 0, 0, 0)
    assert not review.flags.filter(resolved_at__isnull=True).exists()
    notification = Notification.objects.get(user=stranger, type="review_moderation")
    assert notification.title == "Your review of Moss Mug is published again"
    assert "Honest review." in notification.content
    assert mail.outbox[-1].to == [stranger.email]
    moderation.refresh_from_db()
    assert moderation.author_notified_at is not None

    # Two new flags do not hide it again; a third new one does.
    services.flag_review(review=review, user=UserFactory(), reason="spam")
    services.flag_review(review=review, user=UserFactory(), reason="spam")
    review.refresh_from_db()
    assert review.status == Review.Status.PUBLISHED


def test_staff_remove_a_review_with_a_note_and_the_author_is_told(
    stranger, product, staff, django_capture_on_commit_callbacks
):
    review = write(stranger, product, rating=1)
    hide(review)
    with django_capture_on_commit_callbacks(execute=True):
        services.moderate_review(review=review, moderator=staff, decision="remove", note="Personal attack.")

    review.refresh_from_db()
    assert review.status == Review.Status.REMOVED
    assert summary(product) == (0,) * 7
    notification = Notification.objects.get(user=stranger, type="review_moderation")
    assert notification.title == "Your review of Moss Mug was removed by our moderators"
    assert "Personal attack." in notification.content


def test_removing_a_published_review_directly_takes_it_out_of_the_summaries(stranger, product, staff):
    review = write(stranger, product, rating=4)
    services.moderate_review(review=review, moderator=staff, decision="remove")
    assert summary(product) == (0,) * 7
    services.moderate_review(review=review, moderator=staff, decision="restore")
    assert summary(product) == (1, 4, 0, 0, 0, 1, 0)


def test_only_staff_moderate(stranger, seller, product):
    review = write(stranger, product)
    for user in (seller, UserFactory()):
        with pytest.raises(ValidationError, match="staff"):
            services.moderate_review(review=review, moderator=user, decision="remove")
    assert Review.objects.get().status == Review.Status.PUBLISHED


def test_a_decision_that_changes_nothing_is_refused(stranger, product, staff):
    review = write(stranger, product)
    with pytest.raises(ValidationError, match="already"):
        services.moderate_review(review=review, moderator=staff, decision="restore")
    with pytest.raises(ValidationError):
        services.moderate_review(review=review, moderator=staff, decision="delete")


def test_the_author_hears_nothing_when_a_review_is_only_hidden(stranger, product, django_capture_on_commit_callbacks):
    review = write(stranger, product)
    with django_capture_on_commit_callbacks(execute=True):
        hide(review)
    assert not Notification.objects.filter(user=stranger).exists()
    assert mail.outbox == []


# Helpful votes ----------------------------------------------------------------------------


def test_helpful_votes_once_per_user_not_on_ones_own_nor_by_the_store(stranger, buyer, seller, product):
    review = write(stranger, product)
    services.vote_helpful(review=review, user=buyer)
    with pytest.raises(ValidationError, match="already marked"):
        services.vote_helpful(review=review, user=buyer)
    with pytest.raises(ValidationError, match="your own review"):
        services.vote_helpful(review=review, user=stranger)
    with pytest.raises(ValidationError, match="store can't vote"):
        services.vote_helpful(review=review, user=seller)

    review.refresh_from_db()
    assert review.helpful_count == 1 == HelpfulVote.objects.count()
    services.remove_helpful_vote(review=review, user=buyer)
    services.remove_helpful_vote(review=review, user=buyer)
    review.refresh_from_db()
    assert review.helpful_count == 0 == HelpfulVote.objects.count()
