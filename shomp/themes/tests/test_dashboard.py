"""The seller's Themes, Customize and Assets pages: applying, editing the draft (bad input
refused next to its field, nothing saved), contrast warnings, the preview, publishing, assets
(content-checked, re-encoded without metadata, quota), and query budgets."""

import html as html_lib
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from shomp.core.tests.files import SECRET, jpeg_with_metadata
from shomp.stores.tests.factories import StoreFactory
from shomp.themes import services
from shomp.themes.models import StoreAsset, StoreSettings, Theme

pytestmark = pytest.mark.django_db


def png(name="banner.png", size=(64, 32), color=(200, 80, 40)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def store():
    return StoreFactory()


@pytest.fixture
def seller(client, store):
    client.force_login(store.owner)
    return client


def _draft(store):
    return StoreSettings.objects.get(store=store)


COLORS = {
    "background": "#ffffff",
    "surface": "#ffffff",
    "text": "#212529",
    "primary": "#0d6efd",
    "on_primary": "#ffffff",
    "accent": "#0a58ca",
}


def _form(**changes):
    data = {
        **COLORS,
        "heading_font": "lora",
        "body_font": "inter",
        "radius": "0.5rem",
        "product_layout": "grid",
        "columns": "3",
        "card_style": "bordered",
        "banner_height": "medium",
        "header_style": "left",
        "banner_image": "",
        "custom_css": "",
    }
    data.update(changes)
    return data


# Themes ----------------------------------------------------------------------------------------


def test_six_themes_with_thumbnails_and_applying_one(seller, store):
    page = seller.get(reverse("themes:themes"))
    assert page.status_code == 200
    assert Theme.objects.count() >= 6
    for theme in Theme.objects.all():
        assert f"Use {theme.name}" in page.content.decode()
        thumb = seller.get(reverse("themes:thumbnail", kwargs={"theme_key": theme.key}))
        assert thumb["Content-Type"] == "image/svg+xml" and b"<svg" in thumb.content
        assert theme.css_variables["background"].encode() in thumb.content
    response = seller.post(reverse("themes:themes"), {"theme": "botanical"})
    assert response.status_code == 302
    assert _draft(store).theme.key == "botanical"
    assert "store-cols-2" in services.publish(store=store).published["classes"]


def test_a_theme_that_does_not_exist_is_refused_and_changes_nothing(seller, store):
    services.apply_theme(store=store, theme_key="candy")
    response = seller.post(reverse("themes:themes"), {"theme": "no-such-theme"})
    assert response.status_code == 400
    assert "That theme doesn't exist" in html_lib.unescape(response.content.decode())
    assert _draft(store).theme.key == "candy"
    assert seller.get(reverse("themes:thumbnail", kwargs={"theme_key": "nope"})).status_code == 404


# Customize -------------------------------------------------------------------------------------


def test_customizing_saves_the_draft_and_only_publishing_shows_it(seller, store, client):
    response = seller.post(
        reverse("themes:customize"), _form(primary="#7a1f5c", columns="4", custom_css=".card { border-width: 2px }")
    )
    assert response.status_code == 302
    draft = _draft(store)
    assert draft.colors["primary"] == "#7a1f5c" and draft.layout["columns"] == 4
    assert draft.custom_css == ".card {\n  border-width: 2px;\n}\n"
    assert draft.published_hash == ""
    assert seller.post(reverse("themes:publish")).status_code == 302
    draft.refresh_from_db()
    assert "#7a1f5c" in draft.published_css and ".store-theme .card {" in draft.published_css
    assert "store-cols-4" in seller.get(store.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("primary", "red; background:url(x)", "is not a colour"),
        ("text", "#12345", "is not a colour"),
        ("heading_font", "Comic Sans", "choose one of the fonts offered"),
        ("columns", "7", "Choose one of the offered options"),
        ("radius", "999px", "Choose one of the corner styles"),
        ("banner_image", "999999", "not one of your store's assets"),
        ("custom_css", ".a { color: red }\n@import url(//evil.example/x.css);", "Line 2: @import is not allowed"),
        ("custom_css", ".ok { color: red }\n\n\ninput[value^=a] { background: url(x) }", "Line 4: Form fields (input)"),
        ("custom_css", "</style><script>alert(1)</script>", "Line 1: “<” is not allowed"),
        ("custom_css", ".a { position: fixed; inset: 0; z-index: 99 }", "nothing fixed over the page"),
    ],
)
def test_bad_input_is_refused_next_to_its_field_and_nothing_is_saved(seller, store, field, value, message):
    services.customize_store(store=store, colors={"primary": "#112233"}, custom_css=".before { color: blue }")
    before = _draft(store)
    response = seller.post(reverse("themes:customize"), _form(**{"accent": "#445566", field: value}))
    assert response.status_code == 400
    html = html_lib.unescape(response.content.decode())
    assert message in html
    error_slot = html.split(f'id="err-{field}"', 1)[1].split("</div></div>", 1)[0]
    assert message in error_slot  # next to the field
    after = _draft(store)
    assert after.colors == before.colors and after.custom_css == before.custom_css
    assert after.draft_version == before.draft_version


