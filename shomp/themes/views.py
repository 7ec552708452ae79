"""The published stylesheet (public), and the seller's Themes, Customize and Assets pages (the
door's "appearance" area on the active store). Thin: parse, ask, call a service, render."""

from __future__ import annotations

import re

from django.conf import settings as django_settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.csp import CSP
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shomp.core.forms import apply_service_errors
from shomp.core.htmx import render
from shomp.core.params import parse_id
from shomp.core.uploads import human_size
from shomp.organizations.areas import Area
from shomp.stores.policies import active_store_required

from . import design, selectors, services, stylesheet
from .forms import AssetRenameForm, AssetUploadForm, CustomizeForm, LogoForm
from .models import Theme
from .policies import access_asset

YEAR = 365 * 24 * 3600


def _css_response(text: str, *, cache: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = cache
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_not_required
@require_GET
def published_stylesheet(request: HttpRequest, store_id: str, digest: str) -> HttpResponse:
    """A store's published sheet at an address that changes with each publish: cached a year."""
    store_pk = parse_id(store_id)
    text = (
        selectors.published_stylesheet(store_id=store_pk, digest=digest)
        if store_pk and re.fullmatch(r"[0-9a-f]{16}", digest)
        else None
    )
    if text is None:
        raise Http404("No such stylesheet.")
    return _css_response(text, cache=f"public, max-age={YEAR}, immutable")


# Themes ----------------------------------------------------------------------------------------


@active_store_required(area=Area.APPEARANCE)
@require_http_methods(["GET", "POST"])
def themes(request: HttpRequest) -> HttpResponse:
    settings = services.settings_for(store=request.store)
    error = ""
    if request.method == "POST":
        try:
            settings = services.apply_theme(store=request.store, theme_key=request.POST.get("theme", ""))
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            messages.success(
                request, f"{settings.theme.name} is on your draft. Adjust it here, then publish to show it to buyers."
            )
            return redirect("themes:customize")
    return render(
        request,
        "themes/dashboard_themes.html",
        {
            "themes": selectors.themes(),
            "settings": settings,
            "error": error,
            "nav": "themes",
        },
        status=400 if error else None,
    )


@active_store_required(area=Area.APPEARANCE)
@require_GET
def theme_thumbnail(request: HttpRequest, theme_key: str) -> HttpResponse:
    """A picture of a store page in the theme's colours (SVG drawn from our own data only)."""
    theme = Theme.objects.filter(key=theme_key[:40]).first()
    if theme is None:
        raise Http404("No such theme.")
    resolved = stylesheet.resolve_theme(theme)
    svg = render_to_string(
        "themes/thumbnail.svg",
        {
            "c": resolved["colors"],
            "layout": resolved["layout"],
            "heading": design.FONTS[resolved["fonts"]["heading_font"]].stack,
            "cards": range(resolved["layout"]["columns"]),
            "radius": 12 if resolved["radius"] in {"1rem", "1.25rem"} else (0 if resolved["radius"] == "0" else 5),
            "theme": theme,
        },
    )
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


# Customize -------------------------------------------------------------------------------------


def _initial(settings, resolved: dict) -> dict:
    initial = {**resolved["colors"], **resolved["fonts"], "radius": resolved["radius"], **resolved["layout"]}
    initial["banner_image"] = str(settings.banner_image_id or "")
    initial["custom_css"] = settings.custom_css
    return initial


def _customize_context(request, settings, form, *, saved: bool = False) -> dict:
    resolved = services.draft_design(settings)
    colors = resolved["colors"]
    if form.is_bound:  # warn about what the seller is looking at, even when it wasn't saved
        colors = {**colors, **{k: c for k in design.COLOR_FIELDS if (c := design.parse_color(form.data.get(k, "")))}}
    return {
        "form": form,
        "settings": settings,
        "warnings": design.contrast_warnings(colors),
        "preview_url": f"{reverse('themes:preview')}?v={settings.draft_version}",
        # What customize.js swaps into the preview frame after a saved edit.
        "preview_css_url": f"{reverse('themes:preview_css')}?v={settings.draft_version}",
        "preview_classes": f"{stylesheet.SCOPE} {design.layout_classes(resolved['layout'])}",
        "preview_banner_url": settings.banner_image.image.url if settings.banner_image else "",
        "published": bool(settings.published_hash),
        "unpublished_changes": settings.published.get("draft_version") != settings.draft_version,
        "saved": saved,
        "logo_form": LogoForm(),
        "nav": "customize",
    }


@active_store_required(area=Area.APPEARANCE)
@require_http_methods(["GET", "POST"])
def customize(request: HttpRequest) -> HttpResponse:
    """The draft's editor. Each change is posted (HTMX, as the seller edits): saved if every
    value is good, then the preview reloads; errors and contrast warnings show next to the
    fields and nothing is saved."""
    settings = services.settings_for(store=request.store)
    assets = list(selectors.store_assets(store=request.store))
    saved = False
    status = None
    swap_colors = False
    if request.method == "POST":
        data = request.POST.copy()
        for key in design.COLOR_FIELDS:  # "Use #xxxxxx" under a contrast warning
            suggestion = design.parse_color(request.POST.get(f"use_{key}", ""))
            if suggestion:
                data[key] = suggestion
                swap_colors = True
        form = CustomizeForm(data, assets=assets)
        if form.is_valid():
            try:
                settings = services.customize_store(store=request.store, **form.service_arguments())
                saved = True
            except ValidationError as refusal:
                apply_service_errors(form, refusal)
        if not saved:
            status = None if request.htmx else 400  # htmx swaps only 2xx answers: the fragment says "Not saved"
        elif not request.htmx:
            messages.success(request, "Draft saved. Publish it to show it to buyers.")
            return redirect("themes:customize")
    else:
        form = CustomizeForm(initial=_initial(settings, services.draft_design(settings)), assets=assets)
    context = _customize_context(request, settings, form, saved=saved)
    context["swap_colors"] = swap_colors
    return render(request, "themes/dashboard_customize.html", context, partial="feedback", status=status)


@active_store_required(area=Area.APPEARANCE)
@require_POST
def logo(request: HttpRequest) -> HttpResponse:
    """Upload or remove the store's logo from Customize (Store.logo, through the stores app's
    service; live at once, like the store settings page). A bad file: the Customize page again
    with the message next to the field, nothing changed."""
    if request.POST.get("remove"):
        services.set_logo(store=request.store, logo=None)
        messages.success(request, "Logo removed.")
        return redirect("themes:customize")
    form = LogoForm(request.POST, request.FILES)
    if form.is_valid():
        services.set_logo(store=request.store, logo=form.cleaned_data["logo"])
        messages.success(request, "Logo saved: your store shows it now, and so does the preview.")
        return redirect("themes:customize")
    settings = services.settings_for(store=request.store)
    assets = list(selectors.store_assets(store=request.store))
    draft_form = CustomizeForm(initial=_initial(settings, services.draft_design(settings)), assets=assets)
    context = _customize_context(request, settings, draft_form)
    context["logo_form"] = form
    return render(request, "themes/dashboard_customize.html", context, status=400)


@active_store_required(area=Area.APPEARANCE)
@require_POST
def publish(request: HttpRequest) -> HttpResponse:
    try:
        services.publish(store=request.store)
    except ValidationError as refusal:
        for message in refusal.messages:
            messages.error(request, f"Not published: {message}")
    else:
        messages.success(request, "Published: buyers now see your store's new look.")
    return redirect("themes:customize")


# The preview: a real page of the store with the draft (framed by the Customize page only).

_PREVIEW_CSP = {**django_settings.SECURE_CSP, "frame-ancestors": [CSP.SELF]}


@active_store_required(area=Area.APPEARANCE)
@require_GET
@xframe_options_sameorigin
@csp_override(_PREVIEW_CSP)
def preview(request: HttpRequest) -> HttpResponse:
    store = request.store
    settings = services.settings_for(store=store)
    theme_key = request.GET.get("theme", "")
    if theme_key:
        theme = Theme.objects.filter(key=theme_key[:40]).first()
        if theme is None:
            raise Http404("No such theme.")
        resolved = stylesheet.resolve_theme(theme)
        css_url = f"{reverse('themes:preview_css')}?theme={theme.key}&v={settings.draft_version}"
    else:
        resolved = services.draft_design(settings)
        css_url = f"{reverse('themes:preview_css')}?v={settings.draft_version}"
    banner = settings.banner_image
    design_now = selectors.StoreDesign(
        classes=f"{stylesheet.SCOPE} {design.layout_classes(resolved['layout'])}",
        banner_url=banner.image.url if banner else "",
        css_url=css_url,
    )
    # The store's own published products, as its page lists them (read by relation name: the
    # catalog sits above this app).
    products = (
        store.products.filter(status="published", reserved_for__isnull=True)
        .select_related("store")
        .prefetch_related("images")
        .order_by("-published_at")[:8]
    )
    return render(
        request,
        "themes/preview.html",
        {"store": store, "theme_preview": design_now, "products": products, "realtime_topics": []},
    )


@active_store_required(area=Area.APPEARANCE)
@require_GET
def preview_css(request: HttpRequest) -> HttpResponse:
    settings = services.settings_for(store=request.store)
    theme_key = request.GET.get("theme", "")
    if theme_key:
        theme = Theme.objects.filter(key=theme_key[:40]).first()
        if theme is None:
            raise Http404("No such theme.")
        resolved = stylesheet.resolve_theme(theme)
        text = stylesheet.build(resolved=resolved, custom_css="", asset_urls={})
    else:
        text = services.build_draft_css(settings)
    return _css_response(text, cache="private, no-cache")


# Assets ----------------------------------------------------------------------------------------


@active_store_required(area=Area.APPEARANCE)
@require_http_methods(["GET", "POST"])
def assets(request: HttpRequest) -> HttpResponse:
    form = AssetUploadForm(request.POST or None, request.FILES or None)
    status = None
    if request.method == "POST":
        if form.is_valid():
            try:
                made = services.upload_assets(
                    store=request.store, files=form.cleaned_data["files"], names=[form.cleaned_data["name"]]
                )
            except ValidationError as refusal:
                apply_service_errors(form, refusal)
            else:
                names = ", ".join(a.name for a in made)
                messages.success(request, f"Uploaded {names}. Use it in custom CSS as url({made[0].name}).")
                return redirect("themes:assets")
        status = 400
    count, used = selectors.assets_usage(store=request.store)
    return render(
        request,
        "themes/dashboard_assets.html",
        {
            "form": form,
            "assets": selectors.store_assets(store=request.store),
            "count": count,
            "used": used,
            "used_text": human_size(used),
            "quota": services.ASSET_QUOTA_BYTES,
            "quota_text": human_size(services.ASSET_QUOTA_BYTES),
            "max_count": services.ASSET_MAX_COUNT,
            "nav": "assets",
        },
        status=status,
    )


@active_store_required(area=Area.APPEARANCE)
@require_POST
def asset_rename(request: HttpRequest, asset_id: str) -> HttpResponse:
    asset = access_asset(store=request.store, asset_id=asset_id)
    form = AssetRenameForm(request.POST)
    if form.is_valid():
        try:
            services.rename_asset(store=request.store, asset_id=asset.pk, name=form.cleaned_data["name"])
        except ValidationError as refusal:
            messages.error(request, " ".join(refusal.messages))
        else:
            messages.success(request, "Renamed.")
    else:
        messages.error(request, "Give the asset a name.")
    return redirect("themes:assets")


@active_store_required(area=Area.APPEARANCE)
@require_POST
def asset_delete(request: HttpRequest, asset_id: str) -> HttpResponse:
    asset = access_asset(store=request.store, asset_id=asset_id)
    try:
        services.delete_asset(store=request.store, asset_id=asset.pk)
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
    else:
        messages.success(request, f"Deleted {asset.name}.")
    return redirect("themes:assets")


@active_store_required(area=Area.APPEARANCE)
@require_POST
def asset_logo(request: HttpRequest, asset_id: str) -> HttpResponse:
    """ "Use as logo" on the Assets page: the asset becomes Store.logo (a copy made under the
    logo's caps; the asset stays)."""
    asset = access_asset(store=request.store, asset_id=asset_id)
    try:
        services.use_asset_as_logo(store=request.store, asset_id=asset.pk)
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
    else:
        messages.success(request, f"{asset.name} is now your store's logo.")
    return redirect("themes:assets")
