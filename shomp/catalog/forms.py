from django import forms

from shomp.core.forms import MoneyField
from shomp.core.uploads import (
    DIGITAL_PRODUCT_MAX_BYTES,
    DIGITAL_PRODUCT_TYPES,
    MultipleImageUploadField,
    PrivateFileField,
)

from .models import MAX_TAGS, PRODUCT_IMAGE_MAX_PIXELS, Product
from .selectors.browse import KINDS, SORTS, BrowseFilters, leaf_category_choices
from .services import MAX_IMAGES


class ProductForm(forms.Form):
    title = forms.CharField(max_length=140)
    slug = forms.SlugField(
        max_length=150,
        required=False,
        label="Address",
        help_text="The end of the product's link. Leave empty to derive it from the title.",
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), max_length=10000, required=False)
    # Not chosen: "Other" for a new product (services.create_product), unchanged on edit.
    category = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        required=False,
        label="Category",
        help_text="Where buyers browsing the marketplace find it.",
        error_messages={"invalid_choice": "Choose a category from the list."},
    )
    tags = forms.CharField(
        max_length=250,
        required=False,
        label="Tags",
        help_text=f"Words buyers might search for, separated by commas (up to {MAX_TAGS}).",
    )
    price = MoneyField(
        error_messages={
            "required": "Enter a price, such as 12.50 (0 for free).",
            "min_value": "The price can't be negative.",
            "max_value": "The price can be at most 1,000,000.00.",
        },
    )
    kind = forms.ChoiceField(choices=Product.Kind.choices, widget=forms.Select, label="Kind")
    stock = forms.IntegerField(
        min_value=0,
        max_value=1_000_000,
        required=False,
        help_text="Physical products only: how many you can ship.",
        error_messages={"min_value": "Stock can't be negative."},
    )
    has_options = forms.BooleanField(
        required=False,
        label="This product comes in options (size, colour…)",
        help_text="Stock is then counted per variant: after saving, you define the options and their stock.",
    )
    # Checked here from their headers only (count, size, type, pixels); the worker decodes them
    # after the product is saved (services.products.process_product_images).
    images = MultipleImageUploadField(
        required=False,
        max_files=MAX_IMAGES,
        max_pixels=PRODUCT_IMAGE_MAX_PIXELS,
        decode=False,
        label="Add images",
        help_text=(
            f"Up to {MAX_IMAGES} images (JPEG, PNG, WebP or GIF, 10 MB and "
            f"{PRODUCT_IMAGE_MAX_PIXELS['JPEG'] // 1_000_000} megapixels each). The first is the cover."
        ),
    )
    digital_file = PrivateFileField(
        required=False,
        allowed=DIGITAL_PRODUCT_TYPES,
        max_bytes=DIGITAL_PRODUCT_MAX_BYTES,
        label="File for buyers",
        help_text="Digital products only: what buyers download (PDF, ZIP, EPUB, images, audio, video; 500 MB).",
    )

    def __init__(self, *args, product: Product | None = None, **kwargs):
        if product is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": product.title,
                    "slug": product.slug,
                    "description": product.description,
                    "price": product.price,
                    "kind": product.kind,
                    "stock": product.stock,
                    "category": product.category_id,
                    "tags": product.tags,
                },
            )
        super().__init__(*args, **kwargs)
        self.product = product
        self.fields["category"].choices = [("", "Choose a category"), *leaf_category_choices()]
        self.fields["category"].widget.attrs["class"] = "form-select"
        if product is not None:
            del self.fields["has_options"]  # the variant manager is one click away on the edit page
            if product.has_variants:
                del self.fields["stock"]  # counted per variant, in the variant manager
        self.counts_stock_per_variant = product is not None and product.has_variants

    def clean(self):
        data = super().clean()
        if self.counts_stock_per_variant:
            data["stock"] = None  # update_product keeps the product's own (unused) count
        elif data.get("has_options"):
            # Stock is counted per variant: the product's own count is unused.
            data["stock"] = 0 if data.get("kind") == Product.Kind.PHYSICAL else None
            self.errors.pop("stock", None)
        elif data.get("kind") == Product.Kind.PHYSICAL and data.get("stock") is None and "stock" not in self.errors:
            self.add_error("stock", "Enter how many you have in stock.")
        return data


