"""The unified inbox, two people at once: the owner assigns a conversation to a support member
whose /dashboard/messages is open; the row moves to the top of it live, the bell counts the
notification, and the notification leads to the thread. Screenshots at desktop and 375 px."""

import re

from shomp.messaging import services
from shomp.messaging.models import Conversation
from shomp.organizations.tests.factories import add_member
from shomp.stores.tests.factories import StoreFactory

from . import builders
from .helpers import (
    DESKTOP,
    MOBILE,
    assert_no_page_errors,
    assert_same_page,
    expect,
    horizontal_overflow,
    login,
    mark_page,
    screenshot,
    wait_for_htmx,
    wait_for_socket,
)


def _thread(store, subject: str, customer) -> Conversation:
    return services.create_conversation(
        store=store, customer=customer, type="general", subject=subject, content=f"About {subject.lower()}."
    )


def rows(page):
    return page.locator("#inbox-list > .inbox-row")


def test_an_assigned_conversation_shows_up_live_in_the_assignees_inbox(make_page, live_url, live_server_app):
    north = builders.store(name="Studio North", slug="studio-north")
    south = StoreFactory(name="Studio South", slug="studio-south", owner=north.owner, organization=north.organization)
    helper = builders.user("helper")
    add_member(north, user=helper, role="support")
    buyer = builders.user("mugfan")
    older = _thread(south, "Bowl sizes", buyer)  # the older one: second in the inbox
    _thread(north, "Glaze question", builders.user("potter"))
    _thread(StoreFactory(name="Elsewhere"), "Not yours", buyer)

    member = login(make_page(), live_url, helper.username, builders.PASSWORD)
    member.goto("/dashboard/messages/")
    expect(member.get_by_role("heading", name=re.compile(r"^Messages"))).to_be_visible()
    expect(rows(member)).to_have_count(2)
    expect(rows(member).nth(0)).to_contain_text("Glaze question")
    expect(rows(member).nth(0)).to_contain_text("Studio North")
    expect(rows(member).nth(1)).to_contain_text("Bowl sizes")
    expect(rows(member).nth(1)).to_contain_text("Studio South")
    expect(rows(member).nth(1)).to_contain_text("Unassigned")
    expect(member.get_by_text("Not yours")).to_have_count(0)
    wait_for_socket(member)
    # Two new-message notifications already (the helper answers both stores' messages).
    expect(member.locator("#notifications-badge")).to_have_text(re.compile(r"^2"))
    mark_page(member)

    # The helper also has "Assigned to me" open in another tab: nothing yet.
    mine = login(make_page(mobile=True), live_url, helper.username, builders.PASSWORD)
    mine.goto("/dashboard/messages/?assigned=me")
    expect(mine.get_by_text("No conversations match these filters")).to_be_visible()
    wait_for_socket(mine)
    mark_page(mine)

    # The owner has the inbox open in one tab (the row changes in place there, it doesn't move)
    # and, in another, a page whose row for it is gone (the push must not break anything).
    watcher = login(make_page(), live_url, north.owner.username, builders.PASSWORD)
    watcher.goto("/dashboard/messages/")
    expect(rows(watcher).nth(1)).to_contain_text("Unassigned")
    wait_for_socket(watcher)
    mark_page(watcher)
    gone = login(make_page(), live_url, north.owner.username, builders.PASSWORD)
    gone.goto("/dashboard/messages/")
    wait_for_socket(gone)
    gone.locator(f"#inbox-row-{older.uuid}").evaluate("row => row.remove()")
    mark_page(gone)

    owner = login(make_page(), live_url, north.owner.username, builders.PASSWORD)
    owner.goto(older.get_absolute_url())
    card = owner.locator("#assignment")
    expect(card).to_contain_text("Unassigned")
    select = owner.get_by_label("Assign to")
    wait_for_htmx(select)
    select.select_option(label="helper")
    card.get_by_role("button", name="Assign").click()
    expect(owner.locator("#assignment")).to_contain_text("Assigned to helper.")
    expect(owner.locator("#assignment-current")).to_contain_text("Assigned to helper")
    assert Conversation.objects.get(pk=older.pk).assigned_to_id == helper.pk

    # The helper's open inbox: the row is now on top and names them; the bell counts one.
    expect(rows(member).nth(0)).to_contain_text("Bowl sizes")
    expect(rows(member).nth(0)).to_contain_text("helper")
    expect(rows(member)).to_have_count(2)  # moved, not doubled
    expect(member.locator("#notifications-badge")).to_have_text(re.compile(r"^3"))
    assert_same_page(member)

    # The owner's open inbox: the row names the helper where it was (second), once.
    expect(rows(watcher).nth(1)).to_contain_text("helper")
    expect(rows(watcher).nth(0)).to_contain_text("Glaze question")
    expect(watcher.locator(f"#inbox-row-{older.uuid}")).to_have_count(1)
    assert_same_page(watcher)
    expect(rows(gone)).to_have_count(1)  # dropped, not added
    expect(gone.locator("#inbox-updates > *")).to_have_count(0)
    assert_same_page(gone)
    for page in (watcher, gone):
        assert_no_page_errors(page)

    # The helper's "Assigned to me" tab: the thread arrived, the empty state went.
    expect(rows(mine)).to_have_count(1)
    expect(rows(mine).nth(0)).to_contain_text("Bowl sizes")
    expect(mine.get_by_text("No conversations match these filters")).to_be_hidden()
    assert_same_page(mine)

    # A new message in the other thread (not theirs) moves it up in the full inbox, and stays
    # out of "Assigned to me".
    glaze = Conversation.objects.get(subject="Glaze question")
    live_server_app.call(services.send_message, conversation=glaze, sender=glaze.customer, content="And the speckles?")
    expect(rows(member).nth(0)).to_contain_text("And the speckles?")
    expect(rows(mine)).to_have_count(1)

    # Given back to nobody: it leaves "Assigned to me", the empty state returns.
    owner.get_by_label("Assign to").select_option(label="Nobody")
    owner.locator("#assignment").get_by_role("button", name="Assign").click()
    expect(owner.locator("#assignment")).to_contain_text("Unassigned.")
    expect(rows(mine)).to_have_count(0)
    expect(mine.get_by_text("No conversations match these filters")).to_be_visible()
    expect(member.locator(f"#inbox-row-{older.uuid}")).to_contain_text("Unassigned")
    assert_same_page(mine)
    assert_same_page(member)
    assert_no_page_errors(mine)

    # The notification leads to the thread.
    member.get_by_role("button", name=re.compile(r"^Notifications")).click()
    item = member.get_by_role("link", name=re.compile(rf"{north.owner.username} assigned you “Bowl sizes”"))
    expect(item).to_be_visible()
    item.click()
    expect(member).to_have_url(re.compile(rf"/messages/{older.uuid}/$"))
    expect(member.locator("#assignment-current")).to_contain_text("Unassigned")
    for page in (member, owner):
        expect(page.locator("body")).not_to_contain_text("@example.com")
        assert_no_page_errors(page)


