"""bench/pages.py's control: what bare Django serves from the same process, to compare pages with.

Routed by shomp/urls.py only while settings.SHOMP_BENCH_CONTROL is on (the benchmark's servers)."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse

# About 1 KB of HTML, built once: the control measures the server and the middleware, not a template.
CONTROL_PAGE = (
    "<!doctype html><html lang=en><head><meta charset=utf-8><title>Control</title></head><body><main>"
    + "<p>Shomp benchmark control page: a fixed kilobyte of HTML.</p>" * 16
    + "</main></body></html>"
).encode()


@login_not_required
def control(request):
    return HttpResponse(CONTROL_PAGE, content_type="text/html; charset=utf-8")