def test_another_stores_asset_is_not_a_banner(seller, store):
    theirs = StoreFactory()
    (asset,) = services.upload_assets(store=theirs, files=[png()])
    response = seller.post(reverse("themes:customize"), _form(banner_image=str(asset.pk)))
    assert response.status_code == 400
    assert "not one of your store's assets" in html_lib.unescape(response.content.decode())
    assert _draft(store).banner_image is None


def test_low_contrast_warns_and_offers_the_nearest_passing_colour(seller, store):
    response = seller.post(
        reverse("themes:customize"),
        _form(text="#bbbbbb", primary="#ffd400", on_primary="#ffffff"),
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200  # a warning, not a refusal: the draft is saved
    assert 'id="customize-feedback"' in html and "<html" not in html  # the HTMX fragment only
    version = _draft(store).draft_version
    # What the page swaps into the preview frame: the new draft sheet and the layout classes.
    assert f'data-css-url="{reverse("themes:preview_css")}?v={version}"' in html
    assert 'data-classes="store-theme store-layout-' in html and f'data-version="{version}"' in html
    assert "<iframe" not in html  # the frame itself stays (restyled in place, not reloaded)
    assert "Text on the page background: contrast 1.9:1 is below the 4.5:1" in html
    assert "Button text on buttons" in html
    assert 'name="use_text" value="#767676"' in html or 'name="use_text" value="#' in html
    # Taking the suggestion saves a colour that passes, and swaps the colour fields.
    suggestion = html.split('name="use_text" value="', 1)[1].split('"', 1)[0]
    again = seller.post(
        reverse("themes:customize"), {**_form(text="#bbbbbb"), "use_text": suggestion}, HTTP_HX_REQUEST="true"
    )
    assert _draft(store).colors["text"] == suggestion
    assert "Text on the page background" not in again.content.decode()
    assert 'id="color-fields" hx-swap-oob="true"' in again.content.decode()


def test_the_preview_is_the_store_with_the_draft_and_may_be_framed_only_by_shomp(seller, store):
    services.customize_store(store=store, colors={"primary": "#7a1f5c"}, layout={"product_layout": "list"})
    page = seller.get(reverse("themes:customize"))
    assert 'class="preview-frame"' in page.content.decode()
    preview = seller.get(reverse("themes:preview"))
    assert preview.status_code == 200
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in preview["Content-Security-Policy"]
    html = preview.content.decode()
    assert "store-layout-list" in html and reverse("themes:preview_css") in html
    css = seller.get(reverse("themes:preview_css"))
    assert css["Content-Type"] == "text/css; charset=utf-8" and "#7a1f5c" in css.content.decode()
    assert "no-cache" in css["Cache-Control"]
    # Every other page still refuses to be framed.
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]


