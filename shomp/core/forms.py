from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Every `{{ form }}` renders with Shomp's field component: label, widget, error next to it."""

    form_template_name = "core/components/form.html"
