"""The demo's reviews: verified ones from demo-buyer's orders, a few from reviewers without orders
(their stores take reviews from anyone logged in; the others keep the default, buyers only),
customer photos, the sellers' responses (one answered review updated afterwards), helpful votes
and an open flag, so every part of the reviews pages and the seller's Reviews page has something.

Called by `seed_demo` inside its transaction, after the orders exist. Everything goes through the
reviews services and `core.uploads`; only the reviewers (users without a password) are created
directly. Idempotent: reviews are found by (author, product) or (author, store), responses by
review, votes and flags by (review, user), so a second run makes nothing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model

from shomp.catalog.models import Product
from shomp.core import uploads
from shomp.demo import samples
from shomp.reviews import services
from shomp.reviews.models import HelpfulVote, Review, ReviewFlag, ReviewResponse
from shomp.reviews.selectors import has_paid_for
from shomp.stores import services as store_services
from shomp.stores.models import Store

User = get_user_model()

#: People who write reviews without having bought through the demo (no badge on their reviews).
REVIEWERS = ["maple_reader", "tidepool_tom", "knit_wit", "harbour_hal", "juniper_j"]


@dataclass(frozen=True)
class DemoReview:
    author: str
    store: str
    product: int | None  # index in the store's catalogue list; None reviews the store itself
    rating: int
    title: str
    content: str
    photos: int = 0
    response: str = ""  # the store's reply
    updated: tuple[int, str] | None = None  # after the reply: (new rating, new text)
    helpful: list[str] = field(default_factory=list)  # who found it helpful


REVIEWS = [
    DemoReview(
        "demo-buyer",
        "fern-and-kiln",
        0,
        3,
        "Lovely glaze, one arrived chipped",
        "The speckled glaze is gorgeous and the mug holds heat well, but one of the two had a chip on the rim.",
        photos=1,
        response="We're so sorry! A replacement mug is on its way, no need to send the chipped one back.",
        updated=(5, "The speckled glaze is gorgeous and the replacement arrived in two days, perfectly packed."),
        helpful=["maple_reader", "knit_wit", "harbour_hal"],
    ),
    DemoReview(
        "demo-buyer",
        "inkwell-and-ash",
        0,
        5,
        "Even better in person",
        "The fluorescent pink really glows. Signed, numbered and packed flat between two boards.",
        photos=2,
        response="Thank you! Harbour at Dusk is one of our favourites to print.",
        helpful=["tidepool_tom", "juniper_j"],
    ),
    DemoReview(
        "demo-buyer",
        "purl-theory",
        0,
        4,
        "Clear charts, tricky yoke",
        "The colourwork charts are beautifully laid out. The yoke decreases took me two tries, "
        "but the video link in the pattern helped.",
    ),
    DemoReview(
        "demo-buyer",
        "low-tide-audio",
        0,
        5,
        "Headphones on, world off",
        "Field recordings and harmonium: perfect for writing. The lossless files are tagged properly.",
        helpful=["harbour_hal"],
    ),
    DemoReview(
        "demo-buyer",
        "silver-thread",
        None,
        5,
        "Thoughtful packaging and quick shipping",
        "Both orders came wrapped in recycled paper with a handwritten note. I'll be back.",
        response="Notes like this make our week. Thank you for shopping with us!",
    ),
    DemoReview(
        "juniper_j",
        "fern-and-kiln",
        2,
        4,
        "A small, perfect vase",
        "Holds three stems of sweet peas exactly. A little smaller than I pictured.",
        photos=1,
    ),
    DemoReview(
        "maple_reader",
        "fern-and-kiln",
        0,
        5,
        "My daily coffee mug",
        "Bought one at the market stall and had to review it here. The handle fits two fingers comfortably.",
    ),
    DemoReview(
        "tidepool_tom",
        "inkwell-and-ash",
        0,
        4,
        "Great print, slow post",
        "Took twelve days to arrive, but worth the wait.",
        response="Sorry for the wait: the post was slow over the holidays. Glad you like it!",
    ),
    DemoReview(
        "knit_wit",
        "purl-theory",
        0,
        2,
        "Sizing runs small",
        "I knit a size M and it fits like an S. Check your gauge twice.",
        response="Thanks for the note! We've added a gauge reminder and finished measurements to page 2.",
        helpful=["juniper_j", "demo-buyer"],
    ),
    DemoReview(
        "juniper_j",
        "low-tide-audio",
        None,
        1,
        "CHEAP ALBUMS AT MY SITE",
        "Why pay here? Find all of it cheaper on my own site, link in my profile.",
    ),
]

#: (flagger, author, store slug): an open flag, so the seller's "Flagged" filter has a review.
FLAGS = [("maple_reader", "juniper_j", "low-tide-audio")]


def seed(*, users: dict, stores: dict[str, Store], products: dict[tuple[str, int], Product], created: Counter) -> None:
    people = dict(users) | _reviewers(created)
    for seed_number, spec in enumerate(REVIEWS):
        store = stores.get(spec.store)
        product = products.get((spec.store, spec.product)) if spec.product is not None else None
        if store is None or (spec.product is not None and (product is None or not product.is_published)):
            continue  # a small run (--products-per-store) lacks it
        review = _existing(people[spec.author], store, product)
        if review is None:
            # The product's own store object: create_review reads the setting from it.
            _open_to_anyone_unless_bought(people[spec.author], product.store if product else store, product)
            review = _write(spec, people[spec.author], store, product, seed=seed_number, created=created)
        for voter in spec.helpful:
            if not HelpfulVote.objects.filter(review=review, user=people[voter]).exists():
                services.vote_helpful(review=review, user=people[voter])
                created["helpful votes"] += 1
    for flagger, author, slug in FLAGS:
        review = _existing(people[author], stores[slug], None) if slug in stores else None
        if review is not None and not ReviewFlag.objects.filter(review=review, user=people[flagger]).exists():
            services.flag_review(review=review, user=people[flagger], reason="spam", note="Advertising another site.")
            created["review flags"] += 1


def _open_to_anyone_unless_bought(user, store: Store, product: Product | None) -> None:
    """A store gets a review from someone without an order only if it takes reviews from anyone."""
    if store.review_policy != Store.ReviewPolicy.ANYONE and not has_paid_for(user=user, store=store, product=product):
        store_services.update_store(
            store=store,
            name=store.name,
            slug=store.slug,
            description=store.description,
            review_policy=Store.ReviewPolicy.ANYONE,
        )


def _reviewers(created: Counter) -> dict:
    found = {}
    for username in REVIEWERS:
        user = User.objects.filter(username__iexact=username).first()
        if user is None:
            user = User(username=username, email=f"{username}@example.com")
            user.set_unusable_password()  # they never log in
            user.save()
            created["reviewers"] += 1
        found[username] = user
    return found


def _existing(user, store: Store, product: Product | None) -> Review | None:
    if product is not None:
        return Review.objects.filter(user=user, product=product).first()
    return Review.objects.filter(user=user, store=store, product__isnull=True).first()


def _write(spec: DemoReview, user, store: Store, product: Product | None, *, seed: int, created: Counter) -> Review:
    photos = [
        uploads.process_image(samples.product_image(title=spec.title, seed=40 + seed * 3 + n, variant=1 + n % 2))
        for n in range(spec.photos)
    ]
    review = services.create_review(
        user=user,
        product=product,
        store=store,
        rating=spec.rating,
        title=spec.title,
        content=spec.content,
        photos=photos,
    )
    created["reviews"] += 1
    created["review photos"] += len(photos)
    if spec.response and not ReviewResponse.objects.filter(review=review).exists():
        services.respond_to_review(review=review, store=store, user=store.owner, content=spec.response)
        created["review responses"] += 1
        if spec.updated:
            rating, content = spec.updated
            review = services.update_review(review=review, rating=rating, title=spec.title, content=content)
    return review
