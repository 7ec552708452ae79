from django import forms

from .models import NotificationType
from .selectors import PreferenceRow


class NotificationFilterForm(forms.Form):
    type = forms.ChoiceField(choices=[("", "All types"), *NotificationType.choices], required=False, label="Type")
    unread = forms.BooleanField(required=False, label="Unread only")

    def filters(self) -> tuple[str, bool]:
        if not self.is_valid():
            return "", False
        return self.cleaned_data["type"], self.cleaned_data["unread"]


class PreferencesForm(forms.Form):
    """Two checkboxes per type: in the app, and by email."""

    def __init__(self, *args, rows: list[PreferenceRow], **kwargs):
        super().__init__(*args, **kwargs)
        self.specs = [row.spec for row in rows]
        for row in rows:
            name = row.spec.type.value
            label = row.spec.label[0].lower() + row.spec.label[1:]
            self.fields[f"{name}-in_app"] = forms.BooleanField(
                required=False, initial=row.in_app, label=f"Show {label} in Shomp"
            )
            self.fields[f"{name}-email"] = forms.BooleanField(
                required=False, initial=row.email, label=f"Email me {label}"
            )

    def rows(self):
        for spec in self.specs:
            name = spec.type.value
            yield spec, self[f"{name}-in_app"], self[f"{name}-email"]

    def preferences(self) -> dict[str, tuple[bool, bool]]:
        return {
            spec.type.value: (
                self.cleaned_data[f"{spec.type.value}-in_app"],
                self.cleaned_data[f"{spec.type.value}-email"],
            )
            for spec in self.specs
        }
