"""The bulk pages: who gets in, what bad input shows, and what each page costs in queries."""

import html
import io
from decimal import Decimal

import pytest

from shomp.accounts.tests.factories import UserFactory
from shomp.bulk import services
from shomp.bulk.models import BulkJob
from shomp.catalog.models import Product
from shomp.catalog.tests.factories import ProductFactory
from shomp.organizations.models import AuditLogEntry
from shomp.organizations.tests.factories import add_member
from shomp.stores.tests.factories import StoreFactory

from .factories import sized_product

pytestmark = pytest.mark.django_db

MANY = 60


@pytest.fixture
def store():
    return StoreFactory(name="Fern & Kiln", slug="fern")


@pytest.fixture
def seller(store, client):
    client.force_login(store.owner)
    return store.owner


def text(response) -> str:
    return html.unescape(response.content.decode())


def a_job(store) -> BulkJob:
    ProductFactory(store=store, title="Mug", price=Decimal("10.00"))
    return services.prepare_operation(
        user=store.owner,
        target="products",
        action="price_percent",
        value="-10",
        filters=services.selectors.Filters(store_ids=(store.pk,)),
        ids=None,
    )


def test_a_price_change_previews_then_applies_through_the_pages(client, store, seller):
    mug = ProductFactory(store=store, title="Mug", price=Decimal("10.00"))
    response = client.post(
        "/dashboard/bulk/preview/",
        {"target": "products", "action": "price_percent", "value": "-10", "scope": "selected", "ids": [mug.pk]},
    )
    job = BulkJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/dashboard/bulk/jobs/{job.uuid}/"
    page = client.get(response["Location"]).content.decode()
    assert "This is a preview: nothing has changed yet. 1 row will change" in page
    assert "$10.00" in page and "$9.00" in page
    mug.refresh_from_db()
    assert mug.price == Decimal("10.00")
    response = client.post(f"/dashboard/bulk/jobs/{job.uuid}/apply/", follow=True)
    assert "Applied: Prices -10% on 1 product." in text(response)
    mug.refresh_from_db()
    assert mug.price == Decimal("9.00")
    assert AuditLogEntry.objects.filter(action="bulk_operation", actor=seller).count() == 1


def test_ids_of_another_store_forced_into_the_post_change_nothing(client, store, seller):
    mine = ProductFactory(store=store, price=Decimal("10.00"))
    theirs = ProductFactory(price=Decimal("10.00"))
    response = client.post(
        "/dashboard/bulk/preview/",
        {"target": "products", "action": "archive", "scope": "selected", "ids": [mine.pk, theirs.pk]},
    )
    assert response.status_code == 400
    assert "aren't in a store you can bulk-edit" in text(response)
    assert not BulkJob.objects.exists()
    response = client.post(
        "/dashboard/bulk/preview/",
        {"target": "products", "action": "archive", "scope": "all", "store": theirs.store_id},
    )
    assert response.status_code == 400 and not BulkJob.objects.exists()
    theirs.refresh_from_db()
    assert theirs.status == Product.Status.PUBLISHED


def test_a_bad_percentage_shows_next_to_the_field(client, store, seller):
    ProductFactory(store=store)
    response = client.post(
        "/dashboard/bulk/preview/", {"target": "products", "action": "price_percent", "value": "-150", "scope": "all"}
    )
    page = text(response)
    assert response.status_code == 400
    assert 'id="id_value_error"' in page and "-100 % or less would make everything free" in page
    assert not BulkJob.objects.exists()


def test_a_csv_with_a_bad_line_is_refused_with_its_line_then_fixed_and_applied(client, store, seller):
    mug = ProductFactory(store=store, slug="mug", price=Decimal("12.00"))
    bad = io.BytesIO(b"store,product,variant,sku,price,stock\nfern,mug,,,11.00,\nfern,mug,,nope,1.00,\n")
    bad.name = "prices.csv"
    response = client.post("/dashboard/bulk/import/", {"file": bad}, follow=True)
    page = text(response)
    assert "Line 3: no SKU “nope” in Fern & Kiln." in page and "apply-button" not in page
    fixed = io.BytesIO(b"store,product,variant,sku,price,stock\nfern,mug,,,11.00,\n")
    fixed.name = "prices.csv"
    response = client.post("/dashboard/bulk/import/", {"file": fixed})
    client.post(response["Location"] + "apply/")
    mug.refresh_from_db()
    assert mug.price == Decimal("11.00")


