"""generate_reports and the selectors: rollup days plus today's raw rows, in the store's time
zone, compared with the previous period or last year; products, variants, sources, buyers."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from shomp.accounts.tests.factories import UserFactory
from shomp.analytics import selectors
from shomp.analytics.forms import RangeForm
from shomp.analytics.models import ConversionType, Device, Medium, PageKind
from shomp.analytics.ranges import Compare, DateRange, RangeKey, comparison_range, resolve_range
from shomp.analytics.reports import generate_reports
from shomp.analytics.tests.factories import conversion, daily_stat, daily_visitors, page_view
from shomp.catalog.tests.factories import ProductFactory
from shomp.orders.models import Order
from shomp.orders.tests.factories import OrderFactory, OrderItemFactory, product_with_variants, variant_of
from shomp.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC
# 10:00 in Tokyo on March 10th; 01:00 UTC.
NOW = dt.datetime(2026, 3, 10, 1, 0, tzinfo=UTC)
TOKYO = ZoneInfo("Asia/Tokyo")
TODAY = dt.date(2026, 3, 10)


@pytest.fixture
def store():
    return StoreFactory(time_zone="Asia/Tokyo")


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def test_overview_adds_rolled_up_days_and_todays_raw_rows_of_this_store_only(store):
    other = StoreFactory(time_zone="Asia/Tokyo")
    # Two rolled-up days inside the last 7 days, one before it, and another store's day.
    daily_stat(store, days_ago(1), visits=10, pageviews=30, purchases=2, revenue="50.00")
    daily_stat(store, days_ago(3), visits=5, pageviews=9, product_views=4, medium=Medium.SEARCH, source="google")
    daily_stat(store, days_ago(8), visits=100, pageviews=100, purchases=9, revenue="900")
    daily_stat(other, days_ago(1), visits=77, pageviews=77, purchases=7, revenue="700")
    product = ProductFactory(store=store)
    # A product row's units are not orders of the store (the store's orders are product 0 rows).
    daily_stat(store, days_ago(1), product=product, product_views=6, pageviews=6, purchases=3, revenue="30")
    daily_visitors(store, days_ago(1), visitors=8)
    daily_visitors(store, days_ago(3), visitors=4)
    # Today in Tokyo: 01:00 local is 16:00 UTC the day before; 23:00 local yesterday is not today.
    page_view(store, created_at=dt.datetime(2026, 3, 9, 16, 0, tzinfo=UTC), is_entry=True, visitor_hash="a")
    page_view(store, created_at=dt.datetime(2026, 3, 9, 16, 5, tzinfo=UTC), product=product, visitor_hash="a")
    page_view(store, created_at=dt.datetime(2026, 3, 9, 14, 0, tzinfo=UTC), is_entry=True, visitor_hash="b")
    page_view(other, created_at=dt.datetime(2026, 3, 9, 17, 0, tzinfo=UTC), is_entry=True, visitor_hash="c")
    conversion(store, ConversionType.PURCHASE, value="20.00", created_at=dt.datetime(2026, 3, 9, 18, 0, tzinfo=UTC))
    conversion(store, ConversionType.ADD_TO_CART, created_at=dt.datetime(2026, 3, 9, 18, 0, tzinfo=UTC))

    report = generate_reports(store=store, period=RangeKey.LAST_7, compare=Compare.NONE, now=NOW)

    values = {h["key"]: h["value"] for h in report.headlines}
    assert values["visits"] == 10 + 5 + 1
    assert values["pageviews"] == 30 + 9 + 6 + 2
    assert values["product_views"] == 4 + 6 + 1
    assert values["visitors"] == 8 + 4 + 1
    assert values["orders"] == 2 + 1
    assert values["revenue"] == Decimal("70.00")
    assert values["conversion_rate"] == pytest.approx(3 / 16 * 100)
    assert values["aov"] == Decimal("70.00") / 3
    assert report.period.start == days_ago(6) and report.period.end == TODAY


def test_change_against_the_previous_period_and_the_same_days_last_year(store):
    daily_stat(store, days_ago(1), visits=30, purchases=3, revenue="60")
    daily_stat(store, days_ago(8), visits=20, purchases=1, revenue="40")  # the 7 days before
    daily_stat(store, days_ago(1) - dt.timedelta(days=365), visits=10)  # last year

    previous = generate_reports(store=store, period=RangeKey.LAST_7, compare=Compare.PREVIOUS, now=NOW)
    assert previous.previous.start == days_ago(13) and previous.previous.end == days_ago(7)
    assert previous.headline("visits")["change"] == pytest.approx(50.0)
    assert previous.headline("revenue")["change"] == pytest.approx(50.0)
    assert previous.headline("orders")["change"] == pytest.approx(200.0)

    year = generate_reports(store=store, period=RangeKey.LAST_7, compare=Compare.YEAR, now=NOW)
    assert year.previous.end == dt.date(2025, 3, 10)
    assert year.headline("visits")["change"] == pytest.approx(200.0)
    # Nothing to compare with: no change rather than a division by zero.
    assert year.headline("revenue")["change"] is None


def test_ranges_in_the_store_time_zone():
    key_days = {
        RangeKey.TODAY: (TODAY, TODAY),
        RangeKey.YESTERDAY: (days_ago(1), days_ago(1)),
        RangeKey.LAST_7: (days_ago(6), TODAY),
        RangeKey.LAST_30: (days_ago(29), TODAY),
        RangeKey.LAST_90: (days_ago(89), TODAY),
        RangeKey.THIS_MONTH: (dt.date(2026, 3, 1), TODAY),
        RangeKey.LAST_12_MONTHS: (dt.date(2025, 4, 1), TODAY),
    }
    for key, (start, end) in key_days.items():
        period = resolve_range(key, tz=TOKYO, now=NOW)
        assert (period.start, period.end) == (start, end), key
    # Still March 9th in New York at that instant.
    assert resolve_range(RangeKey.TODAY, tz=ZoneInfo("America/New_York"), now=NOW).start == dt.date(2026, 3, 9)
    period = resolve_range(RangeKey.TODAY, tz=TOKYO, now=NOW)
    assert period.start_at == dt.datetime(2026, 3, 9, 15, 0, tzinfo=UTC)
    # Last year's February 29th compares with the 28th.
    leap = DateRange(dt.date(2028, 2, 29), dt.date(2028, 2, 29), TOKYO)
    assert comparison_range(leap, Compare.YEAR).start == dt.date(2027, 2, 28)


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"range": "custom", "start": "2026-03-05", "end": "2026-03-01"}, "end", "comes before"),
        ({"range": "custom", "start": "2026-03-01", "end": "2999-01-01"}, "end", "future"),
        ({"range": "custom", "start": "2999-01-01", "end": "2999-01-02"}, "start", "future"),
        ({"range": "custom", "start": "2019-01-01", "end": "2026-03-01"}, "end", "five years"),
        ({"range": "custom", "start": "1900-01-01", "end": "2026-03-01"}, "start", "from January 1, 2000"),
        ({"range": "custom", "start": "", "end": "2026-03-01"}, "start", "first day"),
        ({"range": "custom", "start": "not a date", "end": "2026-03-01"}, "start", "valid date"),
        ({"range": "forever"}, "range", "valid choice"),
        ({"range": "30d", "compare": "<script>"}, "compare", "valid choice"),
    ],
)
def test_bad_ranges_are_an_error_next_to_their_field_and_the_default_is_shown(data, field, words):
    form = RangeForm(data, tz=TOKYO)
    assert not form.is_valid()
    assert words in " ".join(form.errors[field])
    assert form.period().key == RangeKey.LAST_30


def test_a_five_year_custom_range_is_fine():
    form = RangeForm({"range": "custom", "start": "2021-03-11", "end": "2026-03-01", "compare": "year"}, tz=TOKYO)
    assert form.is_valid(), form.errors
    assert form.period().start == dt.date(2021, 3, 11)
    assert form.compare_with() == Compare.YEAR


def test_series_by_hour_today_by_day_and_by_month(store):
    page_view(store, created_at=dt.datetime(2026, 3, 9, 16, 30, tzinfo=UTC), is_entry=True)  # 01:30 Tokyo
    page_view(store, created_at=dt.datetime(2026, 3, 10, 0, 10, tzinfo=UTC), is_entry=True)  # 09:10 Tokyo
    conversion(store, ConversionType.PURCHASE, value="12.50", created_at=dt.datetime(2026, 3, 10, 0, 20, tzinfo=UTC))
    today = selectors.series(store=store, period=resolve_range(RangeKey.TODAY, tz=TOKYO, now=NOW), now=NOW)
    assert len(today) == 24
    assert today[1]["visits"] == 1 and today[9]["visits"] == 1 and today[9]["revenue"] == Decimal("12.50")

    daily_stat(store, days_ago(2), visits=4, purchases=1, revenue="8")
    week = selectors.series(store=store, period=resolve_range(RangeKey.LAST_7, tz=TOKYO, now=NOW), now=NOW)
    assert [p["visits"] for p in week] == [0, 0, 0, 0, 4, 0, 2]
    assert week[-1]["revenue"] == Decimal("12.50")

    daily_stat(store, dt.date(2025, 4, 3), visits=7)
    period = resolve_range(RangeKey.LAST_12_MONTHS, tz=TOKYO, now=NOW)
    assert period.granularity == "day"
    year = selectors.series(store=store, period=period, now=NOW)
    assert len(year) == period.days == (TODAY - dt.date(2025, 4, 1)).days + 1  # by day
    assert year[0]["label"] == "Apr 1, 2025" and year[2]["label"] == "Apr 3, 2025" and year[2]["visits"] == 7
    assert year[-1]["label"] == "Mar 10, 2026" and year[-1]["visits"] == 2
    assert sum(p["visits"] for p in year) == 7 + 4 + 2

    # Longer custom ranges are charted by month.
    long = DateRange(dt.date(2024, 4, 1), TODAY, TOKYO, RangeKey.CUSTOM)
    assert long.granularity == "month"
    months = selectors.series(store=store, period=long, now=NOW)
    assert len(months) == 24 and months[12]["label"] == "Apr 2025" and months[12]["visits"] == 7
    assert months[-1]["label"] == "Mar 2026" and months[-1]["visits"] == 6


def test_products_sorted_with_todays_sales_from_order_lines(store):
    mug, bowl = ProductFactory(store=store, title="Mug"), ProductFactory(store=store, title="Bowl")
    daily_stat(
        store, days_ago(1), product=mug, product_views=10, pageviews=10, add_to_carts=3, purchases=2, revenue="20"
    )
    daily_stat(store, days_ago(2), product=bowl, product_views=40, pageviews=40, sold_out_views=5)
    page_view(store, product=bowl, created_at=NOW - dt.timedelta(minutes=5))
    order = OrderFactory(store=store, total=30)
    Order.objects.filter(pk=order.pk).update(created_at=NOW - dt.timedelta(minutes=1))
    OrderItemFactory(order=order, product=bowl, unit_price=Decimal("15"), quantity=2)
    period = resolve_range(RangeKey.LAST_7, tz=TOKYO, now=NOW)

    by_revenue = selectors.name_products(store=store, rows=selectors.product_rows(store=store, period=period, now=NOW))
    assert [(r["title"], r["views"], r["orders"], r["revenue"]) for r in by_revenue] == [
        ("Bowl", 41, 2, Decimal("30")),
        ("Mug", 10, 2, Decimal("20")),
    ]
    assert by_revenue[0]["sold_out_views"] == 5
    assert by_revenue[1]["conversion"] == pytest.approx(20.0)
    by_carts = selectors.product_rows(store=store, period=period, sort="add_to_carts", now=NOW)
    assert by_carts[0]["product_id"] == mug.pk


def test_variant_funnel_counts_each_variant_and_missed_demand(store):
    product = product_with_variants(store=store, options={"Size": ["S", "M"]})
    small, medium = variant_of(product, "S"), variant_of(product, "M")
    daily_stat(
        store, days_ago(1), product=product, variant=small, variant_views=8, add_to_carts=4, purchases=2, revenue="20"
    )
    daily_stat(store, days_ago(1), product=product, variant=medium, variant_views=6, sold_out_views=6)
    page_view(store, product=product, variant=medium, kind=PageKind.VARIANT, sold_out=True, created_at=NOW)
    funnel = selectors.variant_funnel(
        store=store, product=product, period=resolve_range(RangeKey.LAST_7, tz=TOKYO, now=NOW), now=NOW
    )
    rows = {row["name"]: row for row in funnel}
    assert rows["S"]["variant_views"] == 8 and rows["S"]["add_to_carts"] == 4 and rows["S"]["orders"] == 2
    assert rows["S"]["cart_rate"] == pytest.approx(50.0)
    assert rows["M"]["variant_views"] == 7 and rows["M"]["sold_out_views"] == 7 and rows["M"]["orders"] == 0


def test_sources_campaigns_and_referrers_by_visits_conversion_and_revenue(store):
    daily_stat(store, days_ago(1), medium=Medium.SEARCH, source="google", visits=10, purchases=2, revenue="40")
    daily_stat(
        store,
        days_ago(1),
        medium=Medium.SOCIAL,
        source="instagram",
        visits=4,
        utm_campaign="spring",
        purchases=1,
        revenue="25",
    )
    daily_stat(store, days_ago(2), medium=Medium.REFERRAL, source="blog.example", visits=3)
    page_view(store, medium=Medium.SEARCH, source="google", is_entry=True, created_at=NOW)
    period = resolve_range(RangeKey.LAST_7, tz=TOKYO, now=NOW)

    sources = selectors.source_rows(store=store, period=period, now=NOW)
    assert [(r["name"], r["visits"], r["orders"]) for r in sources] == [
        ("google", 11, 2),
        ("instagram", 4, 1),
        ("blog.example", 3, 0),
    ]
    assert sources[0]["conversion_rate"] == pytest.approx(2 / 11 * 100)
    assert sources[0]["medium_label"] == "Search engines"
    campaigns = selectors.campaign_rows(store=store, period=period, now=NOW)
    assert [(r["utm_campaign"], r["revenue"]) for r in campaigns] == [("spring", Decimal("25"))]
    assert [r["source"] for r in selectors.referrer_rows(store=store, period=period, now=NOW)] == ["blog.example"]


def test_buyers_new_returning_repeat_rate_and_top_by_username(store):
    period = resolve_range(RangeKey.LAST_30, tz=TOKYO)
    loyal, newcomer, old_friend = (
        UserFactory(username="loyal"),
        UserFactory(username="newcomer"),
        UserFactory(username="old"),
    )
    long_ago = period.start_at - dt.timedelta(days=40)
    for buyer, when in [(loyal, None), (loyal, None), (newcomer, None), (old_friend, long_ago), (old_friend, None)]:
        order = OrderFactory(store=store, buyer=buyer)
        if when:
            Order.objects.filter(pk=order.pk).update(created_at=when)
    OrderFactory(store=store, buyer=UserFactory(username="cancelled"), status=Order.Status.CANCELLED)
    OrderFactory(buyer=UserFactory(username="elsewhere"))  # another store's buyer

    buyers = selectors.buyers(store=store, period=period)
    assert buyers["count"] == 3
    assert buyers["new"] == 2 and buyers["returning"] == 1
    assert buyers["repeat_rate"] == pytest.approx(2 / 3 * 100)
    assert buyers["top"][0] == {"username": "loyal", "orders": 2}
    assert {b["username"] for b in buyers["top"]} == {"loyal", "newcomer", "old"}


def test_devices_browsers_and_countries(store):
    daily_stat(store, days_ago(1), device=Device.MOBILE, country="FR", visits=5)
    daily_stat(store, days_ago(1), device=Device.DESKTOP, country="", visits=2)
    daily_visitors(store, days_ago(1), visitors=4, device=Device.MOBILE, browser="Safari")
    daily_visitors(store, days_ago(1), visitors=2, device=Device.DESKTOP, browser="Firefox")
    order = OrderFactory(store=store, ship_country="France", total=Decimal("12"))
    Order.objects.filter(pk=order.pk).update(created_at=NOW - dt.timedelta(days=2))
    period = resolve_range(RangeKey.LAST_7, tz=TOKYO, now=NOW)
    devices = selectors.device_rows(store=store, period=period, now=NOW)
    assert devices[0] == {"device": "Phone", "visits": 5, "orders": 0, "visitors": 4}
    assert [r["name"] for r in selectors.family_rows(store=store, period=period, field="browser", now=NOW)] == [
        "Safari",
        "Firefox",
    ]
    countries = {r["country"]: r for r in selectors.country_rows(store=store, period=period, now=NOW)}
    assert countries["FR"]["visits"] == 5 and countries["France"]["orders"] == 1
    # An order placed with a country from the list counts on the visits' row of that country.
    coded = OrderFactory(store=store, ship_country="France", ship_country_code="FR", total=Decimal("30"))
    Order.objects.filter(pk=coded.pk).update(created_at=NOW - dt.timedelta(days=2))
    countries = {r["country"]: r for r in selectors.country_rows(store=store, period=period, now=NOW)}
    assert (countries["FR"]["visits"], countries["FR"]["orders"], countries["FR"]["revenue"]) == (5, 1, Decimal("30"))
    assert countries["France"]["orders"] == 1  # the older order, as typed


def test_todays_raw_reading_matches_the_rollup_of_the_same_day(store):
    """Today is read from raw rows, other days from the rollups: both must say the same."""
    from shomp.analytics.rollups import roll_up_day

    product = product_with_variants(store=store, options={"Size": ["S", "M"]})
    small = variant_of(product, "S")
    at = NOW - dt.timedelta(minutes=30)
    page_view(
        store, created_at=at, is_entry=True, visitor_hash="a", session_id="1", medium=Medium.SEARCH, source="google"
    )
    page_view(
        store, created_at=at, product=product, visitor_hash="a", session_id="1", medium=Medium.SEARCH, source="google"
    )
    page_view(
        store, created_at=at, product=product, variant=small, kind=PageKind.VARIANT, sold_out=True, visitor_hash="a"
    )
    page_view(store, created_at=at, is_entry=True, visitor_hash="b", session_id="2", device=Device.MOBILE)
    conversion(store, ConversionType.ADD_TO_CART, created_at=at, product=product, variant=small)
    order = OrderFactory(store=store, total=Decimal("24.00"))
    Order.objects.filter(pk=order.pk).update(created_at=at)
    OrderItemFactory(order=order, product=product, variant=small, unit_price=Decimal("12"), quantity=2)
    conversion(
        store,
        ConversionType.PURCHASE,
        created_at=at,
        value="24.00",
        order_id=order.pk,
        medium=Medium.SEARCH,
        source="google",
    )

    def reading(now):
        period = DateRange(TODAY, TODAY, TOKYO, RangeKey.CUSTOM)
        overview = selectors.overview(store=store, period=period, now=now)
        products = selectors.product_rows(store=store, period=period, now=now)
        funnel = selectors.variant_funnel(store=store, product=product, period=period, now=now)
        sources = selectors.source_rows(store=store, period=period, now=now)
        return overview, products, funnel, sources

    raw = reading(NOW)
    roll_up_day(store_id=store.pk, day=TODAY, tz=TOKYO)
    rolled = reading(NOW + dt.timedelta(days=1))
    assert rolled == raw
    assert raw[0]["visits"] == 2 and raw[0]["orders"] == 1 and raw[0]["pageviews"] == 3
    assert raw[1][0]["orders"] == 2 and raw[1][0]["revenue"] == Decimal("24")


def test_summaries_give_the_same_reports_as_the_rollups_for_any_mix_of_days(store):
    """Summarized days are read from DailySummary, the others from DailyStat: same numbers."""
    from shomp.analytics.summaries import summarize_days

    product = product_with_variants(store=store, options={"Size": ["S", "M"]})
    small = variant_of(product, "S")
    for n in range(1, 12):
        day = days_ago(n)
        daily_stat(store, day, visits=n, pageviews=2 * n, purchases=n % 2, revenue=str(10 * (n % 2)))
        daily_stat(store, day, medium=Medium.SEARCH, source="google", visits=1, pageviews=1, utm_campaign="spring")
        daily_stat(store, day, medium=Medium.REFERRAL, source="blog.example", visits=1, purchases=1, revenue="5")
        daily_stat(store, day, product=product, product_views=n, pageviews=n, add_to_carts=1, purchases=2, revenue="8")
        daily_stat(
            store, day, product=product, variant=small, variant_views=3, sold_out_views=1, purchases=1, revenue="4"
        )
        daily_visitors(store, day, visitors=n)
    page_view(store, created_at=NOW - dt.timedelta(minutes=5), is_entry=True, visitor_hash="z")
    period = resolve_range(RangeKey.LAST_30, tz=TOKYO, now=NOW)

    def everything():
        report = generate_reports(store=store, period=period, compare=Compare.PREVIOUS, now=NOW)
        return (
            [(h["key"], h["value"], h["change"]) for h in report.headlines],
            report.series,
            selectors.product_rows(store=store, period=period, now=NOW),
            selectors.variant_funnel(store=store, product=product, period=period, now=NOW),
            selectors.source_rows(store=store, period=period, now=NOW),
            selectors.campaign_rows(store=store, period=period, now=NOW),
            selectors.referrer_rows(store=store, period=period, now=NOW),
        )

    unsummarized = everything()
    summarize_days(store_id=store.pk, first=days_ago(7), last=days_ago(3))  # some days only
    assert everything() == unsummarized
    summarize_days(store_id=store.pk, first=days_ago(40), last=days_ago(1))  # every day, empty ones too
    assert everything() == unsummarized
    assert unsummarized[0][0] == ("visits", sum(range(1, 12)) + 22 + 1, None)


def test_a_cancelled_order_counts_nowhere_and_a_product_reads_the_same_before_and_after_its_day_is_rolled_up(
    store, django_capture_on_commit_callbacks
):
    """Cancelled (or fully refunded) orders are not sales in any report: today's raw reading,
    the rollup of the same day, and the Customers page agree; cancelling an order of a day
    already rolled up rolls that day up again."""
    from shomp.analytics.rollups import roll_up_day
    from shomp.orders.services import refunds

    product = ProductFactory(store=store)
    at = NOW - dt.timedelta(minutes=30)
    page_view(store, created_at=at, product=product, is_entry=True, visitor_hash="a", session_id="1")
    orders = []
    for total in ("10.00", "30.00", "50.00"):
        order = OrderFactory(store=store, total=Decimal(total))
        Order.objects.filter(pk=order.pk).update(created_at=at)
        OrderItemFactory(order=order, product=product, unit_price=Decimal(total), quantity=1)
        conversion(store, ConversionType.PURCHASE, created_at=at, value=total, order_id=order.pk)
        orders.append(order)
    Order.objects.filter(pk=orders[1].pk).update(status=Order.Status.CANCELLED)
    Order.objects.filter(pk=orders[2].pk).update(status=Order.Status.REFUNDED)
    period = DateRange(TODAY, TODAY, TOKYO, RangeKey.CUSTOM)

    def reading(now):
        overview = selectors.overview(store=store, period=period, now=now)
        (product_row,) = selectors.product_rows(store=store, period=period, now=now)
        (source,) = selectors.source_rows(store=store, period=period, now=now)
        return (
            (overview["orders"], overview["revenue"]),
            (product_row["orders"], product_row["revenue"]),
            (source["orders"], source["revenue"]),
            selectors.buyers(store=store, period=period)["count"],
        )

    raw = reading(NOW)
    assert raw == ((1, Decimal("10.00")), (1, Decimal("10.00")), (1, Decimal("10.00")), 1)
    roll_up_day(store_id=store.pk, day=TODAY, tz=TOKYO)
    assert reading(NOW + dt.timedelta(days=1)) == raw

    # The last sale is cancelled after its day was rolled up: the day is rolled up again.
    with django_capture_on_commit_callbacks(execute=True):
        refunds.cancel_order(order=orders[0], reason="Out of stock")
    after = reading(NOW + dt.timedelta(days=1))
    assert after == ((0, Decimal("0.00")), (0, Decimal("0.00")), (0, Decimal("0.00")), 0)


def test_cancelling_an_order_older_than_the_raw_retention_leaves_its_rollup_alone(store, settings):
    """Its day's raw views may be pruned already: rolling it up again would lose them."""
    from shomp.analytics.rollups import reroll_order

    settings.ANALYTICS_RETENTION_DAYS = 30
    old = dt.datetime.now(UTC) - dt.timedelta(days=40)
    order = OrderFactory(store=store, total=Decimal("10.00"), status=Order.Status.CANCELLED)
    conversion(store, ConversionType.PURCHASE, created_at=old, value="10.00", order_id=order.pk)
    day = old.astimezone(TOKYO).date()
    daily_stat(store, day, visits=50, purchases=1, revenue="10")
    assert reroll_order(order_id=order.pk) is False
    assert selectors.overview(store=store, period=DateRange(day, day, TOKYO, RangeKey.CUSTOM))["visits"] == 50
    settings.ANALYTICS_RETENTION_DAYS = 400
    assert reroll_order(order_id=order.pk) is True  # within retention: rolled up from the raw rows
    assert selectors.overview(store=store, period=DateRange(day, day, TOKYO, RangeKey.CUSTOM))["orders"] == 0
