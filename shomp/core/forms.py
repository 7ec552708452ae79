import datetime as dt
from decimal import Decimal
from functools import cache

from django import forms
from django.conf import settings
from django.forms.renderers import TemplatesSetting
from django.utils.safestring import SafeString

from .exceptions import ServiceError
from .money import MAX_PRICE


class FormRenderer(TemplatesSetting):
    """Every `{{ form }}` renders with Shomp's field component: label, widget, error next to it."""

    form_template_name = "core/components/form.html"


def empty_form_html(form_class: type[forms.Form]) -> SafeString:
    """`{{ form }}` of an unbound `form_class`, rendered once per process: for a form that is the
    same on every page (no data, no initial values or choices from the request), whose field and
    widget templates cost every page that shows it (a thread's report form: ~2 ms). Rendered
    afresh with DEBUG on, so template edits show while developing."""
    if settings.DEBUG:
        return form_class().render()
    return _empty_form_html(form_class)


@cache
def _empty_form_html(form_class: type[forms.Form]) -> SafeString:
    return form_class().render()


def apply_service_errors(form, error: Exception) -> None:
    """Show a service's refusal on the form: a field's error next to that field, others on top.

    Takes a ValidationError (with or without a field dict) or a core ServiceError."""
    if isinstance(error, ServiceError):
        form.add_error(error.field if error.field in form.fields else None, error.message)
    elif hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            for message in messages:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


# Money ---------------------------------------------------------------------------------------

_CURRENCY_MARKS = "$£€ \u00a0\u202f"
_AMBIGUOUS = (
    "Is that a thousands separator or the cents? Write whole amounts without one (1234) "
    "and cents with two digits (12.50 or 12,50)."
)


def _grouped(text: str, mark: str) -> str | None:
    """ "1.234.567" grouped by "." -> "1234567"; None unless every group after the first has 3 digits."""
    head, *groups = text.split(mark)
    if 1 <= len(head) <= 3 and head.isdigit() and groups and all(len(g) == 3 and g.isdigit() for g in groups):
        return head + "".join(groups)
    return None


def parse_money_text(text: str) -> str:
    """A typed amount as Decimal-ready text: "12,50" -> "12.50", "1.234,50" -> "1234.50".

    The last dot or comma before one or two digits is the decimal point, and the other mark may
    group thousands before it. "1,234" or "1.234" alone could be either: refused with a message.
    What doesn't read as an amount is returned for DecimalField to refuse as invalid."""
    for space in (" ", "\u00a0", "\u202f"):
        text = text.replace(space, "")
    text = text.strip(_CURRENCY_MARKS)
    sign = ""
    if text[:1] in ("+", "-"):
        sign, text = text[0], text[1:].strip(_CURRENCY_MARKS)
    last = max(text.rfind(","), text.rfind("."))
    if last < 0:
        return sign + text
    mark, head, tail = text[last], text[:last], text[last + 1 :]
    other = "." if mark == "," else ","
    if head.isdigit() or head == "":
        if len(tail) == 3 and head and tail.isdigit():
            raise forms.ValidationError(_AMBIGUOUS, code="ambiguous")
        return sign + head + "." + tail  # "12,50", ",5", "1,2345" (too many places: its own message)
    if len(tail) in (1, 2) and other in head and mark not in head:
        whole = _grouped(head, other)  # "1.234,50", "1,234.50"
        return sign + whole + "." + tail if whole is not None else text
    if len(tail) == 3 and other not in head:
        whole = _grouped(text, mark)  # "1.234.567"
        return sign + whole if whole is not None else text
    return text


class MoneyField(forms.DecimalField):
    """A price typed by a seller or a buyer: "12,50" and "12.50" are both 12.50; "1.234,50" and
    "1,234.50" are 1234.50; "1,234" alone is ambiguous and refused with a message. Shown as a
    text box with the decimal keypad (a number box drops "12,50" and the form then said "This
    field is required"). Money has two places and at most MAX_PRICE either way."""

    default_error_messages = {
        "invalid": "Enter an amount such as 12.50 or 12,50.",
        "required": "Enter an amount, such as 12.50.",
        "max_decimal_places": "Use at most two decimal places, such as 12.50.",
        "max_digits": "Enter an amount up to 1,000,000.",
        "max_whole_digits": "Enter an amount up to 1,000,000.",
        "max_value": "Enter an amount up to 1,000,000.",
        "min_value": "The amount can't be negative.",
    }

    def __init__(self, *, min_value=None, max_value=None, allow_negative: bool = False, **kwargs):
        kwargs.setdefault("max_digits", 10)
        kwargs.setdefault("decimal_places", 2)
        if max_value is None:
            max_value = MAX_PRICE
        if min_value is None:
            min_value = -MAX_PRICE if allow_negative else Decimal("0")
        if allow_negative:
            kwargs["error_messages"] = {"min_value": "Enter an amount down to -1,000,000."} | kwargs.get(
                "error_messages", {}
            )
        attrs = {"inputmode": "decimal", "autocomplete": "off"}
        kwargs.setdefault("widget", forms.TextInput(attrs=attrs))
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)

    def widget_attrs(self, widget):
        # DecimalField adds step/min/max for number boxes only; a text box needs none.
        attrs = super().widget_attrs(widget)
        if not isinstance(widget, forms.NumberInput):
            for name in ("step", "min", "max"):
                attrs.pop(name, None)
        return attrs

    def to_python(self, value):
        if isinstance(value, str) and value.strip():
            value = parse_money_text(value)
        return super().to_python(value)


#: The earliest day a date range may start (dates before it are typos, not history).
EARLIEST_DAY = dt.date(2000, 1, 1)


def check_day_range(
    form: forms.Form, *, start: dt.date | None, end: dt.date | None, today: dt.date, max_days: int, too_long: str
) -> None:
    """A from/to pair of local days (both included) for a report's range picker: a missing,
    reversed, future, too early or too long range gets its error next to the field."""
    if start is None:
        form.add_error("start", "Choose the first day of the range.")
    if end is None:
        form.add_error("end", "Choose the last day of the range.")
    if start is None or end is None:
        return
    if start < EARLIEST_DAY:
        form.add_error("start", f"Choose a day from {EARLIEST_DAY:%B} {EARLIEST_DAY.day}, {EARLIEST_DAY.year} on.")
    elif start > today:
        form.add_error("start", "The range can't start in the future.")
    elif end > today:
        form.add_error("end", "The range can't end in the future: choose today or an earlier day.")
    elif end < start:
        form.add_error("end", "The last day comes before the first: swap them.")
    elif (end - start).days + 1 > max_days:
        form.add_error("end", too_long)
