"""The custom-CSS sanitiser: hostile sheets refused whole with line numbers, caps, and the
properties every output keeps (idempotent, no `<`, no `</style`, no URL but the store's)."""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shomp.themes import sanitizer as sanitizer_module
from shomp.themes.sanitizer import MAX_BYTES, PROTECTED_GUARD, CSSRejected, sanitize, scoped_css

GUARD = PROTECTED_GUARD
ASSETS = {"banner": "/media/themes/assets/abc123.jpg", "dots": "/media/themes/assets/def456.png"}

HOSTILE = [
    ("@import url(https://evil.example/x.css);", "@import"),
    ('@import "x.css";', "@import"),
    ("@font-face { font-family: x; src: url(https://evil.example/f.woff) }", "@font-face"),
    ("@namespace svg url(http://www.w3.org/2000/svg);", "@namespace"),
    ("@charset 'utf-8';", "@charset"),
    (".a { background: url(https://evil.example/p.gif) }", "url()"),
    (".a { background: url('//evil.example/p.gif') }", "url()"),
    (".a { background: url(data:image/png;base64,AAAA) }", "url()"),
    (".a { background: url('javascript:alert(1)') }", "url()"),
    (".a { background: url( banner ) }", None),  # fine: the asset, spaces trimmed by the tokenizer
    (".a { background: url('../banner') }", "url()"),
    (".a { background: url(nope) }", "no asset named"),
    (".a { background-image: image-set('x.png' 1x) }", "image-set"),
    (".a { width: expression(alert(1)) }", "expression"),
    (".a { content: attr(data-secret) }", "attr"),
    (".a { color: var(--bs-primary) }", "var"),
    (".a { padding: env(safe-area-inset-top) }", "env"),
    (".a { behavior: url(x.htc) }", "behavior"),
    (".a { -moz-binding: url(x.xml#x) }", "-moz-binding"),
    (".a { --secret: 1 }", "Custom properties"),
    (".a { pointer-events: none }", "pointer-events"),
    (".a { cursor: url(banner), auto }", "cursor"),
    (".a { position: fixed; inset: 0 }", "position"),
    (".a { position: sticky; top: 0 }", "position"),
    (".a { z-index: 2147483647 }", "z-index"),
    (".a { color: r\\65 d }", "Backslash"),
    (".a { color: red }</style><script>alert(1)</script>", "“<”"),
    ("</STYLE><img src=x onerror=alert(1)>", "“<”"),
    (".a\u202e { color: red }", "U+202E"),
    (".a { color: red\u0000 }", "U+0000"),
    ("html { display: none }", "html"),
    ("body { background: red }", "body"),
    (":root { color: red }", ":root"),
    ("* { display: none }", "everything"),
    ("input[value^='a'] { background: url(banner) }", "Form fields"),
    ("textarea { color: red }", "Form fields"),
    ("form { display: none }", "Form fields"),
    ("a[name='csrfmiddlewaretoken'] { color: red }", "attribute “name”"),
    ("[value='x'] { color: red }", "attribute “value”"),
    ("[type=password] { color: red }", "attribute “type”"),
    (".a:has(input[value]) { color: red }", ":has()"),
    (".navbar { display: none }", "Shomp's own page"),
    ("#shomp-header { display: none }", "Shomp's own page"),
    (".store-theme { display: none }", "Shomp's own page"),
    (".a { content: '<script>' }", "“<”"),
    (".a { filter: blur(4px) }", "filter"),
    (".a { clip-path: inset(0) }", "clip-path"),
    (".a { mask-image: linear-gradient(red, blue) }", "mask"),
    ("@media screen { @media print { @media all { .a { color: red } } } }", "nested too deeply"),
    # Selectors that would be served as `.store-theme ~ footer`: siblings of the store, outside it.
    ("~ footer { display: none }", "may not start with “~”"),
    ("+ div { color: red }", "may not start with “+”"),
    ("~ * { color: red }", "may not start with “~”"),
    (".a, ~ footer { color: red }", "may not start with “~”"),
    ("@media screen { ~ footer { color: red } }", "may not start with “~”"),
    ("@media screen { @media (min-width: 1px) { + nav { color: red } } }", "may not start with “+”"),
    (":where(~ div) { color: red }", "may not start with “~”"),
    (":is(+ footer) { color: red }", "may not start with “+”"),
    (".a:not(~ p) { color: red }", "may not start with “~”"),
    (":is(.a, + p) { color: red }", "may not start with “+”"),
    (":is(> p) { color: red }", "may not start with “>”"),
    ("p ~ { color: red }", "may not end with “~”"),
    ("p > + a { color: red }", "two combinators in a row"),
    ("@supports (display: grid) { ~ footer { color: red } }", "@supports"),
    ("& p { color: red }", "“&”"),
    (".a { & ~ p { color: red } }", "can't be read"),
    (":host { color: red }", ":host"),
    (":scope ~ p { color: red }", ":scope"),
    ("html > body p { color: red }", "html"),
    ("main ~ footer { color: red }", "main"),
    # Picking out platform content on the store's own pages (reviews, ratings, the buy box).
    ("#review-5 { display: none }", "Shomp's own page"),
    (".review { display: none }", "Shomp's own page"),
    (".rating-summary { visibility: hidden }", "Shomp's own page"),
    ("#product-buy-box { opacity: 0 }", "Shomp's own page"),
    ("#add-to-cart-status { display: none }", "Shomp's own page"),
    ("[aria-label^='1 out'] { display: none }", "attribute “aria-label”"),
    ("[data-rating='1'] { display: none }", "attribute “data-rating”"),
    ("[id^=review] { display: none }", "attribute “id”"),
    ("[data-shomp-protected] { display: none }", "attribute “data-shomp-protected”"),
    (".a:not([data-shomp-protected]) { color: red }", "attribute “data-shomp-protected”"),
    # Negative margins pull the next content (a review, the buy box) up out of sight.
    ("p::after.a { color: red }", "must come last"),
    ("p::after:hover { color: red }", "must come last"),
    ("p::before > a { color: red }", "must come last"),
    ("@page { margin: 0 }", "@page"),
    ("@keyframes spin { from { color: red } to { color: blue } }", "@keyframes"),
    ("@-webkit-keyframes spin { from { color: red } }", "@-webkit-keyframes"),
    ("@supports (display: grid) { .a { color: red } }", "@supports"),
    ("@layer base { .a { color: red } }", "@layer"),
    ("@container (min-width: 1px) { .a { color: red } }", "@container"),
    ("@property --x { syntax: '*' }", "@property"),
    ("@scope (.a) { .b { color: red } }", "@scope"),
    ("@shomp-unknown { .a { color: red } }", "@shomp-unknown"),
    ("@document url-prefix() { .a { color: red } }", "@document"),
    (".a { background: element(#secret) }", "element()"),
    (".a { background-image: image('x.png') }", "image()"),
    (".a { background-image: -webkit-image-set('x.png' 1x) }", "-webkit-image-set()"),
    (".a { color: if(style(--x: 1): red; else: blue) }", "if()"),
    (".a { color: style(--x) }", "style()"),
    (".a { -webkit-mask: linear-gradient(red, blue) }", "-webkit-mask"),
    (".a { -webkit-mask-image: linear-gradient(red, blue) }", "-webkit-mask-image"),
    (".a { mask: linear-gradient(red, blue) }", "mask"),
    (".a { -webkit-box-reflect: below }", "-webkit-box-reflect"),
    (".a { -webkit-clip-path: inset(0) }", "-webkit-clip-path"),
    ("h1 { margin-bottom: -3000px }", "may not be negative"),
    ("h1 { margin: 0 0 calc(0px - 3000px) }", "may not be negative"),
    ("h1 { margin-block: min(-1px, 2px) }", "may not be negative"),
]


