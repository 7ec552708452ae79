"""A team grows: the owner invites by email, the invitee opens the emailed link, accepts with
their verified address, and lands on the members page, where they see themselves (usernames
only) and the owner. Their dashboard shows only what the role allows; when the owner lowers the
role, the member's already-open dashboard loses the section on their next click."""

import re

from allauth.account.models import EmailAddress
from django.core import mail

from shomp.organizations.models import Membership

from . import builders
from .helpers import MOBILE, assert_no_page_errors, expect, label, login, screenshot


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
