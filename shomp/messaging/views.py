"""Thin views: parse input, ask a policy, call a service or a selector, render.

Every page here needs a signed-in user (LoginRequiredMiddleware); a thread or file that isn't
the user's is a 404 (policies.access_*).
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shomp.catalog.selectors import get_visible_product
from shomp.core.exceptions import RateLimited
from shomp.core.forms import apply_service_errors as apply_errors
from shomp.core.forms import empty_form_html
from shomp.core.htmx import render
from shomp.core.pagination import paginate
from shomp.core.uploads import serve_private_file
from shomp.orders.policies import access_order_for_buyer
from shomp.organizations.areas import Area
from shomp.stores.models import Store
from shomp.stores.policies import active_store_required
from shomp.stores.selectors import get_store_by_slug

from . import events, selectors, services
from .forms import (
    AssignForm,
    CancellationRequestForm,
    ContactForm,
    MessageForm,
    OfferForm,
    ReportForm,
    SavedReplyForm,
    StatusForm,
)
from .models import Conversation, Side
from .policies import (
    access_attachment,
    access_conversation,
    access_conversation_for_customer,
    access_conversation_for_store,
    access_offer,
    access_saved_reply,
    can_contact_store,
    is_blocked,
    side_for,
)

INBOX_PAGE_SIZE = 20
ASSIGNED_CHOICES = [
    ("", "Anyone"),
    (selectors.ASSIGNED_TO_ME, "Assigned to me"),
    (selectors.UNASSIGNED, "Unassigned"),
]


def _go(request: HttpRequest, url: str) -> HttpResponse:
    """Redirect; an HTMX request (buttons inside pushed fragments) is told to navigate instead."""
    if request.htmx:
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return redirect(url)


def _flash_error(request: HttpRequest, error: ValidationError | RateLimited) -> None:
    messages.error(request, error.message if isinstance(error, RateLimited) else " ".join(error.messages))


# Starting a conversation -----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest, store_slug: str) -> HttpResponse:
    store = get_store_by_slug(slug=store_slug)
    if store is None:
        raise Http404("No such store.")
    if not can_contact_store(request.user, store):
        messages.info(request, services.OWN_STORE_TEXT + " Your customers' messages are in your store inbox.")
        return redirect("messaging:dashboard_inbox")
    data = request.POST if request.method == "POST" else request.GET
    product = _product_from(request, store, data.get("product", ""))
    order = _order_from(request, store, data.get("order", ""))
    initial_type = data.get("type", "")
    if initial_type not in Conversation.Type.values:
        initial_type = (
            Conversation.Type.PRE_PURCHASE
            if product
            else Conversation.Type.SUPPORT
            if order
            else Conversation.Type.GENERAL
        )
    form = ContactForm(
        request.POST or None,
        request.FILES or None,
        initial={
            "type": initial_type,
            "subject": services.default_subject(type=initial_type, product=product, order=order)
            if product or order
            else "",
            "product": product.slug if product else "",
            "order": order.uuid if order else "",
        },
    )
    blocked = is_blocked(store=store, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            conversation = services.create_conversation(
                store=store,
                customer=request.user,
                type=data["type"],
                subject=data["subject"],
                content=data["content"],
                attachments=data["attachments"],
                product=product,
                order=order,
                budget=data["budget"],
                wanted_by=data["wanted_by"],
            )
        except (ValidationError, RateLimited) as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Message sent to {store.name}. You'll see their reply here.")
            return redirect(conversation.get_absolute_url())
    return render(
        request,
        "messaging/conversation_new.html",
        {"store": store, "form": form, "product": product, "order": order, "blocked": blocked},
    )


def _product_from(request: HttpRequest, store: Store, ref: str):
    ref = (ref or "").strip()[:160]
    if not ref:
        return None
    product = get_visible_product(user=request.user, store=store, product_ref=ref)
    if product is None:
        raise Http404("No such product.")
    return product


def _order_from(request: HttpRequest, store: Store, value: str):
    if not value:
        return None
    try:
        order_uuid = uuid.UUID(str(value))
    except ValueError:
        raise Http404("No such order.") from None
    order = access_order_for_buyer(user=request.user, order_uuid=order_uuid)  # another buyer's: 404
    if order.store_id != store.pk:
        raise Http404("No such order.")
    return order


# The customer's message centre -----------------------------------------------------------


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    page = paginate(
        request,
        selectors.get_conversations(user=request.user, side=Side.CUSTOMER),
        per_page=INBOX_PAGE_SIZE,
        count_short=False,  # most inboxes fit on a page: no COUNT query for them
        first_rows=lambda count: selectors.customer_conversations_head(user=request.user, count=count),
    )
    live = page.number == 1
    return render(
        request,
        "messaging/conversation_list.html",
        {
            "page_obj": page,
            "viewer_side": Side.CUSTOMER,
            "store_unread": selectors.store_unread_count(user=request.user),
            "realtime_topics": [events.user_inbox_topic(request.user.pk)] if live else [],
        },
        partial="list",
    )


# A thread (both sides) ---------------------------------------------------------------------


@require_GET
def thread(request: HttpRequest, conversation_uuid: uuid.UUID) -> HttpResponse:
    conversation = access_conversation(user=request.user, conversation_uuid=conversation_uuid)
    side = side_for(request.user, conversation)
    services.mark_as_read(conversation=conversation, reader=request.user)
    return render(request, "messaging/conversation_detail.html", _thread_context(request, conversation, side))


def _thread_context(request: HttpRequest, conversation: Conversation, side: str, **extra) -> dict:
    is_store = side == Side.STORE
    context = {
        "conversation": conversation,
        "viewer_side": side,
        "is_store": is_store,
        "thread": selectors.thread_messages(conversation=conversation),
        "custom_request": getattr(conversation, "custom_request", None)
        if conversation.type == Conversation.Type.CUSTOM_ORDER
        else None,
        "form": MessageForm(),
        "blocked": is_blocked(store=conversation.store, user=conversation.customer),
        "realtime_topics": [events.conversation_topic(conversation.uuid)],
    }
    if is_store:
        context |= {
            "realtime_topics": [
                events.conversation_topic(conversation.uuid),
                events.conversation_team_topic(conversation.uuid),
            ],
            "members": list(selectors.assignable_members(store=conversation.store)),
            "saved_replies": list(selectors.saved_replies(store=conversation.store)),
            "offer_form": OfferForm(),
            "statuses": Conversation.Status.choices,
        }
    context["report_form"] = empty_form_html(ReportForm)  # the same on every thread: rendered once
    return context | extra


@require_GET
def earlier(request: HttpRequest, conversation_uuid: uuid.UUID) -> HttpResponse:
    """Older messages of a thread, inserted above the ones shown (HTMX)."""
    conversation = access_conversation(user=request.user, conversation_uuid=conversation_uuid)
    try:
        before = int(request.GET.get("before", ""))
    except ValueError:
        raise Http404("No such page.") from None
    page = selectors.thread_messages(conversation=conversation, before_id=before)
    return render(
        request,
        "messaging/partials/_earlier.html",
        {"conversation": conversation, "thread": page, "viewer_side": side_for(request.user, conversation)},
    )


@require_POST
def send(request: HttpRequest, conversation_uuid: uuid.UUID) -> HttpResponse:
    conversation = access_conversation(user=request.user, conversation_uuid=conversation_uuid)
    form = MessageForm(request.POST, request.FILES)
    message = None
    if form.is_valid():
        try:
            message = services.send_message(
                conversation=conversation,
                sender=request.user,
                content=form.cleaned_data["content"],
                attachments=form.cleaned_data["attachments"],
            )
        except (ValidationError, RateLimited) as error:
            apply_errors(form, error)
    if not request.htmx:
        if message is None:
            for error in form.non_field_errors() + [e for f in form for e in f.errors]:
                messages.error(request, error)
        return redirect(conversation.get_absolute_url())
    if message is not None:
        form = MessageForm()
        message = selectors.message_for_push(message_id=message.pk)
    return render(
        request,
        "messaging/partials/_message_form.html",
        {
            "conversation": conversation,
            "form": form,
            "sent": message,
            "viewer_side": side_for(request.user, conversation),
        },
    )


@require_POST
def read(request: HttpRequest, conversation_uuid: uuid.UUID) -> HttpResponse:
    """The open thread saw a pushed message: mark it read (the writer sees "Seen")."""
    conversation = access_conversation(user=request.user, conversation_uuid=conversation_uuid)
    services.mark_as_read(conversation=conversation, reader=request.user)
    return HttpResponse(status=204)


@require_POST
def change_status(request: HttpRequest, conversation_uuid: uuid.UUID) -> HttpResponse:
    conversation = access_conversation_for_store(user=request.user, conversation_uuid=conversation_uuid)
    form = StatusForm(request.POST)
    if form.is_valid():
        services.set_status(conversation=conversation, actor=request.user, status=form.cleaned_data["status"])
        messages.success(request, f"Marked {conversation.get_status_display().lower()}.")
    else:
        messages.error(request, "Choose a status.")
    return redirect(conversation.get_absolute_url())


@require_POST
def assign(request: HttpRequest, conversation_uuid: uuid.UUID) -> HttpResponse:
    """Assign the thread to a member of the store's messages team, or to nobody (HTMX: the
    "Assignment" card comes back; without JavaScript, back to the thread with a message)."""
    conversation = access_conversation_for_store(user=request.user, conversation_uuid=conversation_uuid)
    members = list(selectors.assignable_members(store=conversation.store))
    form = AssignForm(request.POST, members=members)
    error = done = ""
    if form.is_valid():
        assignee = form.cleaned_data["assignee"]
        try:
            services.assign_conversation(conversation=conversation, assignee=assignee, actor=request.user)
        except ValidationError as failure:
            error = " ".join(failure.messages)
        else:
            done = f"Assigned to {assignee.username}." if assignee else "Unassigned."
    else:
        error = " ".join(form.errors.get("assignee", ["Choose a member."]))
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, done)
        return redirect(conversation.get_absolute_url())
    return render(
        request,
        "messaging/partials/_assignment.html",
        {"conversation": conversation, "members": members, "assign_error": error, "assign_done": done},
    )


@require_POST
def offer_create(request: HttpRequest, conversation_uuid: uuid.UUID) -> HttpResponse:
    conversation = access_conversation_for_store(user=request.user, conversation_uuid=conversation_uuid)
    form = OfferForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.send_offer(
                conversation=conversation,
                sender=request.user,
                title=data["title"],
                price=data["price"],
                delivery_date=data["delivery_date"],
            )
        except (ValidationError, RateLimited) as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Offer sent.")
            return redirect(conversation.get_absolute_url())
    side = side_for(request.user, conversation)
    return render(
        request,
        "messaging/conversation_detail.html",
        _thread_context(request, conversation, side, offer_form=form, offer_open=True),
        status=200,
    )


@require_POST
def offer_accept(request: HttpRequest, conversation_uuid: uuid.UUID, offer_id: int) -> HttpResponse:
    conversation = access_conversation_for_customer(user=request.user, conversation_uuid=conversation_uuid)
    offer = access_offer(conversation=conversation, offer_id=offer_id)
    try:
        services.accept_offer(offer=offer, buyer=request.user)
    except ValidationError as error:
        _flash_error(request, error)
        return _go(request, conversation.get_absolute_url())
    messages.success(request, f"“{offer.title}” is in your cart, reserved for you.")
    return _go(request, reverse("orders:cart"))


@require_POST
def offer_withdraw(request: HttpRequest, conversation_uuid: uuid.UUID, offer_id: int) -> HttpResponse:
    conversation = access_conversation_for_store(user=request.user, conversation_uuid=conversation_uuid)
    offer = access_offer(conversation=conversation, offer_id=offer_id)
    try:
        services.withdraw_offer(offer=offer, actor=request.user)
    except ValidationError as error:
        _flash_error(request, error)
    else:
        messages.success(request, "Offer withdrawn.")
    return _go(request, conversation.get_absolute_url())


@require_POST
def block(request: HttpRequest, conversation_uuid: uuid.UUID) -> HttpResponse:
    conversation = access_conversation_for_store(user=request.user, conversation_uuid=conversation_uuid)
    customer = conversation.customer
    try:
        if request.POST.get("action") == "unblock":
            services.unblock_user(store=conversation.store, user=customer, actor=request.user)
            messages.success(request, f"{customer.username} can message {conversation.store.name} again.")
        else:
            services.block_user(store=conversation.store, user=customer, actor=request.user)
            messages.success(request, f"{customer.username} can no longer message {conversation.store.name}.")
    except ValidationError as error:
        _flash_error(request, error)
    return redirect(conversation.get_absolute_url())


@require_POST
def report(request: HttpRequest, conversation_uuid: uuid.UUID) -> HttpResponse:
    conversation = access_conversation(user=request.user, conversation_uuid=conversation_uuid)
    form = ReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a reason for your report.")
        return redirect(conversation.get_absolute_url())
    try:
        services.report_conversation(
            conversation=conversation,
            reporter=request.user,
            reason=form.cleaned_data["reason"],
            details=form.cleaned_data["details"],
        )
    except (ValidationError, RateLimited) as error:
        _flash_error(request, error)
    else:
        messages.success(request, "Thanks: our team will look at this conversation.")
    return redirect(conversation.get_absolute_url())


@require_GET
def attachment(request: HttpRequest, conversation_uuid: uuid.UUID, attachment_id: int) -> HttpResponse:
    item = access_attachment(user=request.user, conversation_uuid=conversation_uuid, attachment_id=attachment_id)
    if not item.is_ready:  # an image the worker hasn't checked (or refused) is nobody's download
        raise Http404("No such file.")
    return serve_private_file(
        item.file, download_name=item.original_name, content_type=item.content_type, inline=item.is_image
    )


@require_GET
def attachment_thumbnail(request: HttpRequest, conversation_uuid: uuid.UUID, attachment_id: int) -> HttpResponse:
    item = access_attachment(user=request.user, conversation_uuid=conversation_uuid, attachment_id=attachment_id)
    if not item.is_ready or not item.thumbnail:
        raise Http404("No thumbnail.")
    content_type = "image/png" if item.thumbnail.name.endswith(".png") else "image/jpeg"
    return serve_private_file(
        item.thumbnail, download_name=f"thumbnail-{item.original_name}", content_type=content_type, inline=True
    )


@require_GET
def message_files(request: HttpRequest, conversation_uuid: uuid.UUID, message_id: int) -> HttpResponse:
    """A message's files (HTMX): an open thread checks back here while images are processing,
    in case it missed the push that shows them ready."""
    conversation = access_conversation(user=request.user, conversation_uuid=conversation_uuid)
    message = selectors.message_files(conversation=conversation, message_id=message_id)
    if message is None:
        raise Http404("No such message.")
    return render(request, "messaging/partials/_message_files.html", {"message": message, "conversation": conversation})


# The store inbox -------------------------------------------------------------------------


@active_store_required(area=Area.MESSAGES)
@require_GET
def dashboard_inbox(request: HttpRequest) -> HttpResponse:
    """The unified inbox: the conversations of every store the user may do "messages" on, in
    every organization, newest activity first. The filters live in the URL (a GET form)."""
    stores = request.managed_stores  # the door's queryset twin, one query (active_store_required)
    store_param = request.GET.get("store", "")
    store = next((s for s in stores if str(s.pk) == store_param), None)  # another's id: ignored
    status = request.GET.get("status", "")
    status = status if status in Conversation.Status.values else ""
    type_ = request.GET.get("type", "")
    type_ = type_ if type_ in Conversation.Type.values else ""
    unread = request.GET.get("unread") == "1"
    assigned = request.GET.get("assigned", "")
    assigned = assigned if assigned in (selectors.ASSIGNED_TO_ME, selectors.UNASSIGNED) else ""
    query = request.GET.get("q", "")[:200].strip()
    conversations = selectors.filter_conversations(
        selectors.get_conversations(user=request.user, side=Side.STORE, store=store),
        status=status,
        type=type_,
        unread=unread,
        query=query,
        assigned=assigned,
        user=request.user,
    )
    page = paginate(request, conversations, per_page=INBOX_PAGE_SIZE, count_short=False)
    filtered = bool(store or status or type_ or unread or assigned or query)
    # Live on the first page; pushed rows that don't match the filters are dropped by the page
    # (messaging.js). A text search can't be checked there: not live.
    live = page.number == 1 and not query
    return render(
        request,
        "messaging/dashboard_inbox.html",
        {
            "page_obj": page,
            "viewer_side": Side.STORE,
            "nav": "messages",
            "stores": stores,
            "store_filter": store,
            "status": status,
            "type": type_,
            "unread": unread,
            "assigned": assigned,
            "query": query,
            "filtered": filtered,
            "live": live,
            "statuses": Conversation.Status.choices,
            "types": Conversation.Type.choices,
            "assigned_choices": ASSIGNED_CHOICES,
            "realtime_topics": [events.team_inbox_topic(request.user.pk)] if live else [],
        },
        partial="list",
    )


@active_store_required(area=Area.MESSAGES)
@require_http_methods(["GET", "POST"])
def dashboard_settings(request: HttpRequest) -> HttpResponse:
    """The active store's saved replies (create, delete) and blocked users (unblock)."""
    store = request.store
    can_share = services.may_share_replies(request.user, store)
    form = SavedReplyForm(request.POST or None, can_share=can_share)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_saved_reply(
                store=store,
                actor=request.user,
                title=form.cleaned_data["title"],
                content=form.cleaned_data["content"],
                shared=form.cleaned_data.get("shared", False),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Saved reply added.")
            return redirect("messaging:dashboard_settings")
    return render(
        request,
        "messaging/dashboard_settings.html",
        {
            "form": form,
            "replies": list(selectors.saved_replies(store=store)),
            "can_share": can_share,
            "blocks": list(selectors.blocked_users(store=store)),
            "nav": "messages",
        },
    )


@active_store_required(area=Area.MESSAGES)
@require_POST
def dashboard_reply_delete(request: HttpRequest, reply_id: int) -> HttpResponse:
    reply = access_saved_reply(user=request.user, store=request.store, reply_id=reply_id)
    try:
        services.delete_saved_reply(reply=reply, actor=request.user, store=request.store)
    except ValidationError as error:
        _flash_error(request, error)
    else:
        messages.success(request, f"Deleted “{reply.title}”.")
    return redirect("messaging:dashboard_settings")


@active_store_required(area=Area.MESSAGES)
@require_POST
def dashboard_unblock(request: HttpRequest, block_id: int) -> HttpResponse:
    block_row = selectors.blocked_users(store=request.store).filter(pk=block_id).first()
    if block_row is None:
        raise Http404("No such block.")
    services.unblock_user(store=request.store, user=block_row.user, actor=request.user)
    messages.success(request, f"{block_row.user.username} can message {request.store.name} again.")
    return redirect("messaging:dashboard_settings")


@require_GET
def badge(request: HttpRequest) -> HttpResponse:
    """The header's messages link with the unread count, fetched by every page after it loads.

    Rendered without the context processors: one query (the count) after the session and user.
    """
    html = render_to_string(
        "messaging/partials/_badge.html", {"messages_unread_count": selectors.unread_total(user=request.user)}
    )
    return HttpResponse(html)


# A buyer asks to cancel an order ---------------------------------------------------------


@require_http_methods(["GET", "POST"])
def request_cancellation(request: HttpRequest, order_uuid: uuid.UUID) -> HttpResponse:
    """The buyer's "Request cancellation": a reason, sent as a support conversation about the order."""
    order = access_order_for_buyer(user=request.user, order_uuid=order_uuid)
    form = CancellationRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            conversation = services.request_cancellation(
                order=order, customer=request.user, reason=form.cleaned_data["reason"]
            )
        except (ValidationError, RateLimited) as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Cancellation requested. {order.store.name} will answer here.")
            return redirect(conversation.get_absolute_url())
    return render(
        request,
        "messaging/request_cancellation.html",
        {"order": order, "form": form, "can_cancel": order.status == "paid"},
        status=400 if form.errors else None,
    )