def test_publishing_refuses_css_whose_asset_was_deleted_meanwhile(seller, store):
    (asset,) = services.upload_assets(store=store, files=[png(name="dots.png")])
    services.customize_store(store=store, custom_css=".a { background: url(dots) }")
    with pytest.raises(Exception, match="used by your custom CSS"):
        services.delete_asset(store=store, asset_id=asset.pk)
    settings = services.publish(store=store)
    assert f'url("{asset.image.url}")' in settings.published_css
    assert 'url("dots")' not in settings.published_css


# Assets ----------------------------------------------------------------------------------------


def test_an_uploaded_asset_is_re_encoded_without_metadata_and_named(seller, store):
    upload = SimpleUploadedFile("My Shop Banner.jpg", jpeg_with_metadata(), content_type="image/jpeg")
    response = seller.post(reverse("themes:assets"), {"files": [upload], "name": ""})
    assert response.status_code == 302
    asset = StoreAsset.objects.get(store=store)
    assert asset.name == "my-shop-banner"
    data = asset.image.read()
    assert SECRET not in data and b"Exif" not in data
    page = seller.get(reverse("themes:assets")).content.decode()
    assert "url(my-shop-banner)" in page


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("evil.png", b"<svg onload=alert(1)>", content_type="image/png"),
            "not a JPEG, PNG, WebP or GIF",
        ),
        (SimpleUploadedFile("doc.jpg", b"%PDF-1.4 nope", content_type="image/jpeg"), "not a JPEG, PNG, WebP or GIF"),
    ],
)
def test_what_is_not_an_image_is_refused_and_nothing_kept(seller, store, upload, message):
    response = seller.post(reverse("themes:assets"), {"files": [upload]})
    assert response.status_code == 400 and message in response.content.decode()
    assert not StoreAsset.objects.exists()


def test_too_many_bytes_or_pixels_are_refused(seller, store, settings, monkeypatch):
    monkeypatch.setattr(services, "ASSET_MAX_BYTES", 100)
    from shomp.themes import forms

    monkeypatch.setattr(forms.AssetUploadForm.base_fields["files"], "max_bytes", 100)
    response = seller.post(reverse("themes:assets"), {"files": [png(size=(200, 200))]})
    assert response.status_code == 400 and "can be at most 100" in response.content.decode()
    monkeypatch.setattr(forms.AssetUploadForm.base_fields["files"], "max_bytes", 10_000_000)
    monkeypatch.setattr(forms.AssetUploadForm.base_fields["files"], "max_pixels", 100)
    response = seller.post(reverse("themes:assets"), {"files": [png(size=(200, 200))]})
    assert response.status_code == 400 and "200×200 pixels" in response.content.decode()
    assert not StoreAsset.objects.exists()


def test_the_store_quota_is_kept(seller, store, monkeypatch):
    monkeypatch.setattr(services, "ASSET_MAX_COUNT", 2)
    services.upload_assets(store=store, files=[png(), png()])
    response = seller.post(reverse("themes:assets"), {"files": [png()]})
    assert response.status_code == 400 and "can keep 2 assets" in response.content.decode()
    assert StoreAsset.objects.filter(store=store).count() == 2
    monkeypatch.setattr(services, "ASSET_MAX_COUNT", 30)
    monkeypatch.setattr(services, "ASSET_QUOTA_BYTES", 1)
    response = seller.post(reverse("themes:assets"), {"files": [png()]})
    assert response.status_code == 400 and "of assets. Delete some first" in response.content.decode()
    assert StoreAsset.objects.filter(store=store).count() == 2


