"""The notification centre, the header bell, and notification preferences. Thin: parse, ask, call, render."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shomp.core.htmx import render
from shomp.core.pagination import paginate

from . import selectors, services
from .forms import NotificationFilterForm, PreferencesForm
from .models import NotificationType
from .policies import access_notification

PAGE_SIZE = 20


def _next_url(request: HttpRequest) -> str:
    """Where to go after a form on the centre: the posted `next` if it is ours, else the centre."""
    wanted = request.POST.get("next", "")
    if wanted.startswith("/notifications/") and url_has_allowed_host_and_scheme(wanted, allowed_hosts=None):
        return wanted
    return "/notifications/"


def _bell_html(request: HttpRequest) -> str:
    # Rendered like a push (no request, so no context processors): the same HTML either way.
    return render_to_string("notifications/partials/_bell.html", selectors.bell(user_id=request.user.pk))


@require_GET
def centre(request: HttpRequest) -> HttpResponse:
    form = NotificationFilterForm(request.GET)
    type, unread = form.filters()
    page = paginate(
        request, selectors.get_user_notifications(user=request.user, type=type, unread_only=unread), per_page=PAGE_SIZE
    )
    page.object_list = selectors.with_targets(list(page.object_list))
    return render(
        request,
        "notifications/centre.html",
        {
            "form": form,
            "page_obj": page,
            "type": type,
            "unread": unread,
            "types": selectors.filter_types(user=request.user),
            "unread_total": selectors.unread_count(user_id=request.user.pk),
        },
    )


@require_GET
def bell(request: HttpRequest) -> HttpResponse:
    """The bell's badges and latest notifications, as out-of-band fragments (the header loads it)."""
    return HttpResponse(_bell_html(request))


@require_GET
def open_notification(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Opening a notification reads it, then goes to its target (or says the target is gone)."""
    notification = access_notification(user=request.user, notification_id=notification_id)
    services.mark_as_read(user=request.user, notification=notification)
    target = selectors.target_url(notification=notification)
    if target is None:
        messages.info(request, f"“{notification.title}”: that is no longer available.")
        return redirect("notifications:centre")
    return redirect(target)


@require_POST
def mark_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification = access_notification(user=request.user, notification_id=notification_id)
    services.mark_as_read(user=request.user, notification=notification)
    if request.htmx:
        notification = selectors.with_targets([notification])[0]
        row = render_to_string("notifications/partials/_notification_row.html", {"notification": notification}, request)
        return HttpResponse(row + _bell_html(request))
    return redirect(_next_url(request))


@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    type = request.POST.get("type", "")
    count = services.mark_all_as_read(user=request.user, type=type if type in NotificationType.values else "")
    if request.htmx:
        return HttpResponse(_bell_html(request))
    if count:
        messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} as read.")
    else:
        messages.info(request, "Nothing to mark: you have read everything.")
    return redirect(_next_url(request))


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    form = PreferencesForm(
        request.POST if request.method == "POST" else None, rows=selectors.get_preferences(user=request.user)
    )
    if request.method == "POST" and form.is_valid():
        services.set_preferences(user=request.user, preferences=form.preferences())
        messages.success(request, "Notification settings saved.")
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})
