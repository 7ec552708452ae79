from datetime import datetime, time

from django import forms
from django.utils import timezone

from .models import StoreAnnouncement
from .services import BODY_MAX, TITLE_MAX


class AnnouncementForm(forms.Form):
    kind = forms.ChoiceField(
        choices=StoreAnnouncement.Kind.choices,
        initial=StoreAnnouncement.Kind.UPDATE,
        widget=forms.RadioSelect,
        label="What is it?",
    )
    title = forms.CharField(
        max_length=TITLE_MAX,
        label="Title",
        error_messages={"required": "Give the announcement a title."},
    )
    # The length is checked by the service, which says how long the text is.
    body = forms.CharField(
        required=False,
        strip=False,
        label="Text",
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": BODY_MAX}),
        help_text=f"Up to {BODY_MAX:,} characters. Followers see the first lines in their notification; "
        "the whole text is on the announcement's page.",
    )
    sale_ends_on = forms.DateField(
        required=False,
        label="Sale ends on (optional)",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="For a sale: the last day of it.",
    )

    def sale_ends_at(self) -> datetime | None:
        """The end of the chosen day, in the current time zone."""
        day = self.cleaned_data.get("sale_ends_on")
        if day is None:
            return None
        return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))
