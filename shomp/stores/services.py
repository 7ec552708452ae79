import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from shomp.accounts.models import User
from shomp.core import pagecache, uploads
from shomp.core.reserved import RESERVED_WORDS
from shomp.organizations import services as organizations
from shomp.organizations.models import Organization
from shomp.organizations.services import own_organization

from .models import Store

# A logo is decoded in the seller's request (anyone signed in may open a store), so its caps are
# lower than core.uploads' defaults, which the media worker affords. Measured (process_image to
# 1024 px, flat images, the cheapest files for the most pixels): a 40 MP JPEG +20 MB and 0.1 s
# (decoded at 1/8 scale), a 16 MP PNG +120 MB and 0.5 s with alpha, an 8 MP WebP +125 MB and
# 0.4 s, an 8 MP GIF +60 MB: a request stays under 256 MB and 2 s (bench/uploads.py's store/).
LOGO_MAX_PIXELS = {"JPEG": 40_000_000, "PNG": 16_000_000, "WEBP": 8_000_000, "GIF": 8_000_000}
LOGO_MAX_SIDE = 1024  # stored (and decoded, for a JPEG) at most this large; pages show the thumbnail


def validate_store_slug(slug: str, *, exclude_pk: int | None = None) -> str:
    slug = (slug or "").strip().lower()
    field = Store._meta.get_field("slug")
    field.run_validators(slug)
    if len(slug) < 2:
        raise ValidationError("A store address needs at least 2 characters.")
    if slug in RESERVED_WORDS:
        raise ValidationError(f"“{slug}” is reserved by Shomp. Please choose another address.")
    if Store.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        raise ValidationError(f"The address “{slug}” is taken. Please choose another.")
    return slug


NO_ADDRESS_FROM_NAME = (
    "We can't make a web address from this name (it has no letters or digits we can use). "
    "Type one in Store address, such as “yarn-corner”: lowercase letters, digits and hyphens."
)


def suggest_store_slug(name: str) -> str:
    """A free slug derived from the store name ("Clay & Co." -> "clay-co", then "clay-co-2");
    "" when nothing of the name can make one ("🧶🧶🧶", "日本の店"): the seller then chooses it."""
    # slugify keeps underscores, which store addresses don't allow; one character is too short.
    base = re.sub(r"[-_]+", "-", slugify(name))[:44].strip("-")
    if not base:
        return ""
    if base in RESERVED_WORDS or len(base) < 2:
        base = f"{base}-shop"
    candidate, n = base, 2
    while Store.objects.filter(slug=candidate).exists():
        candidate, n = f"{base}-{n}", n + 1
    return candidate


@transaction.atomic
def create_store(
    *,
    owner: User,
    name: str,
    slug: str = "",
    description: str = "",
    logo=None,
    organization: Organization | None = None,
) -> Store:
    """Open a store. `owner` is the person opening it: in their own organization (made silently
    with their first store) by default, or in `organization` if they may open stores there (its
    owner or an admin of all its stores: PermissionDenied otherwise). The store's `owner` is its
    organization's owner either way (the door's free answer for owners)."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give your store a name."})
    try:
        slug = validate_store_slug(slug) if slug else suggest_store_slug(name)
    except ValidationError as error:
        raise ValidationError({"slug": error.messages}) from None
    if not slug:
        raise ValidationError({"slug": NO_ADDRESS_FROM_NAME})
    if organization is None:
        organization = own_organization(user=owner)
    # Locked: the new store's has_team (Store.save) is read while no member comes or goes.
    organization = organizations.lock_for_new_store(organization=organization, actor=owner)
    store = Store(
        owner_id=organization.owner_id,
        organization=organization,
        name=name,
        slug=slug,
        description=description.strip(),
    )
    if logo is not None:
        _set_logo(store, logo)
    store.full_clean()
    try:
        with transaction.atomic():
            store.save()
    except IntegrityError:  # two people took the same slug at once
        raise ValidationError({"slug": f"The address “{slug}” is taken. Please choose another."}) from None
    organizations.record_store_opened(organization=organization, actor=owner, store_name=store.name)
    return store


@transaction.atomic
def update_store(
    *,
    store: Store,
    name: str,
    slug: str,
    description: str = "",
    logo=None,
    remove_logo: bool = False,
    review_policy: str | None = None,
    time_zone: str | None = None,
) -> Store:
    """The settings page's save. `review_policy` and `time_zone` None keep them as they are."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give your store a name."})
    try:
        slug = validate_store_slug(slug, exclude_pk=store.pk)
    except ValidationError as error:
        raise ValidationError({"slug": error.messages}) from None
    pagecache.bump(store_slugs=[store.slug])  # the old address's cached pages
    store.name, store.slug, store.description = name, slug, description.strip()
    if review_policy is not None:
        store.review_policy = review_policy  # full_clean below refuses a value that isn't a choice
    if time_zone is not None:
        store.time_zone = time_zone  # full_clean below refuses a zone this machine doesn't know
    if remove_logo:
        store.logo, store.logo_thumbnail = "", ""
    if logo is not None:
        _set_logo(store, logo)
    store.full_clean()
    try:
        with transaction.atomic():
            store.save()
    except IntegrityError:
        raise ValidationError({"slug": f"The address “{slug}” is taken. Please choose another."}) from None
    return store


@transaction.atomic
def set_logo(*, store: Store, logo: "uploads.ProcessedImage | None") -> Store:
    """Replace the store's logo with `logo` (processed under LOGO_MAX_PIXELS and LOGO_MAX_SIDE), or
    remove it with None. Store.logo stays the logo's only copy: the themes app's Customize and
    Assets pages set it through here too."""
    if logo is None:
        store.logo, store.logo_thumbnail = "", ""
    else:
        _set_logo(store, logo)
    store.save(update_fields=["logo", "logo_thumbnail"])
    pagecache.bump(store_slugs=[store.slug])
    return store


def _set_logo(store: Store, logo: "uploads.ProcessedImage") -> None:
    store.logo.save(logo.content.name, logo.content, save=False)
    store.logo_thumbnail.save(logo.thumbnail.name, logo.thumbnail, save=False)