# The variant manager -----------------------------------------------------------------------


MAX_ID = 2**63 - 1  # the largest primary key the database can hold


def split_values(text: str) -> list[str]:
    """ "S, M, L" -> ["S", "M", "L"]; the services clean, de-duplicate and check each value."""
    return [part.strip() for part in (text or "").split(",") if part.strip()]


_MODIFIER_ERRORS = {
    "invalid": "Enter an amount such as 4.00 or -2.50.",
    "min_value": "A price modifier can be at most 1,000,000.00 either way.",
    "max_value": "A price modifier can be at most 1,000,000.00 either way.",
    "max_digits": "A price modifier can be at most 1,000,000.00 either way.",
    "max_whole_digits": "A price modifier can be at most 1,000,000.00 either way.",
    "max_decimal_places": "Use at most two decimal places, such as 4.50.",
}
_STOCK_ERRORS = {
    "required": "Enter how many you have.",
    "invalid": "Enter a whole number.",
    "min_value": "Stock can't be negative.",
    "max_value": "Stock can be at most 1,000,000.",
}


def _modifier_field(**kwargs) -> MoneyField:
    return MoneyField(allow_negative=True, error_messages=_MODIFIER_ERRORS, **kwargs)


class OptionForm(forms.Form):
    """A new option and its first values, typed as "S, M, L"."""

    name = forms.CharField(
        max_length=200,
        label="Option name",
        widget=forms.TextInput(attrs={"placeholder": "Size", "autocomplete": "off"}),
        error_messages={"required": "Enter the option's name, such as Size or Colour."},
    )
    values = forms.CharField(
        max_length=5000,
        label="Values",
        help_text="Separate them with commas: S, M, L.",
        widget=forms.TextInput(attrs={"placeholder": "S, M, L", "autocomplete": "off"}),
        error_messages={"required": "Enter at least one value, such as S, M, L."},
    )

    def clean_values(self) -> list[str]:
        return split_values(self.cleaned_data["values"])


class OptionRenameForm(forms.Form):
    """A corrected name for an option ("Colur" → "Colour"); prefix "rename-option-<id>"."""

    name = forms.CharField(
        max_length=200,
        label="New name",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": "Enter the option's name."},
    )


class ValueRenameForm(forms.Form):
    """A corrected option value ("Rd" → "Red"); prefix "rename-value-<id>"."""

    value = forms.CharField(
        max_length=200,
        label="New value",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": "Enter a value."},
    )


class OptionValuesForm(forms.Form):
    """More values for an existing option (one form per option: prefix "option-<id>")."""

    values = forms.CharField(
        max_length=5000,
        label="Add values",
        help_text="Separate them with commas.",
        widget=forms.TextInput(attrs={"placeholder": "XL, XXL", "autocomplete": "off"}),
        error_messages={"required": "Enter at least one value to add."},
    )

    def clean_values(self) -> list[str]:
        return split_values(self.cleaned_data["values"])


class ValueModifierForm(forms.Form):
    """An option value's price modifier ("XL +4.00"); blank means no change to the price."""

    price_modifier = _modifier_field(required=False, label="Price modifier")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["price_modifier"].widget.attrs.update({"class": "form-control-sm w-auto", "size": "6"})


class VariantCreateForm(forms.Form):
    """One variant for one combination, a value chosen per option (prefix "new")."""

    def __init__(self, *args, options, **kwargs):
        kwargs.setdefault("prefix", "new")
        super().__init__(*args, **kwargs)
        self.options = list(options)
        for option in self.options:
            self.fields[f"option_{option.pk}"] = forms.ChoiceField(
                label=option.name,
                choices=[("", "Choose…")] + [(value.value, value.value) for value in option.values.all()],
                error_messages={
                    "required": f"Choose a value for {option.name}.",
                    "invalid_choice": f"Choose one of the values of {option.name}.",
                },
            )
            self.fields[f"option_{option.pk}"].widget.attrs["class"] = "form-select-sm"

    def chosen(self) -> dict[str, str]:
        """{option name: value} for services.create_variant."""
        return {option.name: self.cleaned_data[f"option_{option.pk}"] for option in self.options}


