"""Words that are routes (or may become routes) and so can't be store slugs or usernames."""

RESERVED_WORDS = frozenset(
    """
    about account accounts admin api analytics announcements app assets auth blog cart checkout
    contact dashboard download downloads explore favicon.ico feed followers help home login logout
    media messages new notifications orders organizations private privacy products robots.txt
    reviews search settings shomp signup static store stores support terms themes users wishlists ws
    """.split()
)
