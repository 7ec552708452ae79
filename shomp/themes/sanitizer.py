"""The custom-CSS sanitiser: a store's own CSS, safe by construction (docs/ARCHITECTURE.md,
"Themes and custom CSS"; the rules come from /shared/notes/custom-css.md).

Parse with tinycss2, walk every node against allow-lists, re-serialise only what was checked;
any error rejects the whole sheet with line-numbered messages (the seller's text is kept for
editing, never served). Two outputs from one walk:

- `sanitize(css, asset_names=...)`: the canonical source (selectors unscoped, assets by name).
  sanitize(sanitize(x)) == sanitize(x).
- `scoped_css(css, scope=..., asset_urls=...)`: what is served: every selector under the store's
  container class, every `url(name)` rewritten to the asset's real address.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import tinycss2
from tinycss2 import ast

MAX_BYTES = 50 * 1024
MAX_RULES = 1000
MAX_SELECTORS_PER_RULE = 20
MAX_DECLARATIONS_PER_RULE = 100
MAX_NESTING = 6  # brackets and blocks, counted before parsing
MAX_MEDIA_DEPTH = 2
MAX_ERRORS_SHOWN = 10
Z_INDEX_RANGE = (-10, 100)

ASSET_NAME_PATTERN = r"[a-z0-9][a-z0-9_-]{0,59}"
ASSET_NAME_RE = re.compile(ASSET_NAME_PATTERN + r"\Z")

# Element names a store may style: content, never the page's frame or form fields.
ALLOWED_TAGS = frozenset(
    [
        "a",
        "abbr",
        "article",
        "aside",
        "b",
        "blockquote",
        "br",
        "button",
        "caption",
        "cite",
        "code",
        "dd",
        "del",
        "details",
        "dfn",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "i",
        "img",
        "ins",
        "kbd",
        "label",
        "li",
        "mark",
        "nav",
        "ol",
        "p",
        "picture",
        "pre",
        "q",
        "s",
        "section",
        "small",
        "span",
        "strong",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "time",
        "tr",
        "u",
        "ul",
    ]
)
FORM_TAGS = frozenset(["input", "textarea", "select", "form", "option", "optgroup", "fieldset", "datalist", "output"])
PAGE_TAGS = frozenset(["html", "body", "head", "main", "iframe", "script", "style", "link", "meta"])
ALLOWED_PSEUDO_CLASSES = frozenset(
    [
        "hover",
        "focus",
        "focus-visible",
        "focus-within",
        "active",
        "link",
        "any-link",
        "first-child",
        "last-child",
        "only-child",
        "first-of-type",
        "last-of-type",
        "only-of-type",
        "empty",
    ]
)
ALLOWED_PSEUDO_ELEMENTS = frozenset(["before", "after", "first-letter", "first-line", "marker", "selection"])
COMBINATORS = frozenset({">", "+", "~"})
# Platform content on a store's own pages (reviews, rating summaries, the buy box, report links)
# is marked `data-shomp-protected`. In the served sheet every selector's subject carries this
# guard, so a store's rule never matches a protected region, anything inside one, or anything
# that contains one (hiding an ancestor would hide it). Where a browser can't read the guard
# (no :has()), the whole rule is dropped: it fails closed. docs/ARCHITECTURE.md, "Themes".
PROTECTED_ATTRIBUTE = "data-shomp-protected"
PROTECTED_GUARD = f":not([{PROTECTED_ATTRIBUTE}], [{PROTECTED_ATTRIBUTE}] *, :has([{PROTECTED_ATTRIBUTE}]))"
SELECTOR_FUNCTIONS = frozenset({"not", "is", "where"})
NTH_FUNCTIONS = frozenset({"nth-child", "nth-last-child", "nth-of-type", "nth-last-of-type"})
# Attributes whose values a selector may test: never value, name, type, tokens or htmx wiring.
# Nor id, aria-* or data-*: they pick out one review or rating ([aria-label^="1 out"]).
ALLOWED_ATTRIBUTES = frozenset({"href", "title", "alt", "lang", "dir", "role", "class"})
# Classes and ids of the platform's frame (and the container itself) stay the platform's, as do
# those of the platform's content on store pages (reviews, ratings, the buy box).
PLATFORM_PREFIXES = (
    "shomp",
    "store-theme",
    "site-",
    "navbar",
    "toast",
    "modal",
    "offcanvas",
    "dropdown",
    "htmx",
    "review",
    "rating",
    "average-rating",
    "flag",
    "product-buy-box",
    "product-price",
    "product-availability",
    "add-to-cart",
    "add-qty",
)

_BOX = ("", "-top", "-right", "-bottom", "-left", "-inline", "-block", "-inline-start", "-inline-end")
ALLOWED_PROPERTIES = frozenset(
    {
        *(f"margin{s}" for s in _BOX),
        *(f"padding{s}" for s in _BOX),
        *(f"border{s}" for s in _BOX),
        *(f"border{s}-{p}" for s in _BOX for p in ("color", "style", "width")),
        "border-color",
        "border-style",
        "border-width",
        "border-radius",
        "border-top-left-radius",
        "border-top-right-radius",
        "border-bottom-left-radius",
        "border-bottom-right-radius",
        "border-collapse",
        "border-spacing",
        "outline",
        "outline-color",
        "outline-style",
        "outline-width",
        "outline-offset",
        "color",
        "background",
        "background-color",
        "background-image",
        "background-position",
        "background-size",
        "background-repeat",
        "background-clip",
        "background-origin",
        "box-shadow",
        "text-shadow",
        "opacity",
        "width",
        "height",
        "min-width",
        "min-height",
        "max-width",
        "max-height",
        "aspect-ratio",
        "box-sizing",
        "display",
        "visibility",
        "overflow",
        "overflow-x",
        "overflow-y",
        "position",
        "top",
        "right",
        "bottom",
        "left",
        "inset",
        "z-index",
        "float",
        "clear",
        "flex",
        "flex-direction",
        "flex-wrap",
        "flex-flow",
        "flex-grow",
        "flex-shrink",
        "flex-basis",
        "order",
        "gap",
        "row-gap",
        "column-gap",
        "grid-template-columns",
        "grid-template-rows",
        "grid-template-areas",
        "grid-column",
        "grid-row",
        "grid-area",
        "grid-auto-flow",
        "grid-auto-rows",
        "grid-auto-columns",
        "align-items",
        "align-self",
        "align-content",
        "justify-content",
        "justify-items",
        "justify-self",
        "place-items",
        "place-content",
        "font",
        "font-family",
        "font-size",
        "font-weight",
        "font-style",
        "font-variant",
        "font-stretch",
        "line-height",
        "letter-spacing",
        "word-spacing",
        "text-align",
        "text-decoration",
        "text-decoration-color",
        "text-decoration-line",
        "text-decoration-style",
        "text-decoration-thickness",
        "text-underline-offset",
        "text-transform",
        "text-indent",
        "text-overflow",
        "white-space",
        "word-break",
        "overflow-wrap",
        "hyphens",
        "vertical-align",
        "list-style",
        "list-style-type",
        "list-style-position",
        "object-fit",
        "object-position",
        "transform",
        "transform-origin",
        "transition",
        "transition-property",
        "transition-duration",
        "transition-timing-function",
        "transition-delay",
        "content",
        "columns",
        "column-count",
        "column-width",
        "column-rule",
        "table-layout",
        "caption-side",
        "accent-color",
        "caret-color",
        "isolation",
    }
)
# Said by name when refused (clearer than "not allowed").
REFUSED_PROPERTY_REASONS = {
    "behavior": "runs code in old browsers",
    "binding": "runs code in old browsers",
    "pointer-events": "can make a page ignore clicks",
    "cursor": "can load images from elsewhere",
    "filter": "not available in store CSS",
    "backdrop-filter": "not available in store CSS",
    "clip-path": "not available in store CSS",
    "mask": "not available in store CSS",
    "animation": "not available in store CSS",
}
VALUE_FUNCTIONS = frozenset(
    [
        "rgb",
        "rgba",
        "hsl",
        "hsla",
        "hwb",
        "lab",
        "lch",
        "oklab",
        "oklch",
        "color-mix",
        "calc",
        "min",
        "max",
        "clamp",
        "linear-gradient",
        "radial-gradient",
        "conic-gradient",
        "repeating-linear-gradient",
        "repeating-radial-gradient",
        "repeating-conic-gradient",
        "translate",
        "translatex",
        "translatey",
        "scale",
        "scalex",
        "scaley",
        "rotate",
        "skew",
        "skewx",
        "skewy",
        "matrix",
        "cubic-bezier",
        "steps",
        "repeat",
        "minmax",
        "fit-content",
    ]
)
UNITS = frozenset(
    [
        "px",
        "em",
        "rem",
        "ch",
        "ex",
        "vh",
        "vw",
        "vmin",
        "vmax",
        "svh",
        "svw",
        "lvh",
        "lvw",
        "dvh",
        "dvw",
        "pt",
        "cm",
        "mm",
        "in",
        "deg",
        "rad",
        "grad",
        "turn",
        "s",
        "ms",
        "fr",
        "x",
    ]
)
POSITIONS = frozenset({"static", "relative", "absolute"})
_VENDOR = re.compile(r"^-(webkit|moz|ms|o)-")
_OPERATORS = frozenset({",", "/", "+", "-", "*", "%"})  # "%" only inside rgb() etc. as percentages are tokens
_LONG_NUMBER = re.compile(r"[0-9]{31,}")
_ALLOWED_CONTROLS = {"\n", "\t", "\r", "\f"}


@dataclass(frozen=True)
class CSSProblem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}"


class CSSRejected(Exception):
    """The whole sheet is refused; `problems` says where and why (line numbers from 1)."""

    def __init__(self, problems: list[CSSProblem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))

    @property
    def messages(self) -> list[str]:
        shown = [str(p) for p in self.problems[:MAX_ERRORS_SHOWN]]
        if len(self.problems) > MAX_ERRORS_SHOWN:
            shown.append(f"… and {len(self.problems) - MAX_ERRORS_SHOWN} more problems.")
        return shown


def sanitize(css: str, *, asset_names: Collection[str] = ()) -> str:
    """The canonical form of `css`, or CSSRejected. Asset references stay names."""
    return _Walker(asset_names=set(asset_names)).run(css)


def scoped_css(css: str, *, scope: str, asset_urls: Mapping[str, str]) -> str:
    """What a storefront is served: `css` checked again, every selector under `.{scope}`, and
    every `url(name)` the asset's real address. Raises CSSRejected as sanitize does."""
    for url in asset_urls.values():
        if not re.fullmatch(r"[A-Za-z0-9/_.:%-]+", url) or url.startswith("//"):
            raise ValueError(f"Unexpected asset URL {url!r}")
    return _Walker(asset_names=set(asset_urls), scope=scope, asset_urls=dict(asset_urls)).run(css)


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


