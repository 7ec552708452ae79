from decimal import Decimal

from django import forms

from shomp.core.money import MAX_PRICE
from shomp.core.uploads import (
    DIGITAL_PRODUCT_MAX_BYTES,
    DIGITAL_PRODUCT_TYPES,
    MultipleImageUploadField,
    PrivateFileField,
)

from .models import Product
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
    price = forms.DecimalField(
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=MAX_PRICE,
        error_messages={
            "min_value": "The price can't be negative.",
            "max_value": "The price can be at most 1,000,000.00.",
        },
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    kind = forms.ChoiceField(choices=Product.Kind.choices, widget=forms.Select, label="Kind")
    stock = forms.IntegerField(
        min_value=0,
        max_value=1_000_000,
        required=False,
        help_text="Physical products only: how many you can ship.",
        error_messages={"min_value": "Stock can't be negative."},
    )
    images = MultipleImageUploadField(
        required=False,
        max_files=MAX_IMAGES,
        label="Add images",
        help_text=f"Up to {MAX_IMAGES} images (JPEG, PNG, WebP or GIF, 10 MB each). The first is the cover.",
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
                },
            )
        super().__init__(*args, **kwargs)
        self.product = product

    def clean(self):
        data = super().clean()
        if data.get("kind") == Product.Kind.PHYSICAL and data.get("stock") is None and "stock" not in self.errors:
            self.add_error("stock", "Enter how many you have in stock.")
        return data