@pytest.mark.parametrize(("css", "says"), HOSTILE)
def test_hostile_css_is_refused_whole_with_a_reason(css, says):
    if says is None:
        assert sanitize(css, asset_names=ASSETS) == '.a {\n  background: url("banner");\n}\n'
        return
    with pytest.raises(CSSRejected) as refused:
        sanitize(".ok { color: #123456 }\n" + css, asset_names=ASSETS)
    text = " ".join(refused.value.messages)
    assert says in text, text
    assert all(re.match(r"Line \d+: ", m) for m in refused.value.messages)


def test_problems_name_their_lines():
    css = ".a { color: red }\n.b {\n  color: blue;\n  position: fixed;\n}\n\n@import 'x.css';\n"
    with pytest.raises(CSSRejected) as refused:
        sanitize(css)
    assert refused.value.messages == [
        "Line 4: position may only be static, relative or absolute (nothing fixed over the page).",
        "Line 7: @import is not allowed: only @media blocks are.",
    ]


def test_too_big_and_too_deep_are_refused_before_parsing():
    with pytest.raises(CSSRejected, match="at most 50 KB"):
        sanitize(".a { color: red }\n" * (MAX_BYTES // 10))
    with pytest.raises(CSSRejected, match="Nested too deeply"):
        sanitize(".a { width: calc(" * 2000)
    with pytest.raises(CSSRejected, match="at most 30 digits"):
        sanitize(".a { width: " + "9" * 5000 + "px }")
    with pytest.raises(CSSRejected, match="Too many selectors"):
        sanitize(", ".join(f".c{i}" for i in range(50)) + " { color: red }")


def test_more_than_a_thousand_rules_are_refused():
    sheet = ".a { color: red }\n" * 1001
    assert len(sheet.encode()) < MAX_BYTES
    with pytest.raises(CSSRejected) as refused:
        sanitize(sheet)
    assert refused.value.messages == ["Line 1001: Too many rules: at most 1000."]
    assert sanitize(".a { color: red }\n" * 1000).count("color: red") == 1000


def _never_parsed(monkeypatch):
    calls = []
    real = sanitizer_module.tinycss2.parse_stylesheet

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(sanitizer_module.tinycss2, "parse_stylesheet", counting)
    return calls


@pytest.mark.parametrize(
    ("css", "says"),
    [
        (".a { color: red }\n" * (10 * 1024 * 1024 // 18), "at most 50 KB"),  # 10 MB
        ("." + "a" * (10 * 1024 * 1024), "at most 50 KB"),
        (".a { width: " + "calc(" * 5000 + "1px" + ")" * 5000 + " }", "Nested too deeply"),
        ("@media screen { " * 2000 + ".a { color: red }" + " }" * 2000, "Nested too deeply"),
        ("[" * 40_000, "Nested too deeply"),
    ],
)
def test_huge_or_deeply_nested_input_is_refused_before_it_is_parsed(monkeypatch, css, says):
    """Refused by the linear pre-check (bytes, then one pass counting brackets that stops at the
    first level too deep): tinycss2 never sees it. (Deep sheets here are under 50 KB.)"""
    calls = _never_parsed(monkeypatch)
    with pytest.raises(CSSRejected) as refused:
        sanitize(css)
    assert says in " ".join(refused.value.messages)
    assert calls == []
    calls_ok = _never_parsed(monkeypatch)
    sanitize(".a { color: red }")
    assert calls_ok == [1]  # the counter counts


def test_the_size_check_reads_no_further_than_the_byte_count(monkeypatch):
    """A 10 MB sheet costs one encode and a length: the per-character loop never starts."""
    seen = []
    real = sanitizer_module.unicodedata.category

    def counting(char):
        seen.append(char)
        return real(char)

    monkeypatch.setattr(sanitizer_module.unicodedata, "category", counting)
    with pytest.raises(CSSRejected):
        sanitize("\u00e9" * (10 * 1024 * 1024))
    assert seen == []
    sanitize(".\u00e9 { color: red }")
    assert seen  # the counter counts


def test_a_good_sheet_is_kept_and_scoped_with_real_asset_addresses():
    css = """/* mine */
.product-card  { border-radius: 1rem; background: linear-gradient(90deg, #fff 0%, rgb(0 0 0 / 50%)) }
h2:hover, .product-card::after { color: #123; content: "★" }
@media (min-width: 768px) {
  .hero > a[href^="/"] { margin: calc(1rem + 2px) !important; background: url(banner) no-repeat } }
li:nth-child(2n+1):not(.a, .b) { position: relative; z-index: 3 }
"""
    clean = sanitize(css, asset_names=ASSETS)
    assert "/* mine */" not in clean and 'url("banner")' in clean
    served = scoped_css(clean, scope="store-theme", asset_urls=ASSETS)
    assert f".store-theme .product-card{GUARD} {{" in served
    assert f".store-theme h2:hover{GUARD}, .store-theme .product-card{GUARD}::after {{" in served
    assert f'  .store-theme .hero > a[href^="/"]{GUARD} {{' in served
    assert 'url("/media/themes/assets/abc123.jpg") no-repeat' in served
    assert "z-index: 3;" in served


# Properties -----------------------------------------------------------------------------------

_pieces = st.sampled_from(
    [
        ".a",
        "h2",
        "#x",
        "a:hover",
        "li:nth-child(2n+1)",
        ":not(.b)",
        "::before",
        "[href^='/']",
        "> p",
        "~",
        "+ ",
        "~ p",
        ":is(",
        ")",
        "@media screen{",
        " ",
        ",",
        "{",
        "}",
        ";",
        ":",
        "color",
        "red",
        "#fff",
        "url(banner)",
        "url(dots)",
        "url(http://e.x/y)",
        "calc(1px + 2em)",
        "rgb(1 2 3 / 50%)",
        "@media (min-width: 1px)",
        "@import",
        "</style>",
        "<",
        "\\",
        "'",
        '"',
        "/*",
        "*/",
        "\n",
        "content",
        "'★'",
        "expression(",
        ")",
        "position",
        "absolute",
        "fixed",
        "var(--x)",
        "--x",
        "!important",
        "margin",
        "1e3px",
        "-",
        "+",
        "*",
        "(",
        "[",
        "]",
        "body",
        "input",
        "é",
        "\u200b",
        "z-index",
        "5",
    ]
)
_selector_pieces = st.sampled_from(
    ["p", ".a", "#x", "a:hover", "::after", ":is(", ":not(", ":where(", ")", ",", " ", "~", "+", ">", "*", "&"]
)
# Sheets of rules whose selectors are made of pieces (so leading and doubled combinators come up).
_rules = st.lists(
    st.tuples(st.booleans(), st.lists(_selector_pieces, min_size=1, max_size=8).map("".join)).map(
        lambda pair: ("@media screen { %s { color: red } }" if pair[0] else "%s { color: red }") % pair[1]
    ),
    min_size=1,
    max_size=4,
).map("\n".join)
_sheets = st.one_of(st.lists(_pieces, max_size=40).map("".join), _rules, st.text(max_size=200))


def _try(css):
    try:
        return sanitize(css, asset_names=ASSETS)
    except CSSRejected:
        return None


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_sheets)
def test_sanitising_twice_changes_nothing(css):
    clean = _try(css)
    if clean is not None:
        assert sanitize(clean, asset_names=ASSETS) == clean


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_sheets)
def test_output_never_breaks_out_or_fetches_elsewhere(css):
    clean = _try(css)
    if clean is None:
        return
    served = scoped_css(clean, scope="store-theme", asset_urls=ASSETS)
    for text in (clean, served):
        assert "<" not in text and "</style" not in text.lower() and "@import" not in text.lower()
        assert "\\" not in text
    for url in re.findall(r"url\(([^)]*)\)", served, flags=re.IGNORECASE):
        assert url.strip("\"'") in ASSETS.values()
    # Every served selector starts with the container and then something inside it.
    for prelude in re.findall(r"^ *([^@\s][^{\n]*) \{$", served, flags=re.MULTILINE):
        for selector in _top_level_split(prelude):
            assert selector.startswith(".store-theme "), selector
            assert not selector.removeprefix(".store-theme ").startswith(("~", "+")), selector
            # The subject carries the guard that keeps it off protected regions.
            assert re.search(re.escape(GUARD) + r"(::[a-z-]+)?$", selector, flags=re.IGNORECASE), selector


def _top_level_split(prelude):
    parts, depth, current = [], 0, ""
    for char in prelude:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    return [*parts, current.strip()]


def test_served_rules_never_match_protected_regions_or_their_ancestors():
    served = scoped_css(
        sanitize("button, article { display: none }\np::after { content: 'x'; position: absolute; inset: 0 }"),
        scope="store-theme",
        asset_urls={},
    )
    assert f".store-theme button{GUARD}, .store-theme article{GUARD} {{" in served
    assert f".store-theme p{GUARD}::after {{" in served
    assert GUARD == (
        ":not([data-shomp-protected], [data-shomp-protected] *, :has([data-shomp-protected]))"
    )  # the region itself, anything inside it, anything containing it


def test_platform_regions_sit_above_anything_the_store_positions():
    from shomp.themes.sanitizer import Z_INDEX_RANGE
    from shomp.themes.stylesheet import BASE_RULES

    assert ".store-theme [data-shomp-protected] { position: relative; z-index: 1000; }" in BASE_RULES
    assert Z_INDEX_RANGE[1] < 1000