class _Walker:
    def __init__(self, *, asset_names: set[str], scope: str | None = None, asset_urls: dict | None = None):
        self.asset_names = asset_names
        self.scope = scope
        self.asset_urls = asset_urls or {}
        self.problems: list[CSSProblem] = []
        self.rules = 0

    def fail(self, line: int | None, message: str) -> None:
        self.problems.append(CSSProblem(line or 1, message))

    # The whole sheet ------------------------------------------------------------------------

    def run(self, css: str) -> str:
        self.precheck(css)
        if self.problems:
            raise CSSRejected(self.problems)
        nodes = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
        out = self.rule_list(nodes, depth=0)
        if self.problems:
            raise CSSRejected(self.problems)
        text = "\n".join(out) + ("\n" if out else "")
        if "\\" in text:  # a name that needs escaping when written out
            raise CSSRejected([CSSProblem(1, "A name here needs escaping; use plain letters, digits and dashes.")])
        # Belt and braces: what we wrote can't close a style element or open a tag.
        assert "<" not in text and "</style" not in text.lower() and "\\" not in text
        return text

    def precheck(self, css: str) -> None:
        """Cheap, linear checks before parsing: size, characters, nesting depth."""
        size = len(css.encode("utf-8", "surrogatepass"))
        if size > MAX_BYTES:
            self.fail(1, f"The sheet is {size // 1024} KB; at most {MAX_BYTES // 1024} KB is allowed.")
            return
        long_number = _LONG_NUMBER.search(css)
        if long_number:
            self.fail(_line_of(css, long_number.start()), "Numbers may have at most 30 digits.")
            return
        depth = 0
        for index, char in enumerate(css):
            if char == "<":
                self.fail(_line_of(css, index), "“<” is not allowed in CSS here.")
            elif char == "\\":
                self.fail(_line_of(css, index), "Backslash escapes are not allowed: write the character itself.")
            elif char in "({[":
                depth += 1
                if depth > MAX_NESTING:
                    self.fail(_line_of(css, index), f"Nested too deeply (at most {MAX_NESTING} levels).")
                    return
            elif char in ")}]":
                depth = max(0, depth - 1)
            elif char not in _ALLOWED_CONTROLS and unicodedata.category(char) in {
                "Cc",
                "Cf",
                "Co",
                "Cs",
                "Cn",
                "Zl",
                "Zp",
            }:
                self.fail(_line_of(css, index), f"The invisible or control character U+{ord(char):04X} is not allowed.")
            if len(self.problems) >= MAX_ERRORS_SHOWN * 2:
                return

    def rule_list(self, nodes, *, depth: int) -> list[str]:
        out = []
        for node in nodes:
            if isinstance(node, (ast.WhitespaceToken, ast.Comment)):
                continue
            self.rules += 1
            if self.rules > MAX_RULES:
                self.fail(node.source_line, f"Too many rules: at most {MAX_RULES}.")
                return out
            if isinstance(node, ast.ParseError):
                self.fail(node.source_line, f"This CSS can't be read ({node.message}).")
            elif isinstance(node, ast.AtRule):
                text = self.at_rule(node, depth=depth)
                if text:
                    out.append(text)
            elif isinstance(node, ast.QualifiedRule):
                text = self.qualified_rule(node, indent="  " * depth)
                if text:
                    out.append(text)
            else:
                self.fail(getattr(node, "source_line", 1), "Only rules and @media blocks are allowed here.")
        return out

    def at_rule(self, node: ast.AtRule, *, depth: int) -> str | None:
        name = node.lower_at_keyword
        if name != "media":
            self.fail(node.source_line, f"@{name} is not allowed: only @media blocks are.")
            return None
        if depth + 1 > MAX_MEDIA_DEPTH:
            self.fail(node.source_line, f"@media nested too deeply (at most {MAX_MEDIA_DEPTH}).")
            return None
        if node.content is None:
            self.fail(node.source_line, "@media needs a block in braces.")
            return None
        query = self.media_query(node.prelude, node.source_line)
        inner = self.rule_list(
            tinycss2.parse_rule_list(node.content, skip_comments=True, skip_whitespace=True), depth=depth + 1
        )
        indent = "  " * depth
        return f"{indent}@media {query} {{\n" + "\n".join(inner) + ("\n" if inner else "") + f"{indent}}}"

    def media_query(self, tokens, line: int) -> str:
        for token in tokens:
            if isinstance(token, (ast.WhitespaceToken, ast.Comment, ast.IdentToken)):
                continue
            if isinstance(token, ast.LiteralToken) and token.value == ",":
                continue
            if isinstance(token, ast.ParenthesesBlock):
                for inner in token.content:
                    if isinstance(inner, ast.LiteralToken) and inner.value in {":", "/", "<", ">", "="}:
                        continue
                    if not isinstance(
                        inner,
                        (ast.WhitespaceToken, ast.Comment, ast.IdentToken, ast.NumberToken, ast.DimensionToken),
                    ) or (isinstance(inner, ast.DimensionToken) and inner.lower_unit not in UNITS):
                        self.fail(token.source_line, "This @media condition is not allowed.")
                        return ""
                continue
            self.fail(getattr(token, "source_line", line), "This @media condition is not allowed.")
            return ""
        query = _serialize(tokens)
        if not query:
            self.fail(line, "@media needs a condition, such as (min-width: 768px).")
        return query

    # Rules ----------------------------------------------------------------------------------

    def qualified_rule(self, node: ast.QualifiedRule, *, indent: str) -> str | None:
        selectors = self.selector_list(node.prelude, node.source_line)
        declarations = self.declarations(node.content, node.source_line)
        if selectors is None or declarations is None:
            return None
        if self.scope:
            selectors = [f".{self.scope} {s}" for s in selectors]
        body = "".join(f"{indent}  {d};\n" for d in declarations)
        return f"{indent}{', '.join(selectors)} {{\n{body}{indent}}}"

    def selector_list(self, tokens, line: int) -> list[str] | None:
        groups: list[list] = [[]]
        for token in tokens:
            if isinstance(token, ast.LiteralToken) and token.value == ",":
                groups.append([])
            elif not isinstance(token, ast.Comment):
                groups[-1].append(token)
        if len(groups) > MAX_SELECTORS_PER_RULE:
            self.fail(line, f"Too many selectors in one rule: at most {MAX_SELECTORS_PER_RULE}.")
            return None
        out = []
        for group in groups:
            text = self.selector(group, line)
            if text is None:
                return None
            out.append(text)
        return out

    def selector(self, tokens, line: int, *, nested: bool = False) -> str | None:
        tokens = _strip(tokens)
        if not tokens:
            self.fail(line, "A selector is empty.")
            return None
        if not self.combinators(tokens, line, nested=nested):
            return None
        pseudo_element = None
        for index, token in enumerate(tokens):
            token_line = getattr(token, "source_line", line)
            previous = tokens[index - 1] if index else None
            before = tokens[index - 2] if index > 1 else None
            if isinstance(token, ast.WhitespaceToken):
                continue
            if pseudo_element is not None:
                self.fail(token_line, f"::{pseudo_element} must come last in its selector.")
                return None
            if isinstance(token, ast.IdentToken) and _is_literal(previous, ":") and _is_literal(before, ":"):
                pseudo_element = token.lower_value
            if isinstance(token, ast.IdentToken):
                name = token.lower_value
                if _is_literal(previous, "."):
                    if not self.class_name(token.value, token_line):
                        return None
                elif _is_literal(previous, ":"):
                    if _is_literal(before, ":"):
                        if name not in ALLOWED_PSEUDO_ELEMENTS:
                            self.fail(token_line, f"The pseudo-element ::{name} is not allowed.")
                            return None
                    elif name not in ALLOWED_PSEUDO_CLASSES:
                        reason = "reaches outside your store" if name in {"root", "scope", "host"} else "is not allowed"
                        self.fail(token_line, f"The pseudo-class :{name} {reason}.")
                        return None
                elif not self.tag(name, token_line):
                    return None
            elif isinstance(token, ast.HashToken):
                if not token.is_identifier or not self.class_name(token.value, token_line, kind="id"):
                    if not token.is_identifier:
                        self.fail(token_line, f"#{token.value} is not a valid id.")
                    return None
            elif isinstance(token, ast.LiteralToken) and token.value in {".", ":", ">", "+", "~", "*"}:
                if token.value == "*" and len(tokens) == 1 and not nested:
                    self.fail(token_line, "A selector of everything (*) is not allowed: name what you style.")
                    return None
                following = tokens[index + 1] if index + 1 < len(tokens) else None
                if token.value == "." and not isinstance(following, ast.IdentToken):
                    self.fail(token_line, "“.” must be followed by a class name.")
                    return None
                if token.value == ":" and not (
                    isinstance(following, (ast.IdentToken, ast.FunctionBlock))
                    or (_is_literal(following, ":") and not _is_literal(previous, ":"))
                ):
                    self.fail(token_line, "“:” must be followed by a pseudo-class or pseudo-element name.")
                    return None
            elif isinstance(token, ast.FunctionBlock) and _is_literal(previous, ":"):
                if not self.selector_function(token, token_line):
                    return None
            elif isinstance(token, ast.SquareBracketsBlock):
                if not self.attribute(token, token_line):
                    return None
            else:
                self.fail(token_line, f"“{_serialize([token])}” is not allowed in a selector.")
                return None
        if self.scope and not nested:
            return _guarded(tokens)
        return _serialize(tokens)

    def combinators(self, tokens, line: int, *, nested: bool) -> bool:
        """Every compound stays inside the store: a selector is served as `.store-theme <it>`, so
        one that starts with `~` or `+` would select the container's siblings (the page's footer).
        Refused, as are a combinator at the end or two in a row; inside :is()/:not()/:where() no
        combinator may lead at all (they take complete selectors there)."""
        significant = [t for t in tokens if not isinstance(t, (ast.WhitespaceToken, ast.Comment))]
        first, last = significant[0], significant[-1]
        first_line = getattr(first, "source_line", line)
        if _is_combinator(first) and first.value in {"~", "+"}:
            self.fail(
                first_line,
                f"A selector may not start with “{first.value}”: it would reach outside your store "
                "(start with an element, class or id inside it).",
            )
            return False
        if _is_combinator(first) and nested:
            self.fail(first_line, f"Inside :is(), :not() or :where() a selector may not start with “{first.value}”.")
            return False
        if _is_combinator(last):
            self.fail(getattr(last, "source_line", line), f"A selector may not end with “{last.value}”.")
            return False
        for previous, token in itertools.pairwise(significant):
            if _is_combinator(previous) and _is_combinator(token):
                self.fail(
                    getattr(token, "source_line", line),
                    f"“{previous.value} {token.value}”: two combinators in a row are not allowed.",
                )
                return False
        return True

    def class_name(self, name: str, line: int, *, kind: str = "class") -> bool:
        if name.lower().startswith(PLATFORM_PREFIXES):
            self.fail(line, f"The {kind} “{name}” belongs to Shomp's own page, not your store.")
            return False
        return True

    def tag(self, name: str, line: int) -> bool:
        if name in ALLOWED_TAGS:
            return True
        if name in FORM_TAGS:
            self.fail(line, f"Form fields ({name}) can't be styled by store CSS.")
        elif name in PAGE_TAGS or name == "html":
            self.fail(line, f"“{name}” is outside your store: style elements inside it.")
        else:
            self.fail(line, f"The element “{name}” is not allowed in a selector.")
        return False

    def selector_function(self, token: ast.FunctionBlock, line: int) -> bool:
        name = token.lower_name
        if name in SELECTOR_FUNCTIONS:
            groups: list[list] = [[]]
            for inner in token.arguments:
                if isinstance(inner, ast.LiteralToken) and inner.value == ",":
                    groups.append([])
                else:
                    groups[-1].append(inner)
            return all(self.selector(group, line, nested=True) is not None for group in groups)
        if name in NTH_FUNCTIONS:
            for inner in token.arguments:
                ok = isinstance(inner, (ast.WhitespaceToken, ast.NumberToken, ast.IdentToken)) or (
                    isinstance(inner, ast.DimensionToken) and inner.lower_unit in {"n", "n-"}
                )
                ok = ok or (isinstance(inner, ast.LiteralToken) and inner.value in {"+", "-"})
                if isinstance(inner, ast.IdentToken) and inner.lower_value not in {
                    "odd",
                    "even",
                    "n",
                    "-n",
                    "n-",
                    "-n-",
                }:
                    ok = False
                if not ok:
                    self.fail(line, f"“:{name}({_serialize(token.arguments)})” is not allowed.")
                    return False
            return True
        if name == "has":
            self.fail(line, ":has() is not allowed: it can read the rest of the page.")
        else:
            self.fail(line, f"The pseudo-class :{name}() is not allowed.")
        return False

    def attribute(self, token: ast.SquareBracketsBlock, line: int) -> bool:
        parts = [t for t in token.content if not isinstance(t, (ast.WhitespaceToken, ast.Comment))]
        if not parts or not isinstance(parts[0], ast.IdentToken):
            self.fail(line, "This attribute selector is not allowed.")
            return False
        name = parts[0].lower_value
        if name not in ALLOWED_ATTRIBUTES:
            self.fail(line, f"Selecting on the attribute “{name}” is not allowed.")
            return False
        for part in parts[1:]:
            if isinstance(part, ast.LiteralToken) and part.value in {
                "=",
                "~=",
                "|=",
                "^=",
                "$=",
                "*=",
                "~",
                "|",
                "^",
                "$",
                "*",
            }:
                continue
            if isinstance(part, ast.IdentToken) or (isinstance(part, ast.StringToken) and _plain_string(part.value)):
                continue
            self.fail(line, "This attribute selector is not allowed.")
            return False
        return True

    # Declarations ---------------------------------------------------------------------------

    def declarations(self, content, line: int) -> list[str] | None:
        nodes = tinycss2.parse_declaration_list(content or [], skip_comments=True, skip_whitespace=True)
        if len(nodes) > MAX_DECLARATIONS_PER_RULE:
            self.fail(line, f"Too many declarations in one rule: at most {MAX_DECLARATIONS_PER_RULE}.")
            return None
        out = []
        ok = True
        for node in nodes:
            if isinstance(node, ast.ParseError):
                self.fail(node.source_line, f"This declaration can't be read ({node.message}).")
                ok = False
            elif isinstance(node, ast.AtRule):
                self.fail(node.source_line, f"@{node.lower_at_keyword} is not allowed inside a rule.")
                ok = False
            elif isinstance(node, ast.Declaration):
                text = self.declaration(node)
                if text is None:
                    ok = False
                else:
                    out.append(text)
            else:
                self.fail(
                    getattr(node, "source_line", line), "Nested rules are not allowed: write each rule on its own."
                )
                ok = False
        return out if ok else None

    def declaration(self, node: ast.Declaration) -> str | None:
        name = node.lower_name
        line = node.source_line
        if name.startswith("--"):
            self.fail(line, f"Custom properties ({node.name}) are not allowed.")
            return None
        base = _VENDOR.sub("", name)
        if base not in ALLOWED_PROPERTIES:
            reason = REFUSED_PROPERTY_REASONS.get(base) or (
                REFUSED_PROPERTY_REASONS["mask"] if base.startswith("mask") else None
            )
            if base.startswith("animation"):
                reason = REFUSED_PROPERTY_REASONS["animation"]
            self.fail(line, f"The property “{name}” is not allowed" + (f": {reason}." if reason else "."))
            return None
        value = _strip([t for t in node.value if not isinstance(t, ast.Comment)])
        if not value:
            self.fail(line, f"“{name}” needs a value.")
            return None
        if not self.value_tokens(value, name=base, line=line, depth=0):
            return None
        if base == "position":
            words = {t.lower_value for t in value if isinstance(t, ast.IdentToken)}
            if not words <= POSITIONS or len(value) != 1:
                self.fail(line, "position may only be static, relative or absolute (nothing fixed over the page).")
                return None
        if base.startswith("margin") and _has_negative(value):
            self.fail(line, f"{name} may not be negative: it would pull the content after it out of sight.")
            return None
        if base == "z-index":
            number = value[0] if len(value) == 1 else None
            if not (
                isinstance(number, ast.NumberToken)
                and number.is_integer
                and Z_INDEX_RANGE[0] <= number.int_value <= Z_INDEX_RANGE[1]
            ):
                self.fail(line, f"z-index must be a whole number from {Z_INDEX_RANGE[0]} to {Z_INDEX_RANGE[1]}.")
                return None
        if base == "content" and not all(
            isinstance(t, (ast.StringToken, ast.WhitespaceToken))
            or (isinstance(t, ast.IdentToken) and t.lower_value in {"none", "normal"})
            for t in value
        ):
            self.fail(line, "content may only be plain text in quotes.")
            return None
        text = f"{name}: {self.serialize_value(value)}"
        return text + (" !important" if node.important else "")

    def value_tokens(self, tokens, *, name: str, line: int, depth: int) -> bool:
        for token in tokens:
            token_line = getattr(token, "source_line", line)
            if isinstance(token, (ast.WhitespaceToken, ast.Comment, ast.IdentToken, ast.NumberToken)):
                if isinstance(token, ast.IdentToken) and token.lower_value in {"expression", "javascript"}:
                    self.fail(token_line, f"“{token.value}” is not allowed.")
                    return False
                continue
            if isinstance(token, ast.PercentageToken):
                continue
            if isinstance(token, ast.DimensionToken):
                if token.lower_unit not in UNITS:
                    self.fail(token_line, f"The unit “{token.unit}” is not allowed.")
                    return False
                continue
            if isinstance(token, ast.HashToken):
                if not re.fullmatch(r"[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8}", token.value):
                    self.fail(token_line, f"#{token.value} is not a colour.")
                    return False
                continue
            if isinstance(token, ast.StringToken):
                if not _plain_string(token.value):
                    self.fail(token_line, "Quoted text may not contain quotes or line breaks.")
                    return False
                if name not in {"content", "font-family", "font", "grid-template-areas", "quotes"}:
                    self.fail(token_line, f"Quoted text is not allowed in {name}.")
                    return False
                continue
            if isinstance(token, ast.LiteralToken) and token.value in _OPERATORS:
                continue
            if isinstance(token, ast.URLToken):
                if not self.asset(token.value, token_line):
                    return False
                continue
            if isinstance(token, ast.FunctionBlock):
                fname = token.lower_name
                if fname == "url":
                    args = _strip(token.arguments)
                    if len(args) != 1 or not isinstance(args[0], ast.StringToken):
                        self.fail(token_line, "url() takes the name of one of your store's assets.")
                        return False
                    if not self.asset(args[0].value, token_line):
                        return False
                    continue
                if fname not in VALUE_FUNCTIONS:
                    self.fail(token_line, f"The function {token.name}() is not allowed.")
                    return False
                if depth >= 3:
                    self.fail(token_line, "Functions nested too deeply.")
                    return False
                if not self.value_tokens(token.arguments, name=name, line=token_line, depth=depth + 1):
                    return False
                continue
            if isinstance(token, ast.ParenthesesBlock) and depth < 3:
                if not self.value_tokens(token.content, name=name, line=token_line, depth=depth + 1):
                    return False
                continue
            self.fail(token_line, f"“{_serialize([token])}” is not allowed in a value.")
            return False
        return True

    def asset(self, reference: str, line: int) -> bool:
        if not ASSET_NAME_RE.match(reference or ""):
            self.fail(
                line,
                "url() may only name one of your store's assets (its name from the Assets page), "
                "never an address or data.",
            )
            return False
        if reference not in self.asset_names:
            self.fail(line, f"Your store has no asset named “{reference}” (upload it on the Assets page).")
            return False
        return True

    def serialize_value(self, tokens) -> str:
        return _serialize(tokens, urls=self.asset_urls if self.scope else None)


