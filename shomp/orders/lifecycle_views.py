"""An order's page after checkout, for its buyer and for the store: what happened to it (status
history, tracking, refunds) and, for the store's team with the orders area, what to do next
(ship with tracking, mark delivered or fulfilled, cancel with a reason, refund a line).

Thin: the door (policies) first, then a service; a refused step shows its message next to the
field it is about, and the page again with nothing changed."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from shomp.core.forms import apply_service_errors
from shomp.core.htmx import render
from shomp.organizations.areas import Area
from shomp.stores.policies import active_store_required, can

from . import hooks, selectors
from .fulfilment_forms import CancelForm, RefundForm, ShipForm
from .models import Order
from .policies import access_order_for_buyer, access_order_for_store, store_of_order
from .services import fulfilment, refunds

# The buyer --------------------------------------------------------------------------------


def order_detail(request: HttpRequest, order_uuid: uuid.UUID) -> HttpResponse:
    order = access_order_for_buyer(user=request.user, order_uuid=order_uuid)
    order = selectors.order_with_items(order=order)
    return render(
        request,
        "orders/order_detail.html",
        {
            "order": order,
            "history": selectors.order_history(order=order),
            "item_links": hooks.item_links(user=request.user, order=order),
            "can_request_cancel": order.status == Order.Status.PAID,
        },
    )


# The store --------------------------------------------------------------------------------


def _seller_page(request: HttpRequest, order: Order, *, status: int | None = None, **forms) -> HttpResponse:
    order = selectors.order_with_items(order=order)
    can_change = can(request.user, request.store, Area.ORDERS)
    context = {
        "order": order,
        "history": selectors.order_history(order=order),
        "nav": "orders",
        "can_change_order": can_change,
        "can_refund": can_change and order.status in refunds.REFUNDABLE,
        "ship_form": forms.get("ship_form") or ShipForm(initial={"carrier": order.carrier}),
        "cancel_form": forms.get("cancel_form") or CancelForm(),
        "refund_errors": forms.get("refund_errors") or {},
    }
    return render(request, "orders/dashboard_order_detail.html", context, status=status)


@active_store_required(area=Area.ORDERS_VIEW, store_of=store_of_order)
def dashboard_order_detail(request: HttpRequest, order_uuid: uuid.UUID) -> HttpResponse:
    order = access_order_for_store(user=request.user, store=request.store, order_uuid=order_uuid)
    return _seller_page(request, order)


@active_store_required(area=Area.ORDERS_VIEW)
@require_POST
def dashboard_order_status(request: HttpRequest, order_uuid: uuid.UUID) -> HttpResponse:
    """Every step the store takes on an order, named by `action`. Reading is not changing:
    support (orders read only) gets the same 404 as a stranger."""
    order = access_order_for_store(user=request.user, store=request.store, order_uuid=order_uuid, area=Area.ORDERS)
    action = request.POST.get("action")
    try:
        if action == "ship":
            form = ShipForm(request.POST)
            if not form.is_valid():
                return _seller_page(request, order, ship_form=form, status=400)
            try:
                fulfilment.mark_order_shipped(
                    order=order,
                    actor=request.user,
                    carrier=form.cleaned_data["carrier"],
                    tracking_number=form.cleaned_data["tracking_number"],
                )
            except ValidationError as error:
                if not hasattr(error, "error_dict"):
                    raise  # about the order, not the form: a message on the page
                apply_service_errors(form, error)
                return _seller_page(request, order, ship_form=form, status=400)
            messages.success(request, f"Order {order.number} marked shipped. The buyer has been told.")
        elif action == "deliver":
            fulfilment.mark_order_delivered(order=order, actor=request.user)
            messages.success(request, f"Order {order.number} marked delivered.")
        elif action == "fulfil":
            fulfilment.mark_order_fulfilled(order=order, actor=request.user)
            messages.success(request, f"Order {order.number} marked fulfilled.")
        elif action == "cancel":
            form = CancelForm(request.POST)
            if not form.is_valid():
                return _seller_page(request, order, cancel_form=form, status=400)
            try:
                refunds.cancel_order(order=order, actor=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                if not hasattr(error, "error_dict"):
                    raise
                apply_service_errors(form, error)
                return _seller_page(request, order, cancel_form=form, status=400)
            messages.success(request, f"Order {order.number} cancelled and refunded; its stock is back.")
        elif action == "refund":
            return _refund(request, order)
        else:
            messages.error(request, "Unknown action.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("orders:dashboard_order_detail", order_uuid=order.uuid)


def _refund(request: HttpRequest, order: Order) -> HttpResponse:
    """A line refund; a refusal shows next to that line's form (or on top when the line is not
    this order's), with the page again and nothing changed."""
    form = RefundForm(request.POST)
    item = order.items.filter(pk=form.cleaned_data["item"]).first() if form.is_valid() else None
    if form.is_valid() and item is None:
        messages.error(request, "That line is not part of this order.")
        return _seller_page(request, order, status=400)
    if item is not None:
        try:
            refund = refunds.refund_order_item(
                order=order,
                item=item,
                quantity=form.cleaned_data["quantity"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
                seen_refunded=form.cleaned_data["seen_refunded"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Refunded {refund.quantity} × “{item.title}”. The buyer has been told.")
            return redirect("orders:dashboard_order_detail", order_uuid=order.uuid)
    errors = [str(e) for errors in form.errors.values() for e in errors]
    try:
        line = int(form.data.get("item", ""))
    except ValueError:
        line = None
    if line is None or not order.items.filter(pk=line).exists():
        messages.error(request, " ".join(errors))
        return _seller_page(request, order, status=400)
    return _seller_page(request, order, refund_errors={line: errors}, status=400)
