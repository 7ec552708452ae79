"""Who reaches a store's design: the door's "appearance" area on the active store. Each role,
a logged-out visitor, a stranger and another store's owner, on every route; nothing saved."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from shomp.accounts.tests.factories import UserFactory
from shomp.organizations.models import Membership
from shomp.organizations.tests.factories import add_member
from shomp.stores.tests.factories import StoreFactory
from shomp.themes import services
from shomp.themes.models import StoreAsset, StoreSettings

pytestmark = pytest.mark.django_db

ROLES = ["owner", "admin", "manager", "support", "fulfilment", "analyst"]
APPEARANCE_PEOPLE = {"owner", "admin", "manager"}


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), (1, 2, 3)).save(buffer, "PNG")
    return SimpleUploadedFile("x.png", buffer.getvalue(), content_type="image/png")


def _world():
    store = StoreFactory()
    users = {"owner": store.owner}
    for role in ROLES[1:]:
        users[role] = add_member(store, role=role).user
    (asset,) = services.upload_assets(store=store, files=[_png()])
    services.apply_theme(store=store, theme_key="studio")
    store.logo = "seed-logo.png"  # a name only: nothing here may touch it
    store.save(update_fields=["logo"])
    return store, users, asset


def _routes(asset):
    return {
        "themes": ("get", reverse("themes:themes"), {}),
        "apply": ("post", reverse("themes:themes"), {"theme": "midnight"}),
        "thumbnail": ("get", reverse("themes:thumbnail", kwargs={"theme_key": "classic"}), {}),
        "customize": ("get", reverse("themes:customize"), {}),
        "customize_post": ("post", reverse("themes:customize"), {"custom_css": ".hacked { color: red }"}),
        "publish": ("post", reverse("themes:publish"), {}),
        "preview": ("get", reverse("themes:preview"), {}),
        "preview_css": ("get", reverse("themes:preview_css"), {}),
        "assets": ("get", reverse("themes:assets"), {}),
        "upload": ("post", reverse("themes:assets"), {"files": [_png()]}),
        "rename": ("post", reverse("themes:asset_rename", kwargs={"asset_id": asset.pk}), {"name": "renamed"}),
        "delete": ("post", reverse("themes:asset_delete", kwargs={"asset_id": asset.pk}), {}),
        "logo": ("post", reverse("themes:logo"), {"logo": _png()}),
        "logo_remove": ("post", reverse("themes:logo"), {"remove": "1"}),
        "asset_logo": ("post", reverse("themes:asset_logo", kwargs={"asset_id": asset.pk}), {}),
    }


def _unchanged(store, asset):
    settings = StoreSettings.objects.get(store=store)
    assert settings.theme.key == "studio" and settings.custom_css == "" and settings.published_hash == ""
    assert list(StoreAsset.objects.filter(store=store).values_list("pk", "name")) == [(asset.pk, asset.name)]
    store.refresh_from_db()
    assert store.logo.name == "seed-logo.png"  # the logo neither replaced nor removed


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_the_design_pages_only_with_appearance(client, role):
    store, users, asset = _world()
    client.force_login(users[role])
    for key, (method, url, data) in _routes(asset).items():
        if key in {
            "upload",
            "rename",
            "delete",
            "apply",
            "customize_post",
            "publish",
            "logo",
            "logo_remove",
            "asset_logo",
        }:
            continue  # the writes are tried below, after the reads
        response = getattr(client, method)(url, data)
        if role in APPEARANCE_PEOPLE:
            assert response.status_code == 200, key
        else:
            assert response.status_code == 302 and response["Location"] == reverse("organizations:members"), key
    if role not in APPEARANCE_PEOPLE:
        for method, url, data in _routes(asset).values():
            getattr(client, method)(url, data)
        _unchanged(store, asset)


def test_a_logged_out_visitor_is_sent_to_log_in_and_nothing_changes(client):
    store, _, asset = _world()
    for key, (method, url, data) in _routes(asset).items():
        response = getattr(client, method)(url, data)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], key
    _unchanged(store, asset)


def test_a_stranger_without_a_store_is_sent_to_make_one_and_nothing_changes(client):
    store, _, asset = _world()
    client.force_login(UserFactory())
    for key, (method, url, data) in _routes(asset).items():
        response = getattr(client, method)(url, data)
        assert response.status_code == 302 and response["Location"] == reverse("stores:create"), key
    _unchanged(store, asset)


def test_another_stores_owner_only_ever_works_on_their_own_store(client):
    store, _, asset = _world()
    services.customize_store(store=store, colors={"primary": "#5a1e3c"}, custom_css=".secret-style { color: #5a1e3c }")
    before = StoreSettings.objects.get(store=store)
    other = StoreFactory()
    client.force_login(other.owner)
    for key in ("rename", "delete", "asset_logo"):
        method, url, data = _routes(asset)[key]
        assert getattr(client, method)(url, data).status_code == 404, key
    store.refresh_from_db()
    assert store.logo.name == "seed-logo.png" and not other.logo
    for key in ("preview", "preview_css", "customize", "assets"):
        method, url, data = _routes(asset)[key]
        body = getattr(client, method)(url, data).content.decode()
        assert "#5a1e3c" not in body and "secret-style" not in body and asset.image.url not in body, key
    # Posting the other store's asset as a banner, or applying, changes only their own draft.
    client.post(reverse("themes:customize"), {"banner_image": str(asset.pk)})
    client.post(reverse("themes:themes"), {"theme": "candy"})
    client.post(reverse("themes:publish"))
    after = StoreSettings.objects.get(store=store)
    assert (after.theme_id, after.colors, after.custom_css, after.published_hash) == (
        before.theme_id,
        before.colors,
        before.custom_css,
        before.published_hash,
    )
    assert StoreSettings.objects.get(store=other).theme.key == "candy"
    assert StoreSettings.objects.get(store=other).banner_image is None


def test_a_lowered_member_loses_access_on_the_next_request(client):
    store, users, asset = _world()
    client.force_login(users["manager"])
    assert client.get(reverse("themes:customize")).status_code == 200
    Membership.objects.filter(user=users["manager"]).update(role="support")
    response = client.post(reverse("themes:customize"), {"custom_css": ".x { color: red }"})
    assert response.status_code == 302 and response["Location"] == reverse("organizations:members")
    _unchanged(store, asset)


def test_the_menu_shows_the_design_sections_only_to_appearance_people(client):
    _store, users, _ = _world()
    for role in ("manager", "support"):
        client.force_login(users[role])
        html = client.get(reverse("orders:dashboard_home")).content.decode()
        for name in ("themes:themes", "themes:customize", "themes:assets"):
            assert (f'href="{reverse(name)}"' in html) == (role == "manager"), (role, name)
