"""Forms parse input; the services decide. Attachments are checked here, by content, through
core.uploads, before any service runs: PDFs sniffed, images checked from their headers only
(size, type, declared pixels against core.uploads' per-format caps). Nothing is decoded in the
request: the worker re-encodes images without metadata (services.attachments)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from shomp.core import uploads
from shomp.core.forms import MoneyField

from .models import MAX_CONTENT_LENGTH, MAX_SUBJECT_LENGTH, Conversation, Report
from .services import ATTACHMENT_MAX_BYTES, MAX_ATTACHMENTS, AttachmentUpload

IMAGE_KINDS = {"jpeg", "png", "webp", "gif"}
ATTACHMENT_ACCEPT = "image/jpeg,image/png,image/webp,image/gif,application/pdf,.pdf"
TYPES_TEXT = "JPEG, PNG, WebP or GIF images and PDF files"


def prepare_attachment(upload) -> AttachmentUpload:
    """One uploaded file checked by content: an image (from its header: the worker decodes it)
    or a PDF, at most 10 MB."""
    label = uploads.sanitize_filename(getattr(upload, "name", "") or "") or "file"
    if upload.size > ATTACHMENT_MAX_BYTES:
        raise ValidationError(f"{label}: each file can be at most {uploads.human_size(ATTACHMENT_MAX_BYTES)}.")
    kind = uploads.detect_file_type(upload)
    try:
        if kind in IMAGE_KINDS:
            checked = uploads.check_image(upload, max_bytes=ATTACHMENT_MAX_BYTES)  # the default caps
            stem = label.rsplit(".", 1)[0] if "." in label else label
            return AttachmentUpload(processed=checked, original_name=f"{stem or 'image'}.{checked.output_extension}")
        if kind == "pdf":
            processed = uploads.process_file(upload, allowed={"pdf"}, max_bytes=ATTACHMENT_MAX_BYTES)
            return AttachmentUpload(processed=processed, original_name=processed.original_name)
    except ValidationError as error:
        raise ValidationError([f"{label}: {message}" for message in error.messages]) from None
    raise ValidationError(f"{label}: only {TYPES_TEXT} can be attached.")


class AttachmentsField(forms.FileField):
    """Up to five files from one <input multiple>; cleans to a list of AttachmentUpload."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget", uploads.MultipleFileInput(attrs={"accept": ATTACHMENT_ACCEPT, "data-attachments": ""})
        )
        kwargs.setdefault("help_text", f"Up to {MAX_ATTACHMENTS} files, 10 MB each: {TYPES_TEXT}.")
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [item for item in (data if isinstance(data, (list, tuple)) else [data]) if item]
        if not files:
            return []
        if len(files) > MAX_ATTACHMENTS:
            raise ValidationError(f"Attach at most {MAX_ATTACHMENTS} files to one message; you chose {len(files)}.")
        prepared, errors = [], []
        for upload in files:
            try:
                prepared.append(prepare_attachment(super().clean(upload)))
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return prepared


def _content_field(*, required: bool = False, label: str = "Message") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=MAX_CONTENT_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_CONTENT_LENGTH, "data-composer": ""}),
        error_messages={
            "max_length": f"A message can be at most {MAX_CONTENT_LENGTH:,} characters (this one has %(show_value)d)."
        },
    )


class MessageForm(forms.Form):
    content = _content_field()
    attachments = AttachmentsField(label="Attach files")

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("content") and not data.get("attachments"):
            raise ValidationError("Write a message or attach a file.")
        return data


class ContactForm(forms.Form):
    type = forms.ChoiceField(label="What is it about?", choices=Conversation.Type.choices)
    subject = forms.CharField(label="Subject", max_length=MAX_SUBJECT_LENGTH, required=False)
    content = _content_field(required=True)
    attachments = AttachmentsField(label="Attach files")
    budget = MoneyField(
        label="Budget",
        required=False,
        help_text="Custom orders: roughly what you'd like to spend.",
    )
    wanted_by = forms.DateField(
        label="Wanted by",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Custom orders: when you need it.",
    )
    product = forms.CharField(required=False, widget=forms.HiddenInput)
    order = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, types=None, **kwargs):
        super().__init__(*args, **kwargs)
        if types is not None:
            self.fields["type"].choices = [
                (value, label) for value, label in Conversation.Type.choices if value in types
            ]
        self.fields["content"].widget.attrs["rows"] = 6
        self.fields["attachments"].widget.attrs["data-previews"] = "contact-previews"


class OfferForm(forms.Form):
    title = forms.CharField(label="What you'll make", max_length=140)
    price = MoneyField(
        label="Price", min_value=Decimal("0.01"), error_messages={"min_value": "Enter a price of at least 0.01."}
    )
    delivery_date = forms.DateField(
        label="Delivery by (optional)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Conversation.Status.choices)


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label="Reason", choices=Report.Reason.choices)
    details = forms.CharField(
        label="Details (optional)", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class SavedReplyForm(forms.Form):
    title = forms.CharField(label="Name", max_length=80)
    content = forms.CharField(label="Reply", max_length=MAX_CONTENT_LENGTH, widget=forms.Textarea(attrs={"rows": 4}))
    shared = forms.BooleanField(
        label="Share with the organization",
        required=False,
        help_text="Offered in the composer of every store of your organization, to whoever answers its messages.",
    )

    def __init__(self, *args, can_share: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_share:  # only members who handle every store's messages may share
            del self.fields["shared"]


class AssignForm(forms.Form):
    """Who looks after the conversation: one of `members` (who may do "messages" on its store)."""

    assignee = forms.ChoiceField(label="Assigned to", required=False)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {str(member.pk): member for member in members}
        self.fields["assignee"].choices = [("", "Nobody")] + [
            (pk, member.username) for pk, member in self.members.items()
        ]
        self.fields["assignee"].error_messages["invalid_choice"] = (
            "Choose a member who handles this store's messages, or nobody."
        )

    def clean_assignee(self):
        value = self.cleaned_data["assignee"]
        return self.members.get(value) if value else None


class CancellationRequestForm(forms.Form):
    """The buyer's reason for asking the store to cancel an order."""

    reason = forms.CharField(
        label="Why do you want to cancel?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Tell the store why you want to cancel."},
    )
