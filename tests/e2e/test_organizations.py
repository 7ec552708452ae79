"""A team grows: the owner invites by email, the invitee opens the emailed link, accepts with
their verified address, and lands on the members page, where they see themselves (usernames
only) and the owner."""

import re

from allauth.account.models import EmailAddress
from django.core import mail

from shomp.organizations.models import Membership

from . import builders
from .helpers import assert_no_page_errors, expect, label, login


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
