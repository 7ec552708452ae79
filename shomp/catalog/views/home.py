"""The marketplace's front page: the same HTML for every visitor, so it can be cached for all
(follow buttons, hearts and the header's badges load as per-visitor fragments)."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from shomp.core.htmx import render
from shomp.core.pagecache import SITE, shared_page

from ..selectors import home as selectors

# The home page's category tiles: a Bootstrap Icons name per top-level category (others: a tag).
CATEGORY_ICONS = {
    "art-and-prints": "palette",
    "ceramics": "cup-hot",
    "clothing": "bag",
    "jewellery": "gem",
    "books-and-zines": "book",
    "music-and-audio": "music-note-beamed",
    "patterns-and-tutorials": "scissors",
    "digital-downloads": "cloud-arrow-down",
    "home-and-living": "house-heart",
    "craft-supplies": "basket",
    "bags-and-accessories": "handbag",
}


@shared_page(scope=SITE)
@login_not_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The marketplace's front page: the same HTML for every visitor (follow buttons load as fragments)."""
    popular, products = selectors.home_products()
    return render(
        request,
        "catalog/home.html",
        {
            "categories": selectors.home_categories(),
            "popular": popular,
            "products": products,
            "stores": selectors.stores_to_follow(),
            "category_icons": CATEGORY_ICONS,
            "hide_header_search": True,  # the hero has the page's one search box
        },
    )
