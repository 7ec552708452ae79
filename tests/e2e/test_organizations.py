"""A team grows: the owner invites by email, the invitee opens the emailed link, accepts with
their verified address, and lands on the members page, where they see themselves (usernames
only) and the owner. Their dashboard shows only what the role allows; when the owner lowers the
role, the member's already-open dashboard loses the section on their next click."""

import re

from allauth.account.models import EmailAddress
from django.core import mail

from shomp.organizations.models import Membership

from . import builders
from .helpers import MOBILE, accept_dialogs, assert_no_page_errors, expect, label, login, screenshot


def test_owner_invites_and_the_invitee_accepts_from_the_email(make_page, live_url):
    shop = builders.store(name="Studio North", slug="studio-north")
    invitee = builders.user("packer")
    EmailAddress.objects.create(user=invitee, email="packer@example.com", verified=True, primary=True)
    mail.outbox.clear()

    owner = login(make_page(), live_url, shop.owner.username, builders.PASSWORD)
    owner.goto("/dashboard/organization/members/")
    expect(owner.get_by_text("Just you.")).to_be_visible()
    owner.get_by_label(label("Email address")).fill("Packer@Example.com")
    owner.get_by_label(re.compile(r"^Fulfilment")).check()
    owner.get_by_role("button", name="Send invitation").click()
    expect(owner.get_by_text("Invitation sent to packer@example.com")).to_be_visible()
    expect(owner.locator("#invitations")).to_contain_text("packer@example.com")
    assert_no_page_errors(owner)

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/organizations/invitations/\S+/", mail.outbox[0].body).group(0)
    path = re.sub(r"^https?://[^/]+", "", link)

    member = login(make_page(), live_url, invitee.username, builders.PASSWORD)
    member.goto(path)
    expect(member.get_by_role("heading", name=f"Join {shop.organization.name}")).to_be_visible()
    member.get_by_role("button", name="Accept and join as packer").click()

    expect(member).to_have_url(re.compile(r"/dashboard/organization/members/$"))
    expect(member.get_by_text("Welcome to")).to_be_visible()
    table = member.locator("#members-table")
    expect(table).to_contain_text("packer")
    expect(table).to_contain_text(shop.owner.username)
    expect(table).not_to_contain_text("@example.com")
    expect(member.get_by_text("Invite a member")).to_have_count(0)  # fulfilment doesn't manage members
    assert Membership.objects.get(user=invitee).role == "fulfilment"
    assert_no_page_errors(member)

    member.goto(path)  # the link worked once
    expect(member.get_by_text("used already")).to_be_visible()

    # Fulfilment sees Orders in the menu, and nothing it can't open.
    member.goto("/dashboard/")
    menu = member.locator(".dashboard-nav")
    expect(menu.get_by_role("link", name="Orders")).to_be_visible()
    for hidden in ("Products", "Messages", "Analytics", "Store settings", "Promotions"):
        expect(menu.get_by_role("link", name=hidden, exact=True)).to_have_count(0)
    screenshot(member, "organizations-fulfilment-menu-1280")
    member.goto("/dashboard/products/")  # typed by hand: sent away, told why
    expect(member).to_have_url(re.compile(r"/dashboard/organization/members/$"))
    expect(member.get_by_text("Your role doesn't include that page.")).to_be_visible()

    # The member's dashboard stays open on the orders while the owner lowers the role.
    menu.get_by_role("link", name="Orders").click()
    expect(member).to_have_url(re.compile(r"/dashboard/orders/$"))
    expect(member.get_by_role("heading", name="Orders")).to_be_visible()

    owner.goto("/dashboard/organization/members/")
    owner.get_by_role("link", name="Change the role of packer").click()
    expect(owner).to_have_url(re.compile(r"/dashboard/organization/members/\d+/$"))
    owner.get_by_label(re.compile(r"^Analyst")).check()
    owner.get_by_role("button", name="Save").click()
    expect(owner.get_by_text("Saved packer's access.")).to_be_visible()
    expect(owner.locator("#members-table")).to_contain_text("Analyst")
    assert_no_page_errors(owner)
    owner.set_viewport_size(MOBILE)
    screenshot(owner, "organizations-role-lowered-owner-375")

    # The next click on the open page: Orders is refused, and gone from the menu.
    member.locator(".dashboard-nav").get_by_role("link", name="Orders").click()
    expect(member).to_have_url(re.compile(r"/dashboard/organization/members/$"))
    expect(member.get_by_text("Your role doesn't include that page.")).to_be_visible()
    menu = member.locator(".dashboard-nav")
    expect(menu.get_by_role("link", name="Orders")).to_have_count(0)
    expect(menu.get_by_role("link", name="Analytics")).to_be_visible()
    screenshot(member, "organizations-role-lowered-member-1280")
    member.set_viewport_size(MOBILE)
    screenshot(member, "organizations-role-lowered-member-375")
    assert Membership.objects.get(user=invitee).role == "analyst"
    assert_no_page_errors(member)


def test_the_owner_opens_an_organization_without_stores_from_the_switcher_and_deletes_it(make_page, live_url):
    from shomp.organizations import services
    from shomp.organizations.models import Organization

    shop = builders.store(name="Nia Weaves", slug="nia-weaves")
    empty = services.create_organization(owner=shop.owner, name="Winter Pop-up")

    for mobile in (False, True):
        page = login(make_page(mobile=mobile), live_url, shop.owner.username, builders.PASSWORD)
        page.goto("/dashboard/organization/members/")
        page.locator("#store-switch").click()
        switcher = page.locator("#store-switcher")
        expect(switcher.get_by_role("heading", name="Winter Pop-up")).to_be_visible()
        switcher.get_by_role("link", name="Team (no stores)").click()
        expect(page).to_have_url(re.compile(rf"/dashboard/organization/members/\?organization={empty.pk}$"))
        expect(page.get_by_role("heading", name="Winter Pop-up")).to_be_visible()
        page.locator(".organization-tabs").get_by_role("link", name="Settings", exact=True).click()
        expect(page).to_have_url(re.compile(rf"/dashboard/organization/settings/\?organization={empty.pk}$"))
        screenshot(page, f"organizations-empty-settings-{375 if mobile else 1280}")
        assert_no_page_errors(page)
    accept_dialogs(page)
    page.get_by_role("button", name="Delete Winter Pop-up").click()
    expect(page.get_by_text("Winter Pop-up was deleted.")).to_be_visible()
    assert not Organization.objects.filter(pk=empty.pk).exists()
    assert Organization.objects.filter(pk=shop.organization_id).exists()
