"""seed_demo's store designs: every demo store a different published theme, Inkwell & Ash with a
banner and its own custom CSS on its page; made once."""

import io

import pytest
from django.core.management import call_command
from django.test import Client

from shomp.demo import themes
from shomp.stores.models import Store
from shomp.themes.models import StoreAsset, StoreSettings
from shomp.themes.sanitizer import PROTECTED_GUARD


@pytest.mark.django_db
def test_demo_stores_wear_different_themes_and_one_has_custom_css():
    call_command("seed_demo", products_per_store=1, stdout=io.StringIO())
    designs = {s.store.slug: s for s in StoreSettings.objects.select_related("store", "theme")}
    assert {slug: d.theme.key for slug, d in designs.items()} == themes.THEMES
    assert all(d.published_hash for d in designs.values())
    inkwell = designs[themes.CUSTOM_CSS_STORE]
    assert f".store-theme .product-card:hover{PROTECTED_GUARD} {{" in inkwell.published_css
    assert inkwell.published["banner_url"]
    page = Client().get(Store.objects.get(slug=themes.CUSTOM_CSS_STORE).get_absolute_url()).content.decode()
    assert inkwell.published_hash in page and 'class="store-banner"' in page

    call_command("seed_demo", products_per_store=1, stdout=io.StringIO())
    assert StoreAsset.objects.count() == 1
    assert StoreSettings.objects.get(pk=inkwell.pk).published_hash == inkwell.published_hash
