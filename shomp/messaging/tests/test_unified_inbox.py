"""The unified inbox (issue 11): /dashboard/messages across every store and organization a member
answers messages for, its filters, assigning a conversation, replies shared with the
organization, and the live pushes that follow the door."""

import threading

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from shomp.accounts.tests.factories import UserFactory
from shomp.core import realtime
from shomp.messaging import events, services
from shomp.messaging.models import Conversation, SavedReply
from shomp.notifications.models import Notification
from shomp.organizations.models import Membership
from shomp.organizations.policies import forget_memberships
from shomp.organizations.tests.factories import add_member
from shomp.stores.tests.factories import StoreFactory

from .factories import ConversationFactory

pytestmark = pytest.mark.django_db

INBOX = "messaging:dashboard_inbox"


def _thread(store, subject, **kwargs) -> Conversation:
    return services.create_conversation(
        store=store, customer=kwargs.pop("customer", None) or UserFactory(), type="general", subject=subject,
        content="Hello", **kwargs,
    )  # fmt: skip


@pytest.fixture
def team():
    """Studio North (two stores, owner, a support member, a fulfilment member) and a stranger's
    store in another organization."""
    north = StoreFactory(name="North Mugs")
    south = StoreFactory(name="South Bowls", owner=north.owner, organization=north.organization)
    support = add_member(north, role="support", user=UserFactory(username="helper")).user
    fulfilment = add_member(north, role="fulfilment", user=UserFactory(username="packer")).user
    other = StoreFactory(name="Elsewhere")
    north.refresh_from_db()
    south.refresh_from_db()
    return {
        "north": north,
        "south": south,
        "owner": north.owner,
        "support": support,
        "fulfilment": fulfilment,
        "other": other,
        "n1": _thread(north, "Glaze question"),
        "s1": _thread(south, "Bowl sizes"),
        "o1": _thread(other, "Foreign thread"),
    }


@pytest.fixture
def pushed(monkeypatch):
    """Every realtime.publish / publish_many, as (topic, html) pairs, instead of sending them."""
    calls: list[tuple[str, str]] = []
    lock = threading.Lock()

    def publish(topic, html, **kwargs):
        with lock:
            calls.append((topic, str(html)))

    def publish_many(topics, html, **kwargs):
        with lock:
            calls.extend((topic, str(html)) for topic in topics)

    monkeypatch.setattr(realtime, "publish", publish)
    monkeypatch.setattr(realtime, "publish_many", publish_many)
    return calls


def fresh(user):
    forget_memberships(user)
    return user


# assign_conversation ----------------------------------------------------------------------


def test_the_owner_assigns_to_a_support_member_who_is_notified(team, django_capture_on_commit_callbacks):
    conversation = team["n1"]
    with django_capture_on_commit_callbacks(execute=True):
        services.assign_conversation(conversation=conversation, assignee=team["support"], actor=team["owner"])
    conversation.refresh_from_db()
    assert conversation.assigned_to == team["support"] and conversation.assigned_at is not None
    note = Notification.objects.get(user=team["support"], type="conversation_assigned")
    assert note.data["url"] == conversation.get_absolute_url()
    assert team["owner"].username in note.title and "Glaze question" in note.title
    assert team["owner"].email not in note.title + note.content
    # Assigning it again to the same person changes nothing and tells nobody twice.
    with django_capture_on_commit_callbacks(execute=True):
        services.assign_conversation(conversation=conversation, assignee=team["support"], actor=team["owner"])
    assert Notification.objects.filter(user=team["support"], type="conversation_assigned").count() == 1


def test_assigning_to_yourself_notifies_nobody_and_none_unassigns(team, django_capture_on_commit_callbacks):
    conversation = team["n1"]
    with django_capture_on_commit_callbacks(execute=True):
        services.assign_conversation(conversation=conversation, assignee=team["support"], actor=team["support"])
    assert not Notification.objects.filter(type="conversation_assigned").exists()
    services.assign_conversation(conversation=conversation, assignee=None, actor=team["owner"])
    conversation.refresh_from_db()
    assert conversation.assigned_to is None and conversation.assigned_at is None