class InventorySettingsForm(forms.Form):
    track_inventory = forms.BooleanField(
        required=False,
        label="Track inventory",
        help_text="Off for made-to-order work: variants then never run out.",
    )
    low_stock_threshold = forms.IntegerField(
        min_value=0,
        max_value=1_000_000,
        label="Low stock at",
        help_text="At or below this many left, a variant shows as low (and buyers see “only N left”).",
        error_messages=_STOCK_ERRORS | {"min_value": "The threshold can't be negative."},
    )


def image_choices(images) -> list[tuple[str, str]]:
    return [("", "No image")] + [
        (str(image.pk), "Cover image" if index == 0 else f"Image {index + 1}") for index, image in enumerate(images)
    ]


class VariantRowForm(forms.Form):
    """One row of the variant grid (prefix "v<id>"). Only the fields the seller changed are
    passed to services.update_variant."""

    price_modifier = _modifier_field(required=False, label="Price modifier")
    # Or the price itself: turned into the modifier against the base price (changes()).
    price = MoneyField(
        required=False,
        label="Price",
        error_messages={
            "min_value": "The price can't be negative.",
            "max_value": "The price can be at most 1,000,000.00.",
        },
    )
    sku = forms.CharField(
        max_length=64,
        required=False,
        label="SKU",
        error_messages={"max_length": "Keep the SKU to 64 characters."},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    inventory_count = forms.IntegerField(
        min_value=0,
        max_value=1_000_000,
        label="Stock",
        error_messages=_STOCK_ERRORS,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    image_id = forms.TypedChoiceField(coerce=int, empty_value=None, required=False, label="Image")
    is_enabled = forms.BooleanField(required=False, label="Enabled")

    def __init__(self, *args, variant, images, **kwargs):
        kwargs.setdefault("prefix", f"v{variant.pk}")
        kwargs.setdefault(
            "initial",
            {
                "price_modifier": variant.price_modifier,
                "price": variant.price,
                "sku": variant.sku,
                "inventory_count": variant.inventory_count,
                "image_id": variant.image_id,
                "is_enabled": variant.is_enabled,
            },
        )
        super().__init__(*args, **kwargs)
        self.variant = variant
        self.fields["image_id"].choices = image_choices(images)
        sizes = {"price_modifier": "6", "price": "7", "sku": "10", "inventory_count": "5"}
        for name, size in sizes.items():
            self.fields[name].widget.attrs.update({"class": "form-control-sm w-auto", "size": size})
        self.fields["image_id"].widget.attrs["class"] = "form-select-sm w-auto"
        if variant.price_modifier is None:
            placeholder = f"{variant.options_price_modifier:+.2f}"
            attrs = self.fields["price_modifier"].widget.attrs
            attrs["placeholder"] = placeholder
            attrs["size"] = str(max(int(attrs["size"]), len(placeholder) + 1))  # "+1250.00" shows whole

    def clean(self):
        data = super().clean()
        both = {"price", "price_modifier"} <= set(self.changed_data)
        if both and data.get("price") is not None and "price_modifier" not in self.errors:
            self.add_error("price", "Change the price or the price modifier, not both.")
        return data

    def changes(self) -> dict:
        """The changed fields as keyword arguments of services.update_variant; a new price is
        the modifier that makes it from the base price (20.00 base, price 24.50: +4.50)."""
        changes = {name: self.cleaned_data[name] for name in self.changed_data if name != "price"}
        price = self.cleaned_data.get("price")
        if "price" in self.changed_data and price is not None:
            changes["price_modifier"] = price - self.variant.product.price
        return changes


class BulkEditForm(forms.Form):
    """Set one field on the selected rows of the grid (prefix "bulk")."""

    ENABLED_CHOICES = [("1", "Enabled"), ("0", "Disabled")]

    field = forms.ChoiceField(label="Change", choices=[])
    price_modifier = _modifier_field(required=False, label="New price modifier")
    inventory_count = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=1_000_000,
        label="New stock",
        error_messages=_STOCK_ERRORS,
        widget=forms.NumberInput(attrs={"min": "0", "inputmode": "numeric"}),
    )
    is_enabled = forms.ChoiceField(choices=ENABLED_CHOICES, required=False, label="Set to")
    image_id = forms.TypedChoiceField(coerce=int, empty_value=None, required=False, label="New image")
    all_on_page = forms.BooleanField(required=False, label="Select all on this page")

    def __init__(self, *args, images, field_labels: dict[str, str], **kwargs):
        kwargs.setdefault("prefix", "bulk")
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [(name, label.capitalize()) for name, label in field_labels.items()]
        self.fields["image_id"].choices = image_choices(images)

    def _ids(self, name: str) -> list[int]:
        raw = self.data.getlist(self.add_prefix(name)) if hasattr(self.data, "getlist") else []
        try:
            ids = sorted({int(value) for value in raw})
        except (TypeError, ValueError):
            raise forms.ValidationError("Select variants from the list.") from None
        if ids and (ids[0] < 1 or ids[-1] > MAX_ID):  # past a database integer: a 500 before
            raise forms.ValidationError("Select variants from the list.")
        return ids

    def clean(self):
        data = super().clean()
        try:
            ids = self._ids("page_ids") if data.get("all_on_page") else self._ids("variant_ids")
        except forms.ValidationError as error:
            self.add_error(None, error)
            return data
        if not ids:
            self.add_error(None, "Select at least one variant, or “Select all on this page”.")
        data["variant_ids"] = ids
        field = data.get("field")
        if field == "inventory_count" and data.get("inventory_count") is None and "inventory_count" not in self.errors:
            self.add_error("inventory_count", "Enter the new stock.")
        return data

    def value(self):
        """The value for services.bulk_update_variants, by the chosen field."""
        field = self.cleaned_data["field"]
        value = self.cleaned_data.get(field)
        if field == "is_enabled":
            return value == "1"
        if field == "price_modifier" and value is None:
            return ""  # blank: back to the sum of its values' modifiers
        return value

    def selected(self) -> set[int]:
        """The ids ticked in the submission, to keep them ticked when the form comes back."""
        try:
            return set(self._ids("variant_ids"))
        except forms.ValidationError:
            return set()


class InventoryForm(forms.Form):
    """Set, restock or adjust one variant's stock (services.manage_inventory)."""

    action = forms.ChoiceField(label="What to do", choices=[], widget=forms.RadioSelect)
    quantity = forms.CharField(
        max_length=20,
        label="Quantity",
        help_text="For an adjustment, a number with a sign: 5 adds, -2 takes away.",
        error_messages={"required": "Enter a quantity."},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    reason = forms.CharField(
        max_length=200,
        required=False,
        label="Reason",
        help_text="Why: a new batch, damaged in the post, found in the back… Required for an adjustment.",
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = choices


class PriceBoundField(MoneyField):
    """A price bound in a filter: "12,50" reads as 12.50; letters are refused with a message."""

    def __init__(self, **kwargs):
        super().__init__(
            required=False,
            error_messages={
                "invalid": "Enter a number, like 25 or 12.50.",
                "min_value": "Enter a price of 0 or more.",
                "max_value": "Enter a price up to 1,000,000.",
                "max_decimal_places": "Use at most two decimals.",
                "max_digits": "Enter a price up to 1,000,000.",
            },
            widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 6}),
            **kwargs,
        )


class BrowseForm(forms.Form):
    """Sort and filters of the search, category and store pages, read from the query string.

    A bad value gets a message next to its field and filters nothing; the others still apply
    (`filters()`). On sale: products a running promotion covers (BrowseFilters.on_sale)."""

    q = forms.CharField(max_length=200, required=False, label="Search products", strip=True)
    # An unknown sort is ignored (the default order), not an error: a CharField with a Select.
    sort = forms.CharField(required=False, max_length=20, label="Sort by")
    min_price = PriceBoundField(label="Min price")
    max_price = PriceBoundField(label="Max price")
    kind = forms.ChoiceField(
        required=False, label="Type", widget=forms.RadioSelect(attrs={"class": "form-check-input"})
    )
    in_stock = forms.BooleanField(required=False, label="In stock")
    rating = forms.BooleanField(required=False, label="Rated 4 stars and up")
    on_sale = forms.BooleanField(required=False, label="On sale")
    store = forms.SlugField(required=False, max_length=60, label="Store")

    def __init__(self, data, *, has_query: bool = True, store_choices=None, **kwargs):
        super().__init__(data, **kwargs)
        sorts = SORTS if has_query else {k: v for k, v in SORTS.items() if k != "relevance"}
        self.fields["sort"].widget = forms.Select(choices=list(sorts.items()))
        self.fields["kind"].choices = [("", "All"), *KINDS.items()]
        self.has_store_filter = store_choices is not None
        if store_choices is not None:
            self.set_store_choices(store_choices)

    def set_store_choices(self, choices: list[tuple[str, str]]) -> None:
        self.fields["store"].widget = forms.Select(
            choices=[("", "All stores"), *choices], attrs={"class": "form-select form-select-sm"}
        )

    def clean(self):
        data = super().clean()
        low, high = data.get("min_price"), data.get("max_price")
        if low is not None and high is not None and low > high:
            self.add_error("max_price", "The highest price must be at least the lowest.")
            data.pop("max_price", None)
        return data

    def filters(self, **overrides):
        self.is_valid()  # fills cleaned_data with the good fields; errors stay for the template
        data = self.cleaned_data
        values = {
            "query": data.get("q") or "",
            "sort": data.get("sort") if data.get("sort") in SORTS else "",
            "min_price": data.get("min_price"),
            "max_price": data.get("max_price"),
            "kind": data.get("kind") or "",
            "in_stock": bool(data.get("in_stock")),
            "rating_4": bool(data.get("rating")),
            "on_sale": bool(data.get("on_sale")),
            "store": data.get("store") or "",
        }
        values.update(overrides)
        return BrowseFilters(**values)

    @property
    def active_filters(self) -> int:
        data = getattr(self, "cleaned_data", {})
        return sum(
            1
            for name in ("min_price", "max_price", "kind", "in_stock", "rating", "on_sale", "store")
            if data.get(name) not in (None, "", False)
        )


# Promotions --------------------------------------------------------------------------------


class IdsField(forms.TypedMultipleChoiceField):
    """Ids of things chosen in a list: any whole number is passed on, so the service (not the
    form) refuses ids the user may not use, with a message that says why."""

    def __init__(self, **kwargs):
        super().__init__(coerce=int, required=False, **kwargs)

    def valid_value(self, value) -> bool:
        return str(value).isdigit() and len(str(value)) < 12


class PromotionForm(forms.Form):
    """A promotion's fields as a seller types them; dates in the store's time zone (the view
    validates with it active). services.promotions.save_promotion checks the rest."""

    name = forms.CharField(max_length=120, label="Name buyers see", help_text="Such as “Autumn sale”.")
    kind = forms.ChoiceField(
        choices=[("percent", "Percentage off"), ("fixed", "Amount off")],
        initial="percent",
        label="Discount",
        widget=forms.RadioSelect,
    )
    amount = MoneyField(allow_negative=True, label="How much off", help_text="A percentage (1–100) or an amount.")
    starts_at = forms.DateTimeField(
        label="Starts", input_formats=["%Y-%m-%dT%H:%M"], widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label="Ends", input_formats=["%Y-%m-%dT%H:%M"], widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    stores = IdsField(label="Whole stores", widget=forms.CheckboxSelectMultiple)
    products = IdsField(label="Products", widget=forms.SelectMultiple(attrs={"size": 8}))
    variants = IdsField(label="Variants", widget=forms.SelectMultiple(attrs={"size": 6}))
    notify_followers = forms.BooleanField(
        required=False, initial=True, label="Tell followers and savers when it starts"
    )

    def __init__(self, *args, stores=(), products=(), variants=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stores"].choices = [(s.pk, s.name) for s in stores]
        by_store: dict[str, list] = {}
        for product in products:
            by_store.setdefault(product.store.name, []).append((product.pk, product.title))
        self.fields["products"].choices = list(by_store.items())
        self.fields["variants"].choices = [(v.pk, f"{v.product.title} — {v.name}") for v in variants]

    def data_for_service(self):
        from .services.promotions import PromotionData

        data = self.cleaned_data
        return PromotionData(
            name=data.get("name") or "",
            kind=data.get("kind") or "",
            amount=data.get("amount"),
            starts_at=data.get("starts_at"),
            ends_at=data.get("ends_at"),
            store_ids=frozenset(data.get("stores") or ()),
            product_ids=frozenset(data.get("products") or ()),
            variant_ids=frozenset(data.get("variants") or ()),
            notify_followers=bool(data.get("notify_followers")),
        )