def test_an_unreadable_file_is_refused_next_to_the_file_field(client, store, seller):
    upload = io.BytesIO("store,product,variant,sku,price,stock\nfern,café,,,1,\n".encode("latin-1"))
    upload.name = "prices.csv"
    response = client.post("/dashboard/bulk/import/", {"file": upload})
    assert response.status_code == 400
    assert 'id="id_file_error"' in text(response) and "isn't UTF-8" in text(response)


def test_export_is_a_csv_download_of_the_users_stores_only(client, store, seller):
    ProductFactory(store=store, slug="mug", title="Mug")
    ProductFactory(slug="not-mine", title="Not mine")
    response = client.get("/dashboard/bulk/export.csv")
    body = b"".join(response.streaming_content).decode()
    assert response["Content-Type"] == "text/csv; charset=utf-8" and "attachment" in response["Content-Disposition"]
    assert "fern,mug,Mug" in body and "not-mine" not in body


PAGES = ["/dashboard/bulk/", "/dashboard/bulk/export.csv"]


def test_logged_out_visitors_are_sent_to_log_in(client, store):
    job = a_job(store)
    for url in [*PAGES, f"/dashboard/bulk/jobs/{job.uuid}/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    posts = ["/dashboard/bulk/preview/", "/dashboard/bulk/import/", f"/dashboard/bulk/jobs/{job.uuid}/apply/"]
    for url in posts:
        response = client.post(url, {"target": "products", "action": "archive", "scope": "all"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    job.refresh_from_db()
    assert job.status == BulkJob.Status.PREVIEW and BulkJob.objects.count() == 1


def test_another_stores_owner_sees_and_exports_only_their_own_rows(client, store):
    ProductFactory(store=store, title="Our secret mug", slug="secret")
    other = StoreFactory()
    ProductFactory(store=other, title="Their mug", slug="theirs")
    client.force_login(other.owner)
    page = text(client.get("/dashboard/bulk/?search=mug"))
    assert "Their mug" in page and "Our secret mug" not in page
    assert client.get(f"/dashboard/bulk/?store={store.pk}").context["filter_form"].errors  # not a choice
    body = b"".join(client.get("/dashboard/bulk/export.csv").streaming_content).decode()
    assert "theirs" in body and "secret" not in body
    response = client.post("/dashboard/bulk/preview/", {"target": "products", "action": "archive", "scope": "all"})
    job = BulkJob.objects.get()
    assert response.status_code == 302 and job.store_ids == [other.pk]


def test_a_refused_preview_keeps_the_filters_but_never_puts_the_token_in_links(client, store, seller):
    ProductFactory(store=store, title="Mug")
    response = client.post(
        "/dashboard/bulk/preview/",
        {"target": "products", "search": "mug", "action": "price_percent", "value": "", "scope": "all"},
    )
    page = text(response)
    assert response.status_code == 400 and "search=mug" in page and "csrfmiddlewaretoken=" not in page


def test_another_stores_owner_gets_404_on_the_job_and_cannot_apply_it(client, store):
    job = a_job(store)
    client.force_login(StoreFactory().owner)
    assert client.get(f"/dashboard/bulk/jobs/{job.uuid}/").status_code == 404
    assert client.post(f"/dashboard/bulk/jobs/{job.uuid}/apply/").status_code == 404
    job.refresh_from_db()
    assert job.status == BulkJob.Status.PREVIEW


def test_a_stranger_without_a_store_is_sent_to_create_one(client, store):
    job = a_job(store)
    client.force_login(UserFactory())
    assert client.get("/dashboard/bulk/")["Location"] == "/dashboard/stores/new/"
    assert client.get(f"/dashboard/bulk/jobs/{job.uuid}/")["Location"] == "/dashboard/stores/new/"


@pytest.mark.parametrize("removed", ["products", "promotions"])
def test_a_member_without_the_areas_gets_404(client, store, removed):
    job = a_job(store)
    member = add_member(store, role="manager", removed=[removed]).user
    client.force_login(member)
    if removed == "products":
        assert client.get("/dashboard/bulk/").status_code == 302  # no products area: the door sends them on
    else:
        assert client.get("/dashboard/bulk/").status_code == 404
    assert client.get(f"/dashboard/bulk/jobs/{job.uuid}/").status_code in (302, 404)


def test_a_manager_can_bulk_edit_but_not_see_the_owners_job(client, store):
    job = a_job(store)
    member = add_member(store, role="manager").user
    client.force_login(member)
    assert client.get("/dashboard/bulk/").status_code == 200
    assert client.get(f"/dashboard/bulk/jobs/{job.uuid}/").status_code == 404


@pytest.mark.parametrize("size", [1, MANY])
@pytest.mark.parametrize("target", ["products", "variants"])
def test_the_bulk_page_costs_the_same_queries_for_1_or_60_rows(
    client, store, seller, django_assert_max_num_queries, size, target
):
    for n in range(size):
        sized_product(store, title=f"Tee {n}", sizes=("S",))
    # session, user, memberships, stores (door), bulk stores, count, rows, recent jobs (+ savepoint slack)
    with django_assert_max_num_queries(10):
        response = client.get(f"/dashboard/bulk/?target={target}")
    assert response.context["page_obj"].paginator.count == size


@pytest.mark.parametrize("size", [1, MANY])
def test_the_export_costs_the_same_queries_for_1_or_60_rows(client, store, seller, django_assert_max_num_queries, size):
    for n in range(size):
        sized_product(store, title=f"Tee {n}", sizes=("S", "M"))
        ProductFactory(store=store, title=f"Mug {n}")
    with django_assert_max_num_queries(8):
        response = client.get("/dashboard/bulk/export.csv")
        lines = b"".join(response.streaming_content).decode().splitlines()
    assert len(lines) == 1 + size * 3


@pytest.mark.parametrize("size", [1, MANY])
def test_the_preview_page_costs_the_same_queries_for_1_or_60_changes(
    client, store, seller, django_assert_max_num_queries, size
):
    for n in range(size):
        ProductFactory(store=store, title=f"P{n}", price=Decimal("10.00"))
    job = services.prepare_operation(
        user=seller,
        target="products",
        action="price_amount",
        value="1",
        filters=services.selectors.Filters(store_ids=(store.pk,)),
        ids=None,
    )
    with django_assert_max_num_queries(8):
        response = client.get(f"/dashboard/bulk/jobs/{job.uuid}/")
    assert response.status_code == 200 and len(response.context["page_obj"].object_list) == size


def test_the_progress_poll_asks_for_a_refresh_once_the_worker_is_done(client, store, seller):
    job = a_job(store)
    BulkJob.objects.filter(pk=job.pk).update(status="running", phase="checking", processed=0, total=600)
    response = client.get(f"/dashboard/bulk/jobs/{job.uuid}/?poll=1", headers={"HX-Request": "true"})
    assert b"<progress" in response.content and b"Checking 0 of 600 rows" in response.content
    BulkJob.objects.filter(pk=job.pk).update(status="done")
    response = client.get(f"/dashboard/bulk/jobs/{job.uuid}/?poll=1", headers={"HX-Request": "true"})
    assert response.status_code == 204 and response["HX-Refresh"] == "true"


def test_a_file_with_many_bad_lines_lists_the_first_and_pages_through_all(client, store, seller):
    lines = "".join(f"fern,ghost-{n},,,1.00,\n" for n in range(130))
    upload = io.BytesIO(("store,product,variant,sku,price,stock\n" + lines).encode())
    upload.name = "prices.csv"
    response = client.post("/dashboard/bulk/import/", {"file": upload}, follow=True)
    page = text(response)
    assert "130 lines can't be applied" in page and "And 110 more, in the table below." in page
    assert "Line 2: no product “ghost-0” in Fern & Kiln." in page
    assert len(response.context["page_obj"].object_list) == 100
    assert response.context["page_obj"].paginator.num_pages == 2