@pytest.mark.parametrize("who", ["fulfilment", "stranger", "other_owner"])
def test_an_assignee_without_messages_on_the_store_is_refused(team, who):
    assignee = {"fulfilment": team["fulfilment"], "stranger": UserFactory(), "other_owner": team["other"].owner}[who]
    with pytest.raises(ValidationError) as refused:
        services.assign_conversation(conversation=team["n1"], assignee=assignee, actor=team["owner"])
    assert refused.value.message_dict["assignee"] == [f"{assignee.username} can't handle messages for North Mugs."]
    assert Conversation.objects.get(pk=team["n1"].pk).assigned_to is None


@pytest.mark.parametrize("who", ["fulfilment", "stranger", "other_owner"])
def test_an_actor_without_messages_on_the_store_is_refused(team, who):
    actor = {"fulfilment": team["fulfilment"], "stranger": UserFactory(), "other_owner": team["other"].owner}[who]
    with pytest.raises(ValidationError, match="can't assign"):
        services.assign_conversation(conversation=team["n1"], assignee=team["support"], actor=actor)
    # Nor on another organization's conversation, to themselves.
    with pytest.raises(ValidationError):
        services.assign_conversation(conversation=team["o1"], assignee=team["owner"], actor=team["owner"])
    assert Conversation.objects.filter(assigned_to__isnull=False).count() == 0


def test_a_member_limited_to_one_store_is_not_assignable_on_the_other(team):
    limited = add_member(team["north"], role="support", stores=[team["north"]]).user
    services.assign_conversation(conversation=team["n1"], assignee=limited, actor=team["owner"])
    with pytest.raises(ValidationError):
        services.assign_conversation(conversation=team["s1"], assignee=limited, actor=team["owner"])
    with pytest.raises(ValidationError):
        services.assign_conversation(conversation=team["s1"], assignee=fresh(limited), actor=fresh(limited))


def test_a_lowered_member_can_neither_assign_nor_be_assigned(team, django_capture_on_commit_callbacks):
    support = team["support"]
    Membership.objects.filter(user=support).update(role="analyst")
    with pytest.raises(ValidationError):
        services.assign_conversation(conversation=team["n1"], assignee=team["owner"], actor=fresh(support))
    with pytest.raises(ValidationError):
        services.assign_conversation(conversation=team["n1"], assignee=fresh(support), actor=team["owner"])
    assert Conversation.objects.get(pk=team["n1"].pk).assigned_to is None


