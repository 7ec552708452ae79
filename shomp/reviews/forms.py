from django import forms

from shomp.core.uploads import IMAGE_MAX_BYTES, MultipleImageUploadField, human_size
from shomp.core.video import VideoUploadField

from .models import (
    CONTENT_MAX_LENGTH,
    MAX_PHOTOS,
    MAX_RATING,
    MIN_RATING,
    RESPONSE_MAX_LENGTH,
    REVIEW_PHOTO_MAX_PIXELS,
    TITLE_MAX_LENGTH,
    ReviewFlag,
)

RATING_WORDS = {1: "Poor", 2: "Fair", 3: "Good", 4: "Very good", 5: "Excellent"}
RATING_ERROR = f"Choose a rating from {MIN_RATING} to {MAX_RATING} stars."


class StarRatingInput(forms.RadioSelect):
    """Five radio buttons drawn as stars (reviews/widgets/star_rating.html): arrow keys move
    between them, Space picks one, and a screen reader hears "4 stars, Very good"."""

    template_name = "reviews/widgets/star_rating.html"


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="Your rating",
        choices=[(value, f"{value} star{'s' if value > 1 else ''}, {RATING_WORDS[value]}") for value in range(1, 6)],
        coerce=int,
        widget=StarRatingInput,
        error_messages={"required": RATING_ERROR, "invalid_choice": RATING_ERROR},
    )
    title = forms.CharField(
        label="Title",
        max_length=TITLE_MAX_LENGTH,
        required=False,
        help_text=f"Sum it up in a line (up to {TITLE_MAX_LENGTH} characters).",
        error_messages={"max_length": f"The title can be at most {TITLE_MAX_LENGTH} characters."},
    )
    content = forms.CharField(
        label="Your review",
        max_length=CONTENT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=f"What did you like, what could be better? Up to {CONTENT_MAX_LENGTH:,} characters.",
        error_messages={"max_length": f"The review can be at most {CONTENT_MAX_LENGTH:,} characters."},
    )
    # Checked here from their headers only (count, size, type, pixels; a video's streams and
    # duration); the worker decodes them after the review is saved (services.media).
    photos = MultipleImageUploadField(
        label="Photos",
        max_files=MAX_PHOTOS,
        max_pixels=REVIEW_PHOTO_MAX_PIXELS,
        decode=False,
        required=False,
        help_text=(
            f"Up to {MAX_PHOTOS} photos (JPEG, PNG, WebP or GIF), {human_size(IMAGE_MAX_BYTES)} and "
            f"{REVIEW_PHOTO_MAX_PIXELS['JPEG'] // 1_000_000} megapixels each."
        ),
    )
    video = VideoUploadField(label="Video", required=False, decode=False)

    def __init__(self, *args, review=None, **kwargs):
        self.review = review
        if review is not None:
            kwargs.setdefault("initial", {"rating": review.rating, "title": review.title, "content": review.content})
        super().__init__(*args, **kwargs)
        if review is not None:
            self.existing_photos = list(review.photos.all())
            self.fields["remove_photos"] = forms.TypedMultipleChoiceField(
                label="Remove photos",
                choices=[(photo.pk, f"Photo {number}") for number, photo in enumerate(self.existing_photos, 1)],
                coerce=int,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
            if review.video_status:
                self.fields["remove_video"] = forms.BooleanField(label="Remove the video", required=False)
            self.fields["photos"].label = "Add photos"

    def clean(self):
        data = super().clean()
        if self.review is not None and not self.errors:
            kept = len(self.existing_photos) - len(data.get("remove_photos") or [])
            if kept + len(data.get("photos") or []) > MAX_PHOTOS:
                self.add_error("photos", f"A review can have at most {MAX_PHOTOS} photos; remove some first.")
        return data


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why are you flagging this review?",
        choices=ReviewFlag.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a reason.", "invalid_choice": "Choose a reason."},
    )
    note = forms.CharField(label="Anything to add? (optional)", max_length=500, required=False)


class ResponseForm(forms.Form):
    content = forms.CharField(
        label="Your public response",
        max_length=RESPONSE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Write your response first.",
            "max_length": f"A response can be at most {RESPONSE_MAX_LENGTH:,} characters.",
        },
    )