def _plain_string(value: str) -> bool:
    return not any(c in value for c in "\"'\n\r\f")


def _guarded(tokens) -> str:
    """The selector with PROTECTED_GUARD on its subject (the last compound), before any
    pseudo-element: `.a > p::after` becomes `.a > p:not(…)::after`."""
    start = 0
    for index, token in enumerate(tokens):
        if isinstance(token, ast.WhitespaceToken) or _is_combinator(token):
            start = index + 1
    end = len(tokens)
    for index in range(start, len(tokens) - 1):
        if _is_literal(tokens[index], ":") and _is_literal(tokens[index + 1], ":"):
            end = index
            break
    head = _serialize(tokens[:end])
    if end == start:  # the compound is only a pseudo-element (`p ::after` means `p *::after`)
        head = (head + " *") if head else "*"
    return head + PROTECTED_GUARD + _serialize(tokens[end:])


def _has_negative(tokens) -> bool:
    for token in tokens:
        if isinstance(token, (ast.NumberToken, ast.DimensionToken, ast.PercentageToken)) and token.value < 0:
            return True
        if _is_literal(token, "-"):
            return True
        if isinstance(token, ast.FunctionBlock) and _has_negative(token.arguments):
            return True
        if isinstance(token, ast.ParenthesesBlock) and _has_negative(token.content):
            return True
    return False


