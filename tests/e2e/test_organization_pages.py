"""The organization pages look right at desktop and phone widths: members (with pending
invitations), a member's edit page, settings (with the audit log) and the invitation link.
Screenshots go to var/screenshots/organizations/ for a human to look at."""

import pytest
from allauth.account.models import EmailAddress

from shomp.organizations import services
from shomp.organizations.models import Membership

from . import builders
from .helpers import DESKTOP, MOBILE, SCREENSHOT_DIR, assert_no_page_errors, horizontal_overflow, login

SIZES = {"desktop": DESKTOP, "mobile": MOBILE}


@pytest.fixture
def team():
    """A busy organization: two stores, a manager of one, support, long names, a waiting invitation."""
    owner = builders.user("studio-owner")
    north = builders.store(owner=owner, name="Studio North Ceramics and Printed Matter", slug="studio-north")
    south = builders.store(owner=owner, name="Harbour Knits", slug="harbour-knits")
    organization = north.organization
    services.update_organization(
        organization=organization, actor=owner, name="Studio North", description="Prints, pots and knits."
    )
    joined = {}
    for username, role, stores in [
        ("a-very-long-username-for-layout", "manager", [south.pk]),
        ("helper", "support", None),
    ]:
        member = builders.user(username)
        EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
        invitation = services.invite_member(
            organization=organization, actor=owner, email=member.email, role=role, store_ids=stores
        )
        services.accept_invitation(token=invitation.token, user=member)
        joined[username] = member
    services.invite_member(
        organization=organization,
        actor=owner,
        email="someone.with.a.rather.long.address@example-company.co.uk",
        role="fulfilment",
        store_ids=[north.pk],
    )
    invitee = builders.user("newhelper")
    EmailAddress.objects.create(user=invitee, email=invitee.email, verified=True, primary=True)
    pending = services.invite_member(organization=organization, actor=owner, email=invitee.email, role="analyst")
    return {"owner": owner, "organization": organization, "invitee": invitee, "token": pending.token, **joined}


@pytest.mark.parametrize("size", SIZES)
def test_organization_pages_fit_and_screenshot(make_page, live_url, team, size):
    folder = SCREENSHOT_DIR / "organizations"
    folder.mkdir(parents=True, exist_ok=True)
    manager = Membership.objects.get(user__username="a-very-long-username-for-layout")
    owner = login(make_page(viewport=SIZES[size]), live_url, "studio-owner", builders.PASSWORD)
    pages = {
        "members": "/dashboard/organization/members/",
        "member-edit": f"/dashboard/organization/members/{manager.pk}/",
        "settings": "/dashboard/organization/settings/",
    }
    overflow = {}
    for name, path in pages.items():
        owner.goto(path)
        owner.screenshot(path=str(folder / f"{name}-{size}.png"), full_page=True)
        overflow[name] = horizontal_overflow(owner)
        assert_no_page_errors(owner)
        if name == "members":
            assert_members_page_controls_fit(owner, SIZES[size]["width"])
    invitee = login(make_page(viewport=SIZES[size]), live_url, "newhelper", builders.PASSWORD)
    invitee.goto(f"/organizations/invitations/{team['token']}/")
    invitee.screenshot(path=str(folder / f"invitation-{size}.png"), full_page=True)
    overflow["invitation"] = horizontal_overflow(invitee)
    assert_no_page_errors(invitee)
    assert overflow == dict.fromkeys(overflow, 0)


def assert_members_page_controls_fit(page, width: int) -> None:
    """Every member's buttons are on screen (not scrolled off in the table), and each invitation's
    Resend and Revoke sit together on one line."""
    buttons = (
        page.locator("#members-table").get_by_role("button").all()
        + page.locator("#members-table").get_by_role("link").all()
    )
    assert len(buttons) == 4  # Change and Remove for the manager and for support
    for button in buttons:
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (button.inner_text(), box)
    for item in page.locator("#invitations > li").all():
        resend = item.get_by_role("button", name="Send a new link").bounding_box()
        revoke = item.get_by_role("button", name="Revoke").bounding_box()
        assert resend["y"] == revoke["y"], item.inner_text()


@pytest.mark.parametrize("size", SIZES)
def test_other_states_of_the_pages_screenshot(make_page, live_url, team, size):
    """What a support member, a logged-out visitor and the wrong account see."""
    folder = SCREENSHOT_DIR / "organizations"
    support = login(make_page(viewport=SIZES[size]), live_url, "helper", builders.PASSWORD)
    support.goto("/dashboard/organization/members/")
    support.screenshot(path=str(folder / f"members-as-support-{size}.png"), full_page=True)
    assert horizontal_overflow(support) == 0
    support.goto(f"/organizations/invitations/{team['token']}/")  # not their address
    support.screenshot(path=str(folder / f"invitation-wrong-account-{size}.png"), full_page=True)
    assert horizontal_overflow(support) == 0
    visitor = make_page(viewport=SIZES[size])
    visitor.goto(f"/organizations/invitations/{team['token']}/")
    visitor.screenshot(path=str(folder / f"invitation-logged-out-{size}.png"), full_page=True)
    assert horizontal_overflow(visitor) == 0
    for page in (support, visitor):
        assert_no_page_errors(page)


UNLABELLED = """() => [...document.querySelectorAll('main input, main select, main textarea')]
  .filter((el) => el.type !== 'hidden' && el.checkVisibility())  // shown (not in a closed <details>)
  .filter((el) => ![...el.labels].some((label) => label.checkVisibility() && label.innerText.trim()))
  .map((el) => el.name || el.id)"""

FOCUSED = """() => {
  const el = document.activeElement;
  return el ? (el.getAttribute('aria-label') || el.innerText || el.name || el.value || '').trim() : '';
}"""


def test_every_control_is_labelled_and_reachable_by_keyboard(make_page, live_url, team):
    manager = Membership.objects.get(user__username="a-very-long-username-for-layout")
    owner = login(make_page(), live_url, "studio-owner", builders.PASSWORD)
    for path in (
        "/dashboard/organization/members/",
        f"/dashboard/organization/members/{manager.pk}/",
        "/dashboard/organization/settings/",
    ):
        owner.goto(path)
        assert owner.evaluate(UNLABELLED) == [], path
    owner.goto(f"/dashboard/organization/members/{manager.pk}/")
    owner.get_by_text("Adjust the role's areas").click()
    owner.screenshot(path=str(SCREENSHOT_DIR / "organizations" / "member-edit-areas-desktop.png"), full_page=True)
    assert owner.evaluate(UNLABELLED) == []

    owner.goto("/dashboard/organization/members/")
    reached = set()
    for _ in range(80):
        owner.keyboard.press("Tab")
        reached.add(owner.evaluate(FOCUSED))
    wanted = {
        "Change the role of helper",
        "Remove helper",
        "Change the role of a-very-long-username-for-layout",
        "Send a new link to newhelper@example.com",
        "Revoke the invitation to newhelper@example.com",
        "Send invitation",
        "email",
        "Settings",
    }
    assert wanted <= reached, wanted - reached