def test_the_inbox_at_desktop_and_phone_width(make_page, live_url):
    north = builders.store(name="Studio North", slug="studio-north")
    south = StoreFactory(
        name="Studio South With A Long Name", slug="studio-south", owner=north.owner, organization=north.organization
    )
    helper = builders.user("helper")
    add_member(north, user=helper, role="support")
    for n, store in enumerate([north, south, north, south]):
        conversation = _thread(store, f"Question number {n} about a rather long product name", builders.user())
        if n == 1:
            services.assign_conversation(conversation=conversation, assignee=helper, actor=north.owner)
    for size, name in [(DESKTOP, "desktop"), (MOBILE, "375")]:
        page = login(make_page(viewport=size), live_url, north.owner.username, builders.PASSWORD)
        page.goto("/dashboard/messages/")
        expect(rows(page)).to_have_count(4)
        assert horizontal_overflow(page) == 0
        screenshot(page, f"unified-inbox/inbox-{name}")
        page.goto("/dashboard/messages/?assigned=me")
        expect(page.get_by_text("No conversations match these filters")).to_be_visible()
        expect(page.get_by_role("link", name="Reset filters")).to_be_visible()
        screenshot(page, f"unified-inbox/inbox-empty-{name}")
        page.goto("/dashboard/messages/settings/")
        page.get_by_label("Name").fill(f"Shipping times {name}")
        page.get_by_label("Reply").fill("We ship within two days, from Oslo.")
        page.get_by_label("Share with the organization").check()
        page.get_by_role("button", name="Save reply").click()
        expect(page.get_by_text("Saved reply added.")).to_be_visible()
        expect(page.locator(".list-group-item").filter(has_text=f"Shipping times {name}")).to_contain_text(
            "Shared with the organization"
        )
        assert horizontal_overflow(page) == 0
        screenshot(page, f"unified-inbox/replies-{name}")
        # The shared reply is in the composer of the other store's thread.
        page.goto(Conversation.objects.filter(assigned_to=helper).get().get_absolute_url())
        expect(page.get_by_role("button", name=re.compile(f"Shipping times {name}"))).to_be_visible()
        assert horizontal_overflow(page) == 0
        screenshot(page, f"unified-inbox/thread-{name}")
        assert_no_page_errors(page)