def test_rename_and_delete_and_another_stores_asset_is_404(seller, store):
    (mine,) = services.upload_assets(store=store, files=[png(name="a.png")])
    (theirs,) = services.upload_assets(store=StoreFactory(), files=[png(name="b.png")])
    assert (
        seller.post(reverse("themes:asset_rename", kwargs={"asset_id": mine.pk}), {"name": "hero"}).status_code == 302
    )
    mine.refresh_from_db()
    assert mine.name == "hero"
    seller.post(reverse("themes:asset_rename", kwargs={"asset_id": mine.pk}), {"name": "Not OK!"})
    mine.refresh_from_db()
    assert mine.name == "hero"
    for name in ("asset_rename", "asset_delete"):
        assert seller.post(reverse(f"themes:{name}", kwargs={"asset_id": theirs.pk}), {"name": "x"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "b"
    assert seller.post(reverse("themes:asset_delete", kwargs={"asset_id": mine.pk})).status_code == 302
    assert not StoreAsset.objects.filter(pk=mine.pk).exists()


# Query budgets ---------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 50])
def test_dashboard_pages_spend_flat_queries(seller, store, django_assert_max_num_queries, size):
    for i in range(size):
        StoreAsset.objects.create(
            store=store,
            name=f"a{i}",
            image="themes/assets/x.png",
            thumbnail="themes/assets/thumbs/x.png",
            width=10,
            height=10,
            size_bytes=100,
        )
    services.customize_store(store=store, custom_css=".a { color: red }")
    services.publish(store=store)
    for name, budget in (
        ("themes:themes", 12),
        ("themes:customize", 13),
        ("themes:assets", 12),
        ("themes:preview", 14),
    ):
        with django_assert_max_num_queries(budget):
            assert seller.get(reverse(name)).status_code == 200, name


# The logo (Store.logo, set from Customize and Assets through the stores app's service) -----------


def test_a_logo_uploaded_on_customize_is_the_stores_logo_and_in_the_preview(seller, store):
    response = seller.post(reverse("themes:logo"), {"logo": png(name="Mark.png", size=(300, 300))})
    assert response.status_code == 302 and response["Location"] == reverse("themes:customize")
    store.refresh_from_db()
    assert store.logo and store.logo_thumbnail
    page = seller.get(reverse("themes:customize")).content.decode()
    assert store.logo_thumbnail.url in page and "Logo saved" in page
    preview = seller.get(reverse("themes:preview")).content.decode()
    assert f'src="{store.logo_thumbnail.url}" alt="{html_lib.escape(store.name)} logo"' in preview
    assert store.logo_thumbnail.url in seller.get(store.get_absolute_url()).content.decode()  # live at once

    seller.post(reverse("themes:logo"), {"remove": "1"})
    store.refresh_from_db()
    assert not store.logo and not store.logo_thumbnail
    assert "placeholder-img" in seller.get(reverse("themes:preview")).content.decode()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("evil.png", b"<svg onload=alert(1)>", content_type="image/png"), "not a JPEG, PNG"),
        (None, "This field is required."),
    ],
)
def test_a_bad_logo_is_refused_next_to_its_field_and_nothing_changes(seller, store, upload, message):
    services.set_logo(store=store, logo=None)
    response = seller.post(reverse("themes:logo"), {"logo": upload} if upload else {})
    assert response.status_code == 400
    page = response.content.decode()
    error = re.search(r'<div id="logo-error" class="invalid-feedback">([^<]*)</div>', page)
    assert error and message in html_lib.unescape(error.group(1)), page
    assert 'aria-describedby="logo-help logo-error"' in page and 'aria-invalid="true"' in page
    store.refresh_from_db()
    assert not store.logo


def test_use_as_logo_on_assets_makes_the_asset_the_logo_and_keeps_the_asset(seller, store):
    (asset,) = services.upload_assets(store=store, files=[png(name="mark.png", size=(2000, 1000))])
    response = seller.post(reverse("themes:asset_logo", kwargs={"asset_id": asset.pk}))
    assert response.status_code == 302
    store.refresh_from_db()
    assert store.logo and store.logo.name != asset.image.name  # its own copy, under the logo caps
    with Image.open(store.logo) as image:
        assert max(image.size) == 1024
    assert StoreAsset.objects.filter(pk=asset.pk).exists()
    page = seller.get(reverse("themes:assets")).content.decode()
    assert "is now your store&#x27;s logo" in page and 'id="current-logo"' in page
    other = StoreFactory()
    (theirs,) = services.upload_assets(store=other, files=[png()])
    assert seller.post(reverse("themes:asset_logo", kwargs={"asset_id": theirs.pk})).status_code == 404
    assert seller.post(reverse("themes:asset_logo", kwargs={"asset_id": "nope"})).status_code == 404
