"""The brand colour replaces Bootstrap's default blue on checkboxes, switches and pagination."""

from .helpers import assert_no_page_errors

ACCENT = "rgb(109, 40, 217)"
BOOTSTRAP_BLUE = "rgb(13, 110, 253)"


def test_checkboxes_switches_and_pagination_wear_the_brand_colour(make_page, live_url):
    page = make_page()
    page.goto("/")
    colours = page.evaluate(
        """() => {
            const box = document.createElement('div');
            box.innerHTML = `
              <input class="form-check-input" type="checkbox" id="c" checked>
              <div class="form-check form-switch"><input class="form-check-input" type="checkbox" id="s" checked></div>
              <input class="form-check-input" type="radio" id="r" checked>
              <ul class="pagination"><li class="page-item active"><a class="page-link" id="p" href="#">2</a></li></ul>`;
            document.querySelector('main, body').appendChild(box);
            const bg = (id) => getComputedStyle(document.getElementById(id)).backgroundColor;
            return {checkbox: bg('c'), switch: bg('s'), radio: bg('r'), page: bg('p')};
        }"""
    )
    assert colours == {"checkbox": ACCENT, "switch": ACCENT, "radio": ACCENT, "page": ACCENT}, colours
    assert BOOTSTRAP_BLUE not in colours.values()
    assert_no_page_errors(page)
