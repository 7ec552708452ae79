"""The buyer's listings: search, category pages and the store page, with one sort-and-filter form.

The state lives in the query string (q, sort, min_price, max_price, kind, in_stock, rating, store,
category, page); the form's HTMX requests swap `#browse` and push the URL. A bad value gets a
message next to its field and filters nothing.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse

from shomp.core.htmx import render
from shomp.core.pagecache import SITE, STORE, shared_page
from shomp.core.pagination import paginate
from shomp.organizations.areas import MEMBER, Area
from shomp.stores.policies import can
from shomp.stores.selectors import get_store_by_slug

from ..forms import BrowseForm
from ..selectors import browse

PER_PAGE = 24


def _listing(request: HttpRequest, *, form: BrowseForm, category_ids=None, in_store=None, **overrides):
    filters = form.filters(**overrides)
    products = browse.browse_products(filters=filters, category_ids=category_ids, store=in_store)
    if in_store is not None and category_ids is None and browse.is_default_store_listing(filters):
        # A store's page as most visitors open it: its first page by queries compiled once.
        first = paginate(
            request,
            products,
            per_page=PER_PAGE,
            first_rows=lambda limit: browse.default_store_listing(store=in_store, limit=limit),
            count=lambda: browse.default_store_listing_count(store=in_store),
        )
        return filters, first
    return filters, paginate(request, products, per_page=PER_PAGE)


@shared_page(scope=SITE)
@login_not_required
def search(request: HttpRequest) -> HttpResponse:
    has_query = bool(request.GET.get("q", "").strip())
    form = BrowseForm(request.GET, has_query=has_query, store_choices=[])
    form.is_valid()
    category_slug = request.GET.get("category", "")[:80]
    category, categories = browse.get_category(slug=category_slug)
    category_ids = browse.category_and_descendants(category, categories) if category else None
    filters, page = _listing(request, form=form, category_ids=category_ids)
    # Facets: the results' categories and stores, counted in one query each.
    unfiltered = browse.browse_products(filters=filters)
    tree = browse.build_tree(categories, browse.counts_by_category(unfiltered))
    stores = browse.counts_by_store(browse.browse_products(filters=form.filters(store="")))
    form.set_store_choices([(row["store__slug"], f"{row['store__name']} ({row['n']})") for row in stores])
    return render(
        request,
        "catalog/search.html",
        {
            "form": form,
            "filters": filters,
            "page_obj": page,
            "query": filters.query,
            "category": category,
            "category_tree": [node for node in tree if node.count],
            "hide_header_search": True,  # the page has its own box: one search box per page
        },
        partial="browse",
    )


@shared_page(scope=SITE)
@login_not_required
def category_page(request: HttpRequest, slug: str) -> HttpResponse:
    category, categories = browse.get_category(slug=slug)
    if category is None:
        raise Http404("No such category.")
    form = BrowseForm(request.GET, has_query=False, store_choices=[])
    form.is_valid()
    ids = browse.category_and_descendants(category, categories)
    filters, page = _listing(request, form=form, category_ids=ids, query="")
    tree = browse.build_tree(categories, browse.published_counts_by_category())
    node = browse.find_node(tree, category.pk)
    stores = browse.counts_by_store(browse.browse_products(filters=form.filters(store="", query=""), category_ids=ids))
    form.set_store_choices([(row["store__slug"], f"{row['store__name']} ({row['n']})") for row in stores])
    return render(
        request,
        "catalog/category_page.html",
        {
            "form": form,
            "filters": filters,
            "page_obj": page,
            "category": category,
            "node": node,
            "parent": next((c for c in categories if c.pk == category.parent_id), None),
            "category_tree": tree,
        },
        partial="browse",
    )


@shared_page(scope=STORE)
@login_not_required
def store_page(request: HttpRequest, store_slug: str) -> HttpResponse:
    store = get_store_by_slug(slug=store_slug)
    if store is None:
        raise Http404("No such store.")
    form = BrowseForm(request.GET, has_query=False)
    form.is_valid()
    filters, page = _listing(request, form=form, in_store=store, query="", store="")
    return render(
        request,
        "catalog/store_page.html",
        {
            "store": store,
            "form": form,
            "filters": filters,
            "page_obj": page,
            "is_manager": can(request.user, store, Area.PRODUCTS),
            # Its team doesn't write to the store (messaging refuses it): no Contact button.
            "is_team": can(request.user, store, MEMBER),
        },
        partial="browse",
    )


@shared_page(scope=SITE)
@login_not_required
def categories(request: HttpRequest) -> HttpResponse:
    tree = browse.category_tree(counts=browse.published_counts_by_category())
    return render(request, "catalog/categories.html", {"category_tree": tree})
