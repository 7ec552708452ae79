from django.forms.renderers import TemplatesSetting

from .exceptions import ServiceError


class FormRenderer(TemplatesSetting):
    """Every `{{ form }}` renders with Shomp's field component: label, widget, error next to it."""

    form_template_name = "core/components/form.html"


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