def _is_combinator(token) -> bool:
    return isinstance(token, ast.LiteralToken) and token.value in COMBINATORS


def _is_literal(token, value: str) -> bool:
    return isinstance(token, ast.LiteralToken) and token.value == value


def _strip(tokens) -> list:
    tokens = [t for t in tokens if not isinstance(t, ast.Comment)]
    while tokens and isinstance(tokens[0], ast.WhitespaceToken):
        tokens = tokens[1:]
    while tokens and isinstance(tokens[-1], ast.WhitespaceToken):
        tokens = tokens[:-1]
    return tokens


def _serialize(tokens, *, urls: Mapping[str, str] | None = None) -> str:
    """Tokens as text with whitespace collapsed to one space and trimmed, the same every time;
    with `urls`, asset references become url("<address>")."""
    parts: list[str] = []
    pending_space = False
    for token in _strip(tokens):
        if isinstance(token, (ast.WhitespaceToken, ast.Comment)):
            pending_space = True
            continue
        if pending_space and parts:
            parts.append(" ")
        pending_space = False
        if isinstance(token, ast.URLToken):
            parts.append(_url(token.value, urls))
        elif isinstance(token, ast.FunctionBlock):
            if token.lower_name == "url":
                parts.append(_url(_strip(token.arguments)[0].value, urls))
            else:
                parts.append(f"{token.lower_name}({_serialize(token.arguments, urls=urls)})")
        elif isinstance(token, ast.ParenthesesBlock):
            parts.append(f"({_serialize(token.content, urls=urls)})")
        elif isinstance(token, ast.SquareBracketsBlock):
            parts.append(f"[{_serialize(token.content, urls=urls)}]")
        else:
            parts.append(token.serialize())
    return "".join(parts)


def _url(name: str, urls: Mapping[str, str] | None) -> str:
    return f'url("{urls[name]}")' if urls is not None else f'url("{name}")'
