"""core.urls.cached_reverse answers what reverse() answers, per script prefix; country_options
builds the same <option>s the cart's template loop did."""

from django.template import Context, Template
from django.urls import reverse, set_script_prefix

from shomp.core.countries import country_choices, country_options
from shomp.core.urls import cached_reverse


def test_cached_reverse_is_reverse_and_follows_the_script_prefix():
    assert cached_reverse("catalog:store", store_slug="mugs") == reverse("catalog:store", kwargs={"store_slug": "mugs"})
    assert cached_reverse("stores:list") == reverse("stores:list")
    set_script_prefix("/shop/")
    try:
        assert cached_reverse("catalog:store", store_slug="mugs") == "/shop/mugs/"
    finally:
        set_script_prefix("/")
    assert cached_reverse("catalog:store", store_slug="mugs") == "/mugs/"


def test_country_options_are_the_template_loop_s_options():
    loop = Template(
        '{% for code, name in countries %}<option value="{{ code }}"{% if code == country %} selected{% endif %}>'
        "{{ name }}</option>{% endfor %}"
    )
    for chosen in ["", "GB", "CI", "nowhere"]:
        expected = loop.render(Context({"countries": country_choices(), "country": chosen}))
        assert country_options(chosen) == expected
    assert country_options("GB").count(" selected") == 1
    assert "&#x27;" in country_options("")  # Côte d'Ivoire, escaped as the template escaped it