def test_a_member_lowered_before_the_commit_is_not_notified(team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.assign_conversation(conversation=team["n1"], assignee=team["support"], actor=team["owner"])
    Membership.objects.filter(user=team["support"]).update(role="fulfilment")
    for callback in callbacks:
        callback()
    assert not Notification.objects.filter(type="conversation_assigned").exists()


# The unified inbox page ------------------------------------------------------------------


def test_a_member_of_two_organizations_sees_both_in_one_inbox_each_row_naming_its_store(client, team):
    # The support member of Studio North also owns a store of their own (their own organization).
    own = StoreFactory(name="Helper Prints", owner=team["support"])
    _thread(own, "My own customer")
    client.force_login(team["support"])
    page = client.get(reverse(INBOX)).text
    for subject in ("Glaze question", "Bowl sizes", "My own customer"):
        assert subject in page
    assert "Foreign thread" not in page
    assert page.count('class="inbox-store">North Mugs<') == 1
    assert page.count('class="inbox-store">South Bowls<') == 1
    assert page.count('class="inbox-store">Helper Prints<') == 1
    # Newest activity first.
    assert page.index("My own customer") < page.index("Bowl sizes") < page.index("Glaze question")
    assert team["owner"].email not in page and team["n1"].customer.email not in page


def test_filters_store_status_unread_assigned(client, team):
    services.assign_conversation(conversation=team["n1"], assignee=team["support"], actor=team["owner"])
    services.set_status(conversation=team["s1"], actor=team["owner"], status="archived")
    client.force_login(team["support"])

    def subjects(**params):
        text = client.get(reverse(INBOX), params).text
        return {s for s in ("Glaze question", "Bowl sizes", "Foreign thread") if s in text}

    assert subjects() == {"Glaze question"}  # "Active": archived ones need the status filter
    assert subjects(status="archived") == {"Bowl sizes"}
    assert subjects(store=team["south"].pk, status="archived") == {"Bowl sizes"}
    assert subjects(store=team["south"].pk, status="open") == set()
    assert subjects(store=team["north"].pk) == {"Glaze question"}
    assert subjects(assigned="me") == {"Glaze question"}
    assert subjects(assigned="none", status="archived") == {"Bowl sizes"}
    assert subjects(assigned="none") == set()
    assert subjects(unread="1") == {"Glaze question"}
    services.mark_as_read(conversation=team["n1"], reader=team["support"])
    assert subjects(unread="1") == set()
    # Another organization's store id is ignored: never its data.
    assert subjects(store=team["other"].pk, status="") == {"Glaze question"}
    assert "Foreign thread" not in client.get(reverse(INBOX), {"store": team["other"].pk}).text


def test_an_empty_filter_says_so_with_a_reset_link(client, team):
    client.force_login(team["owner"])
    page = client.get(reverse(INBOX), {"assigned": "me"}).text
    assert "No conversations match these filters" in page
    assert f'href="{reverse(INBOX)}">Reset filters</a>' in page
    # Still live: pushed rows are kept only if they match (data-filter-* read by messaging.js).
    assert "team-inbox" in page and 'data-filter-assigned="me"' in page
    unfiltered = client.get(reverse(INBOX)).text
    assert "No conversations match" not in unfiltered and "team-inbox" in unfiltered
    searched = client.get(reverse(INBOX), {"q": "Glaze"}).text  # a text search can't be checked live
    assert "Glaze question" in searched and "team-inbox" not in searched


def test_bad_filter_values_are_ignored(client, team):
    client.force_login(team["owner"])
    response = client.get(reverse(INBOX), {"status": "nope", "assigned": "<x>", "store": "abc", "unread": "yes"})
    assert response.status_code == 200 and "Glaze question" in response.text and "&lt;x&gt;" not in response.text


def test_who_reaches_the_unified_inbox(client, team):
    url = reverse(INBOX)
    response = client.get(url)  # logged out
    assert response.status_code == 302 and response.url.startswith(reverse(settings.LOGIN_URL))
    client.force_login(UserFactory())  # a stranger: no store of theirs
    response = client.get(url)
    assert response.status_code == 302 and response.url == reverse("stores:create")
    client.force_login(team["other"].owner)  # another store's owner: only their own
    text = client.get(url).text
    assert "Foreign thread" in text and "Glaze question" not in text and "Bowl sizes" not in text
    client.force_login(team["fulfilment"])  # on the team, but no messages: no inbox, no data
    response = client.get(url)
    assert response.status_code == 302 and "Glaze question" not in response.text
    client.force_login(team["support"])
    text = client.get(url).text
    assert "Glaze question" in text and "Bowl sizes" in text and "Foreign thread" not in text


def test_the_page_keeps_its_tools(client, team):
    client.force_login(team["support"])
    page = client.get(reverse(INBOX)).text
    assert reverse("messaging:dashboard_settings") in page
    assert 'name="q"' in page and 'name="type"' in page and 'name="store"' in page and 'name="assigned"' in page


@pytest.mark.parametrize("size", [1, 60])
def test_query_budget_is_flat_with_many_stores_and_conversations(client, django_assert_max_num_queries, size):
    member = UserFactory()
    first = StoreFactory()
    stores = [first] + [StoreFactory(owner=first.owner, organization=first.organization) for _ in range(size - 1)]
    add_member(first, user=member, role="support")
    for n in range(size):
        conversation = ConversationFactory(store=stores[n % len(stores)], store_unread_count=n % 2)
        if n % 3 == 0:
            Conversation.objects.filter(pk=conversation.pk).update(assigned_to=member)
    # Their own store too (a second organization).
    ConversationFactory(store=StoreFactory(owner=member))
    client.force_login(member)
    for params in [{}, {"assigned": "me", "unread": "1"}, {"store": first.pk, "status": "open", "q": "Question"}]:
        with django_assert_max_num_queries(8):
            response = client.get(reverse(INBOX), params)
        assert response.status_code == 200
    assert client.get(reverse(INBOX)).text.count('class="list-group-item') == min(size + 1, 20)


# The thread's assignment control ----------------------------------------------------------


def test_the_thread_shows_the_assignee_and_changes_it_without_javascript(client, team):
    url = team["n1"].get_absolute_url()
    client.force_login(team["owner"])
    page = client.get(url).text
    assert "Unassigned" in page and '<option value="{}"'.format(team["support"].pk) in page
    assert '<option value="{}"'.format(team["fulfilment"].pk) not in page  # no messages: not offered
    assert team["support"].email not in page
    response = client.post(reverse("messaging:assign", args=[team["n1"].uuid]), {"assignee": team["support"].pk})
    assert response.status_code == 302 and response.url == url
    page = client.get(url).text
    assert "Assigned to" in page and ">helper<" in page and "Assigned to helper." in page


def test_assigning_over_htmx_answers_with_the_card(client, team):
    client.force_login(team["owner"])
    url = reverse("messaging:assign", args=[team["n1"].uuid])
    response = client.post(url, {"assignee": team["support"].pk}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'id="assignment"' in response.text and "Assigned to helper." in response.text
    assert "<html" not in response.text


@pytest.mark.parametrize("value", ["fulfilment", "other_owner", "999999", "abc"])
def test_a_bad_assignee_gets_a_message_next_to_the_field_and_changes_nothing(client, team, value):
    ids = {"fulfilment": team["fulfilment"].pk, "other_owner": team["other"].owner_id}
    client.force_login(team["owner"])
    url = reverse("messaging:assign", args=[team["n1"].uuid])
    response = client.post(url, {"assignee": ids.get(value, value)}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'id="assign-error"' in response.text and "Choose a member who handles" in response.text
    assert 'aria-invalid="true"' in response.text
    assert Conversation.objects.get(pk=team["n1"].pk).assigned_to is None


@pytest.mark.parametrize("who", ["fulfilment", "stranger", "other_owner", "customer"])
def test_only_the_store_side_may_assign(client, team, who):
    user = {
        "fulfilment": team["fulfilment"],
        "stranger": UserFactory(),
        "other_owner": team["other"].owner,
        "customer": team["n1"].customer,
    }[who]
    client.force_login(user)
    url = reverse("messaging:assign", args=[team["n1"].uuid])
    assert client.post(url, {"assignee": team["support"].pk}).status_code == 404
    assert Conversation.objects.get(pk=team["n1"].pk).assigned_to is None
    if who == "customer":  # the customer's thread shows nothing of the assignment
        services.assign_conversation(conversation=team["n1"], assignee=team["support"], actor=team["owner"])
        page = client.get(team["n1"].get_absolute_url()).text
        assert "helper" not in page and "Assign" not in page


# Saved replies shared with the organization -----------------------------------------------


def test_a_shared_reply_shows_in_every_store_of_the_organization_only(client, team):
    services.create_saved_reply(
        store=team["north"], actor=team["owner"], title="Shipping", content="Two days.", shared=True
    )
    services.create_saved_reply(store=team["north"], actor=team["owner"], title="North only", content="N.")
    client.force_login(team["support"])
    south_thread = client.get(team["s1"].get_absolute_url()).text
    assert "Shipping" in south_thread and "North only" not in south_thread
    north_thread = client.get(team["n1"].get_absolute_url()).text
    assert "Shipping" in north_thread and "North only" in north_thread
    client.force_login(team["other"].owner)
    assert "Shipping" not in client.get(team["o1"].get_absolute_url()).text


def test_titles_are_unique_per_scope_whatever_the_case(team):
    north, owner = team["north"], team["owner"]
    services.create_saved_reply(store=north, actor=owner, title="Shipping", content="Store's.")
    services.create_saved_reply(store=north, actor=owner, title="SHIPPING", content="Shared.", shared=True)
    with pytest.raises(ValidationError) as taken:
        services.create_saved_reply(store=north, actor=owner, title="shipping", content="Again")
    assert "This store has a saved reply with this name" in taken.value.message_dict["title"][0]
    with pytest.raises(ValidationError) as taken:
        services.create_saved_reply(store=team["south"], actor=owner, title="Shipping", content="x", shared=True)
    assert "organization has a shared reply" in taken.value.message_dict["title"][0]
    services.create_saved_reply(store=team["south"], actor=owner, title="shipping", content="South's own.")
    assert SavedReply.objects.count() == 3


def test_the_database_refuses_case_twins_too(team):
    from django.db import IntegrityError, transaction

    SavedReply.objects.create(store=team["north"], title="Hello", content="a")
    with pytest.raises(IntegrityError), transaction.atomic():
        SavedReply.objects.create(store=team["north"], title="hELLO", content="b")
    SavedReply.objects.create(organization=team["north"].organization, title="Hello", content="c")
    with pytest.raises(IntegrityError), transaction.atomic():
        SavedReply.objects.create(organization=team["north"].organization, title="HELLO", content="d")
    with pytest.raises(IntegrityError), transaction.atomic():
        SavedReply.objects.create(title="Nowhere", content="e")  # neither a store nor an organization


def test_a_member_limited_to_some_stores_may_not_share_or_delete_shared_replies(client, team):
    limited = add_member(team["north"], role="support", stores=[team["north"]]).user
    with pytest.raises(ValidationError) as refused:
        services.create_saved_reply(store=team["north"], actor=limited, title="Mine", content="x", shared=True)
    assert "shared" in refused.value.message_dict
    shared = services.create_saved_reply(
        store=team["north"], actor=team["owner"], title="Everyone", content="x", shared=True
    )
    client.force_login(limited)
    page = client.get(reverse("messaging:dashboard_settings")).text
    assert "Everyone" in page and 'name="shared"' not in page
    assert reverse("messaging:dashboard_reply_delete", args=[shared.pk]) not in page
    client.post(reverse("messaging:dashboard_settings"), {"title": "Sneaky", "content": "x", "shared": "on"})
    assert SavedReply.objects.get(title="Sneaky").organization_id is None  # the field isn't theirs: store-only
    client.post(reverse("messaging:dashboard_reply_delete", args=[shared.pk]))
    assert SavedReply.objects.filter(pk=shared.pk).exists()


def test_the_settings_page_shares_a_reply(client, team):
    client.force_login(team["support"])  # every store of the organization: may share
    response = client.post(
        reverse("messaging:dashboard_settings"), {"title": "Returns", "content": "30 days.", "shared": "on"}
    )
    assert response.status_code == 302
    reply = SavedReply.objects.get(title="Returns")
    assert reply.organization_id == team["north"].organization_id and reply.store_id is None
    page = client.get(reverse("messaging:dashboard_settings")).text
    assert "Shared with the organization" in page
    response = client.post(
        reverse("messaging:dashboard_settings"), {"title": "RETURNS", "content": "x", "shared": "on"}
    )
    assert response.status_code == 200 and "shared reply with this name" in response.text
    client.post(reverse("messaging:dashboard_reply_delete", args=[reply.pk]))
    assert not SavedReply.objects.filter(pk=reply.pk).exists()


def test_another_organizations_shared_reply_id_is_a_404(client, team):
    theirs = services.create_saved_reply(
        store=team["other"], actor=team["other"].owner, title="Theirs", content="x", shared=True
    )
    client.force_login(team["owner"])
    assert client.post(reverse("messaging:dashboard_reply_delete", args=[theirs.pk])).status_code == 404
    assert SavedReply.objects.filter(pk=theirs.pk).exists()


# Real time ----------------------------------------------------------------------------------


def test_the_team_inbox_topic_is_the_members_own_while_they_have_messages(team):
    support, topic = team["support"], events.team_inbox_topic(team["support"].pk)
    assert realtime.authorize_topic(support, topic)
    assert not realtime.authorize_topic(team["owner"], topic)  # someone else's
    assert not realtime.authorize_topic(team["fulfilment"], events.team_inbox_topic(team["fulfilment"].pk))
    Membership.objects.filter(user=support).update(role="analyst")
    assert not realtime.authorize_topic(fresh(support), topic)


def test_the_conversation_team_topic_is_the_store_side_only(team):
    topic = events.conversation_team_topic(team["n1"].uuid)
    assert realtime.authorize_topic(team["support"], topic)
    assert realtime.authorize_topic(team["owner"], topic)
    assert not realtime.authorize_topic(team["n1"].customer, topic)
    assert not realtime.authorize_topic(team["fulfilment"], topic)
    assert not realtime.authorize_topic(team["other"].owner, topic)
    assert not realtime.authorize_topic(team["support"], "conversation-team:not-a-uuid")


def test_a_new_message_reaches_every_member_who_may_see_it_and_no_one_else(
    team, pushed, django_capture_on_commit_callbacks
):
    limited = add_member(team["north"], role="support", stores=[team["north"]]).user
    pushed.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.send_message(conversation=team["s1"], sender=team["s1"].customer, content="Still there?")
    rows = {topic for topic, html in pushed if f"inbox-row-{team['s1'].uuid}" in html}
    assert events.team_inbox_topic(team["owner"].pk) in rows
    assert events.team_inbox_topic(team["support"].pk) in rows
    assert events.team_inbox_topic(limited.pk) not in rows  # limited to North
    assert events.team_inbox_topic(team["fulfilment"].pk) not in rows
    assert events.team_inbox_topic(team["other"].owner_id) not in rows


def test_a_member_removed_from_a_store_stops_getting_its_rows_at_the_next_push(
    team, pushed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.send_message(conversation=team["n1"], sender=team["n1"].customer, content="Hello?")
    assert any(topic == events.team_inbox_topic(team["support"].pk) for topic, _html in pushed)
    Membership.objects.filter(user=team["support"]).delete()
    pushed.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.send_message(conversation=team["n1"], sender=team["n1"].customer, content="Hello again?")
    assert pushed and all(topic != events.team_inbox_topic(team["support"].pk) for topic, _html in pushed)


def test_assigning_inserts_the_row_for_the_assignee_and_updates_it_in_place_for_others(
    team, pushed, django_capture_on_commit_callbacks
):
    pushed.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.assign_conversation(conversation=team["n1"], assignee=team["support"], actor=team["owner"])
    by_topic: dict[str, str] = {}
    for topic, html in pushed:
        by_topic[topic] = by_topic.get(topic, "") + html
    mine = by_topic[events.team_inbox_topic(team["support"].pk)]
    assert "afterbegin:#inbox-list" in mine and f'id="inbox-row-{team["n1"].uuid}"' in mine and "helper" in mine
    owners = by_topic[events.team_inbox_topic(team["owner"].pk)]
    assert "afterbegin" not in owners and "beforeend:#inbox-updates" in owners and "helper" in owners
    card = by_topic[events.conversation_team_topic(team["n1"].uuid)]
    assert 'id="assignment-current" hx-swap-oob="true"' in card and "Assigned to" in card
    assert f'<option value="{team["support"].pk}" selected>helper</option>' in card
    # The customer's thread topic hears nothing of it.
    assert events.conversation_topic(team["n1"].uuid) not in by_topic
    assert events.team_inbox_topic(team["fulfilment"].pk) not in by_topic
    for html in by_topic.values():
        assert team["support"].email not in html and team["owner"].email not in html


def test_a_status_change_reaches_the_team_inbox(team, pushed, django_capture_on_commit_callbacks):
    pushed.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.set_status(conversation=team["s1"], actor=team["support"], status="resolved")
    rows = {topic: html for topic, html in pushed if f"inbox-row-{team['s1'].uuid}" in html}
    assert events.team_inbox_topic(team["support"].pk) in rows and events.team_inbox_topic(team["owner"].pk) in rows
    assert "Resolved" in rows[events.team_inbox_topic(team["owner"].pk)]


def test_an_assignee_who_lost_access_is_shown_as_such(client, team):
    services.assign_conversation(conversation=team["n1"], assignee=team["support"], actor=team["owner"])
    Membership.objects.filter(user=team["support"]).update(role="fulfilment")
    client.force_login(team["owner"])
    page = client.get(team["n1"].get_absolute_url()).text
    assert "(no longer answers this store's messages)" in page
    assert '<option value="" selected>Nobody</option>' in page  # they can't be chosen again


def test_reading_changes_the_row_in_place_and_a_new_message_moves_it_to_the_top(
    team, pushed, django_capture_on_commit_callbacks
):
    pushed.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.mark_as_read(conversation=team["n1"], reader=team["support"])
    rows = [html for topic, html in pushed if topic == events.team_inbox_topic(team["owner"].pk)]
    assert rows and all("beforeend:#inbox-updates" in html and "afterbegin" not in html for html in rows)
    pushed.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.send_message(conversation=team["n1"], sender=team["n1"].customer, content="One more thing")
    rows = [html for topic, html in pushed if topic == events.team_inbox_topic(team["owner"].pk)]
    assert any("afterbegin:#inbox-list" in html for html in rows)


def test_the_admin_shows_scope_and_assignee_and_refuses_a_reply_without_a_scope(admin_client, team):
    services.assign_conversation(conversation=team["n1"], assignee=team["support"], actor=team["owner"])
    assert admin_client.get(reverse("admin:messaging_savedreply_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:messaging_conversation_change", args=[team["n1"].pk])).status_code == 200
    response = admin_client.post(reverse("admin:messaging_savedreply_add"), {"title": "Loose", "content": "x"})
    assert response.status_code == 200 and not SavedReply.objects.filter(title="Loose").exists()


def test_the_assignee_chooses_how_to_hear_of_it(team, django_capture_on_commit_callbacks, mailoutbox):
    from shomp.notifications.services import set_preferences

    with django_capture_on_commit_callbacks(execute=True):
        services.assign_conversation(conversation=team["n1"], assignee=team["support"], actor=team["owner"])
    assert Notification.objects.get(user=team["support"]).in_app and not mailoutbox  # by default: in the app
    set_preferences(user=team["support"], preferences={"conversation_assigned": (False, True)})
    with django_capture_on_commit_callbacks(execute=True):
        services.assign_conversation(conversation=team["s1"], assignee=team["support"], actor=team["owner"])
    assert [m.to for m in mailoutbox] == [[team["support"].email]]
    assert "Bowl sizes" in mailoutbox[0].subject + mailoutbox[0].body


@pytest.mark.django_db
def test_the_customer_inbox_counts_the_unread_messages_of_the_stores_a_member_answers_for(client, team):
    """The inbox's notice sums the stores the user may answer messages on: the fulfilment
    member (no messages area) and a buyer see none; the support member and the owner see both
    stores' of the organization, never the stranger's store's."""
    Conversation.objects.filter(pk=team["n1"].pk).update(store_unread_count=2)
    Conversation.objects.filter(pk=team["s1"].pk).update(store_unread_count=1)
    Conversation.objects.filter(pk=team["o1"].pk).update(store_unread_count=5)
    for user, expected in [(team["owner"], 3), (team["support"], 3), (team["fulfilment"], 0), (UserFactory(), 0)]:
        client.force_login(user)
        page = client.get(reverse("messaging:inbox")).content.decode()
        if expected:
            assert f"have {expected} unread customer messages" in page, user
        else:
            assert "unread customer message" not in page, user
