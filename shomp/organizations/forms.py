from django import forms

from .areas import ROLE_DESCRIPTIONS, Area, Role
from .models import Organization

ACCESS_CHOICES = [("all", "Every store, including new ones"), ("some", "Only the stores ticked below")]


class _StoreAccessMixin:
    """ "Every store" or "only these": a choice of its own, so ticking nothing never means all."""

    def add_store_fields(self, stores, *, allow_all: bool) -> None:
        self.fields["access"] = forms.ChoiceField(
            label="Stores",
            choices=ACCESS_CHOICES if allow_all else ACCESS_CHOICES[1:],
            initial="all" if allow_all else "some",
            widget=forms.RadioSelect,
        )
        self.fields["stores"] = forms.TypedMultipleChoiceField(
            label="Stores they work on",
            choices=[(store.pk, store.name) for store in stores],
            coerce=int,
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )

    def store_ids(self):
        """None for every store, else the ticked store ids."""
        if self.cleaned_data.get("access") == "all":
            return None
        return self.cleaned_data.get("stores") or []

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("access") == "some" and not cleaned.get("stores"):
            self.add_error("stores", "Tick at least one store, or give access to every store.")
        return cleaned


def role_choices(roles) -> list[tuple[str, str]]:
    return [(role, f"{Role(role).label}: {ROLE_DESCRIPTIONS[role]}") for role in roles]


class InviteForm(_StoreAccessMixin, forms.Form):
    email = forms.EmailField(label="Email address", max_length=254)
    role = forms.ChoiceField(label="Role", widget=forms.RadioSelect)

    def __init__(self, *args, roles, stores, allow_all_stores: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(roles)
        self.add_store_fields(stores, allow_all=allow_all_stores)


class MemberForm(_StoreAccessMixin, forms.Form):
    role = forms.ChoiceField(label="Role", widget=forms.RadioSelect)
    added_areas = forms.MultipleChoiceField(
        label="Also allow",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Areas this member may work on besides their role's.",
    )
    removed_areas = forms.MultipleChoiceField(
        label="Take away",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Areas of their role this member may not work on. Taking away a read-only area takes "
        "its full area too.",
    )

    def __init__(self, *args, roles, areas, stores, allow_all_stores: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(roles)
        area_choices = [(area, Area(area).label) for area in Area.values if area in areas]
        self.fields["added_areas"].choices = area_choices
        self.fields["removed_areas"].choices = area_choices
        self.add_store_fields(stores, allow_all=allow_all_stores)


class OrganizationForm(forms.Form):
    name = forms.CharField(label="Organization name", max_length=Organization._meta.get_field("name").max_length)
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=Organization._meta.get_field("description").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Members see it on the organization's pages.",
    )


class TransferForm(forms.Form):
    member = forms.TypedChoiceField(label="New owner", coerce=int)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [("", "Choose a member")] + [(m.pk, m.user.username) for m in members]
