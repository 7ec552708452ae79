"""What the demo marketplace holds: its people, six creators' stores, their products, and a few orders.

Plain data, read by `seed_demo`. Products are found again by their store and slug (derived from the
title), and checkouts by a token derived from their key, so a second run makes nothing twice.
Products that orders and the cart use come first in each store's list, so a small run
(`--products-per-store 2`) still has something to buy.
"""

import uuid
from dataclasses import dataclass, field

from django.utils.text import slugify

DEMO_PASSWORD = "shomp-demo"  # noqa: S105  a published demo password, never used outside DEBUG


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str  # shown next to the login when the command finishes
    staff: bool = False

    @property
    def email(self) -> str:
        return f"{self.username}@example.com"


USERS = [
    DemoUser("demo-seller", "owner of Studio North: Inkwell & Ash Prints, Fern & Kiln Ceramics, Purl Theory Knits"),
    DemoUser(
        "demo-seller2",
        "seller: Marginalia Press, Low Tide Audio, Silver Thread Jewellery; manager at Fern & Kiln (Studio North)",
    ),
    DemoUser("demo-support", "support member of Studio North (messages, reviews, orders read only)"),
    DemoUser("demo-buyer", "buyer with orders and a full cart"),
    DemoUser("demo-admin", "staff and superuser: /admin/", staff=True),
]


@dataclass(frozen=True)
class DemoProduct:
    title: str
    price: str  # a Decimal string
    description: str
    stock: int | None = None  # physical products have stock; digital ones have a file instead
    file: str = ""  # digital only: "pdf", "zip", "epub", "wav" or "album" (a ZIP of WAV tracks)
    images: int = 1
    draft: bool = False

    @property
    def slug(self) -> str:
        return slugify(self.title)

    @property
    def is_digital(self) -> bool:
        return bool(self.file)


@dataclass(frozen=True)
class DemoStore:
    owner: str
    name: str
    slug: str
    description: str
    products: list[DemoProduct] = field(default_factory=list)


STORES = [
    DemoStore(
        owner="demo-seller",
        name="Inkwell & Ash Prints",
        slug="inkwell-and-ash",
        description=(
            "Risograph and screen prints of harbour towns, botanical studies and night skies, printed by hand "
            "in a small studio in Bristol. Every print is signed and numbered; the digital editions are ready "
            "to print at home."
        ),
        products=[
            DemoProduct(
                "Harbour at Dusk, A3 Risograph Print",
                "28.00",
                "Three-colour risograph in fluorescent pink, teal and navy on 170 gsm Munken paper. "
                "Each pass lines up a little differently, so every print is slightly unique.",
                stock=14,
                images=2,
            ),
            DemoProduct(
                "Botanical Study No. 4 (Ferns)",
                "22.00",
                "A4 screen print of hart's-tongue and maidenhair ferns, drawn from life in the Avon Gorge.",
                stock=9,
            ),
            DemoProduct(
                "Night Swimmers Screen Print",
                "45.00",
                "A2 five-colour screen print with a metallic silver layer. Edition of 40, signed and numbered.",
                stock=2,
            ),
            DemoProduct(
                "Lighthouse Trio, Set of 3 A5 Prints",
                "36.00",
                "Godrevy, Start Point and Portland Bill in matching risograph blues. Frames not included.",
                stock=11,
            ),
            DemoProduct(
                "Printable Wildflower Alphabet",
                "8.00",
                "26 hand-drawn wildflower letters as a print-ready PDF (A4 and US Letter). Personal use.",
                file="pdf",
            ),
            DemoProduct(
                "Coastal Towns Colouring Book",
                "12.00",
                "Twenty line drawings of harbours, piers and fishing villages to print and colour. PDF, 24 pages.",
                file="pdf",
                images=2,
            ),
            DemoProduct(
                "Moth Garden Giclée, Limited Edition of 50",
                "65.00",
                "Archival pigment print on Hahnemühle cotton rag, 40 × 50 cm. This edition has sold out.",
                stock=0,
            ),
            DemoProduct(
                "Tide Tables 2026 Wall Calendar",
                "24.00",
                "Twelve risograph illustrations with the year's tides for Bristol Channel ports. A3, wire bound.",
                stock=30,
            ),
            DemoProduct(
                "Risograph Greeting Cards, Pack of 6",
                "15.00",
                "Six blank cards in two designs with kraft envelopes. Printed on recycled card.",
                stock=25,
            ),
            DemoProduct(
                "Winter Orchard Print",
                "30.00",
                "A new two-colour print for the winter collection, still being proofed.",
                stock=5,
                draft=True,
            ),
        ],
    ),
    DemoStore(
        owner="demo-seller",
        name="Fern & Kiln Ceramics",
        slug="fern-and-kiln",
        description=(
            "Wheel-thrown stoneware from a one-woman pottery in the Peak District. Glazes are mixed in the "
            "studio from wood ash and iron-rich local clay, so no two pieces match exactly. Dishwasher safe "
            "and made to be used every day."
        ),
        products=[
            DemoProduct(
                "Speckled Stoneware Mug, 350 ml",
                "32.00",
                "A generous everyday mug in oatmeal speckle glaze with a thumb rest on the handle.",
                stock=18,
                images=2,
            ),
            DemoProduct(
                "Ash-Glaze Breakfast Bowl",
                "38.00",
                "Wide and shallow, 16 cm across, with a runny green ash glaze pooling in the well.",
                stock=7,
            ),
            DemoProduct(
                "Moss Green Bud Vase",
                "26.00",
                "A small bottle-neck vase, 12 cm tall, for a single stem or a few dried grasses.",
                stock=3,
            ),
            DemoProduct(
                "Tenmoku Pour-Over Coffee Dripper",
                "48.00",
                "Fits size 2 paper filters and most mugs. Glossy tenmoku outside, raw clay ribs inside.",
                stock=4,
            ),
            DemoProduct(
                "Nesting Serving Bowls, Set of 3",
                "95.00",
                "Three bowls of 14, 18 and 22 cm in graduated celadon, nested for easy storage.",
                stock=1,
                images=3,
            ),
            DemoProduct(
                "Glaze Recipe Notebook: 24 Cone 6 Glazes",
                "14.00",
                "My tested mid-fire recipes with test-tile photos, firing schedules and troubleshooting notes.",
                file="pdf",
            ),
            DemoProduct(
                "Seconds Box: Three Imperfect Mugs",
                "45.00",
                "Mugs with small glaze flaws, perfectly usable. Restocked after each kiln firing.",
                stock=0,
            ),
            DemoProduct(
                "Hand-Carved Olive Oil Cruet",
                "42.00",
                "A pouring bottle with a carved leaf pattern and a cork stopper. Holds 250 ml.",
                stock=6,
            ),
            DemoProduct(
                "Trimming & Throwing: A Beginner's Workbook",
                "11.00",
                "Step-by-step notes from my beginner wheel classes, with diagrams for centring and trimming.",
                file="pdf",
            ),
            DemoProduct(
                "Large Celadon Fruit Bowl",
                "120.00",
                "A statement bowl, 32 cm across, thrown in one piece and glazed in pale celadon.",
                stock=2,
                images=2,
            ),
        ],
    ),
    DemoStore(
        owner="demo-seller",
        name="Purl Theory Knits",
        slug="purl-theory",
        description=(
            "Modern knitting patterns with clear charts and tech-edited instructions, from first-sweater "
            "basics to colourwork yokes. Yarn kits are dyed in small batches and ship with a printed copy "
            "of the pattern."
        ),
        products=[
            DemoProduct(
                "Saltmarsh Colourwork Yoke Sweater Pattern",
                "9.00",
                "A top-down raglan with a stranded yoke, in 10 sizes from 81 to 152 cm chest. DK weight.",
                file="pdf",
                images=2,
            ),
            DemoProduct(
                "Everyday Ribbed Beanie Pattern",
                "5.00",
                "A quick weekend hat in worsted yarn, written for circular and double-pointed needles.",
                file="pdf",
            ),
            DemoProduct(
                "Harbour Cabled Socks Pattern",
                "7.50",
                "Toe-up socks with a rope cable down the leg and a heel flap. Charted and written.",
                file="pdf",
            ),
            DemoProduct(
                "Saltmarsh Sweater Yarn Kit (Merino, Size M)",
                "118.00",
                "Seven skeins of hand-dyed DK merino in the sample colours, plus the printed pattern.",
                stock=5,
                images=2,
            ),
            DemoProduct(
                "Heather Mohair Mini Skeins, Set of 5",
                "34.00",
                "Five 25 g skeins of kid mohair and silk in heathered purples, for holding double.",
                stock=12,
            ),
            DemoProduct(
                "Lace Shawl Pattern Collection",
                "22.00",
                "Four crescent and triangle shawl patterns in one download, from beginner to lace-confident.",
                file="zip",
            ),
            DemoProduct(
                "Hand-Dyed Sock Yarn, Tidepool",
                "26.00",
                "100 g of superwash merino and nylon in speckled sea greens. Enough for one pair of socks.",
                stock=2,
            ),
            DemoProduct(
                "Waxed Canvas Needle Roll",
                "39.00",
                "Holds 12 pairs of straight needles and a zipped pocket for notions. Made in Yorkshire.",
                stock=8,
            ),
            DemoProduct(
                "First Sweater Workshop Workbook",
                "12.00",
                "Everything from swatching to seaming, with a simple drop-shoulder sweater to practise on.",
                file="pdf",
            ),
            DemoProduct(
                "Brioche Cowl Pattern",
                "6.50",
                "Two-colour brioche in the round. Test knitting is still under way.",
                file="pdf",
                draft=True,
            ),
        ],
    ),
    DemoStore(
        owner="demo-seller2",
        name="Marginalia Press",
        slug="marginalia-press",
        description=(
            "An independent micro-press for short fiction, essays and zines. E-books are DRM-free EPUBs that "
            "open on any reader; print editions are risograph-printed and staple-bound by hand."
        ),
        products=[
            DemoProduct(
                "The Cartographer's Daughter",
                "6.99",
                "A novella about a girl who inherits a map of a city that does not exist yet. DRM-free EPUB.",
                file="epub",
                images=2,
            ),
            DemoProduct(
                "Small Hours: Twelve Stories",
                "8.99",
                "Twelve short stories set between midnight and dawn, from night shifts to insomnia. EPUB.",
                file="epub",
            ),
            DemoProduct(
                "Notes from a Night Bus",
                "5.99",
                "Essays written on the N29 over one winter, about cities, strangers and staying awake. EPUB.",
                file="epub",
            ),
            DemoProduct(
                "Small Hours, Print Edition",
                "16.00",
                "The paperback, 148 pages with a two-colour risograph cover. Signed on request.",
                stock=20,
            ),
            DemoProduct(
                "Kitchen Table Zine, Issue 7",
                "6.00",
                "Recipes, comics and letters from readers. 28 pages, A5, staple-bound.",
                stock=40,
            ),
            DemoProduct(
                "Zine Making for Beginners",
                "4.00",
                "A printable guide to folding, imposing and binding your first zine. PDF.",
                file="pdf",
            ),
            DemoProduct(
                "Field Guide to Imaginary Birds",
                "24.00",
                "An illustrated hardback of 40 birds that never were, with their songs and habits.",
                stock=3,
                images=2,
            ),
            DemoProduct(
                "Letterpress Bookmark Set",
                "9.00",
                "Four bookmarks printed on a 1960s Adana press. Out of stock until the next print run.",
                stock=0,
            ),
            DemoProduct(
                "Writing Prompts Deck, 52 Cards",
                "18.00",
                "A card a week: prompts for fiction, memoir and poetry in a tuck box.",
                stock=15,
            ),
            DemoProduct(
                "The Lighthouse Keeper's Almanac",
                "7.99",
                "Forthcoming: a year of short pieces from a lighthouse on the edge of the map. Pre-release EPUB.",
                file="epub",
                draft=True,
            ),
        ],
    ),
    DemoStore(
        owner="demo-seller2",
        name="Low Tide Audio",
        slug="low-tide-audio",
        description=(
            "Ambient and lo-fi instrumental music recorded to tape in a converted boathouse. Downloads are "
            "lossless WAV; records and cassettes ship in recycled sleeves."
        ),
        products=[
            DemoProduct(
                "Driftwood, Full Album (Lossless)",
                "10.00",
                "Eight tracks of slow piano, tape hiss and harbour sounds. Lossless WAV with the artwork.",
                file="album",
                images=2,
            ),
            DemoProduct(
                "Sea Glass (Single)",
                "1.50",
                "A single from the Driftwood sessions. Lossless WAV.",
                file="wav",
            ),
            DemoProduct(
                "Fog Signals EP",
                "5.00",
                "Four tracks built from foghorn recordings and a detuned organ. Lossless WAV.",
                file="album",
            ),
            DemoProduct(
                "Driftwood on 12-inch Vinyl",
                "28.00",
                "180 g black vinyl in a recycled board sleeve, with a download code inside.",
                stock=6,
                images=2,
            ),
            DemoProduct(
                "Fog Signals Cassette",
                "9.00",
                "Chrome tape in a clear shell with a riso-printed J-card. The last copy of the run.",
                stock=1,
            ),
            DemoProduct(
                "Shoreline Field Recordings Sample Pack",
                "15.00",
                "Waves, gulls, rigging and shingle, recorded in stereo and trimmed into loops. Royalty free.",
                file="album",
            ),
            DemoProduct(
                "Tape Loop Textures Sample Pack",
                "12.00",
                "Warbly pads and hiss beds from a cassette four-track. Royalty free for your own music.",
                file="album",
            ),
            DemoProduct(
                "Low Tide Tote Bag",
                "18.00",
                "Heavy organic cotton tote with the wave logo screen-printed in navy.",
                stock=22,
            ),
            DemoProduct(
                "Sleep Cycle, an Ambient Mix",
                "4.00",
                "One continuous hour of the quietest tracks, mixed for falling asleep. Lossless WAV.",
                file="wav",
            ),
            DemoProduct(
                "Signed Album Poster, A2",
                "20.00",
                "The Driftwood cover art as a poster, signed by the band. Sold out.",
                stock=0,
            ),
        ],
    ),
    DemoStore(
        owner="demo-seller2",
        name="Silver Thread Jewellery",
        slug="silver-thread",
        description=(
            "Recycled sterling silver and brass jewellery, hand-forged and finished in a tiny workshop in "
            "Lisbon. Every piece comes in a cotton pouch, ready to give."
        ),
        products=[
            DemoProduct(
                "Hammered Silver Stacking Ring",
                "38.00",
                "A 2 mm band of recycled sterling silver with a hammered finish. Sizes J to S.",
                stock=16,
                images=2,
            ),
            DemoProduct(
                "Brass Crescent Moon Earrings",
                "29.00",
                "Hand-cut brass crescents on sterling silver hooks. Light enough to wear all day.",
                stock=9,
            ),
            DemoProduct(
                "Sea Pebble Pendant Necklace",
                "54.00",
                "A smooth silver pebble on a 45 cm trace chain, oxidised and polished by hand.",
                stock=4,
            ),
            DemoProduct(
                "Twisted Wire Cuff Bracelet",
                "62.00",
                "Three twisted strands of silver wire forged into an adjustable cuff.",
                stock=2,
            ),
            DemoProduct(
                "Tiny Star Stud Earrings",
                "24.00",
                "Five-point stars, 6 mm across, on sterling silver posts with butterfly backs.",
                stock=25,
            ),
            DemoProduct(
                "Engravable Signet Ring",
                "85.00",
                "A chunky oval signet with room for two initials. Made to order once back in stock.",
                stock=0,
                images=2,
            ),
            DemoProduct(
                "Ring Sizing Guide and Printable Sizer",
                "0.00",
                "Find your ring size at home: a printable paper sizer and a chart of UK, US and EU sizes. Free.",
                file="pdf",
            ),
            DemoProduct(
                "Beaded Anklet, Sea Green",
                "19.00",
                "Glass seed beads in sea greens on a silver chain with an extender.",
                stock=11,
            ),
            DemoProduct(
                "Jewellery Making Starter Notes",
                "8.00",
                "Tools, sawing, soldering and finishing explained for your first silver ring. PDF.",
                file="pdf",
            ),
            DemoProduct(
                "Constellation Charm Bracelet",
                "72.00",
                "Seven tiny star charms on a fine silver chain, arranged as the Plough.",
                stock=3,
            ),
        ],
    ),
]
PRODUCTS_PER_STORE = min(len(store.products) for store in STORES)


@dataclass(frozen=True)
class DemoShipping:
    """A store's shipping settings (orders.services.update_shipping_settings); amounts as text."""

    ships_from: str
    domestic_rate: str
    domestic_extra_item_rate: str
    international_rate: str | None
    international_extra_item_rate: str
    free_over: str | None
    processing_days: int


# Each store charges differently: a UK studio that ships abroad, a potter who doesn't.
SHIPPING = {
    "inkwell-and-ash": DemoShipping("GB", "3.50", "1.00", "9.00", "2.00", "60.00", 2),
    "fern-and-kiln": DemoShipping("US", "6.00", "2.50", None, "0.00", "100.00", 5),
    "purl-theory": DemoShipping("US", "4.00", "1.00", "12.00", "3.00", None, 3),
    "marginalia-press": DemoShipping("US", "3.00", "0.50", "8.00", "1.50", "40.00", 2),
    "low-tide-audio": DemoShipping("US", "5.00", "1.00", "15.00", "4.00", "75.00", 4),
    "silver-thread": DemoShipping("US", "2.50", "0.50", "7.00", "1.00", "50.00", 1),
}


@dataclass(frozen=True)
class DemoAddress:
    name: str
    line1: str
    line2: str
    city: str
    postal_code: str
    country: str


ADDRESSES = {
    "demo-buyer": DemoAddress("Sam Rivera", "418 Alder Street", "Apt 2B", "Portland", "97205", "US"),
    "demo-seller": DemoAddress("Maya Lindqvist", "9 Quarry Road", "", "Burlington", "05401", "US"),
    "demo-seller2": DemoAddress("Jo Tanaka", "77 Orchard Lane", "", "Asheville", "28801", "US"),
}


@dataclass(frozen=True)
class DemoCheckout:
    """One checkout (one payment); `progress` moves a store's resulting order on after payment."""

    key: str
    buyer: str
    lines: list[tuple[str, int, int]]  # (store slug, index in its product list, quantity)
    progress: dict[str, str] = field(default_factory=dict)  # store slug -> "shipped" or "fulfilled"

    @property
    def token(self) -> uuid.UUID:
        return uuid.uuid5(_TOKEN_NAMESPACE, self.key)


_TOKEN_NAMESPACE = uuid.UUID("5d1f3c2e-8a4b-4f61-9a0e-2b7c64d0e9a1")  # fixed: tokens are stable across runs

CHECKOUTS = [
    DemoCheckout(
        "buyer-prints-and-mugs",
        "demo-buyer",
        [("inkwell-and-ash", 0, 1), ("inkwell-and-ash", 1, 1), ("fern-and-kiln", 0, 2)],
        {"inkwell-and-ash": "shipped", "fern-and-kiln": "fulfilled"},
    ),
    DemoCheckout("buyer-sweater-pattern", "demo-buyer", [("purl-theory", 0, 1)], {"purl-theory": "fulfilled"}),
    DemoCheckout(
        "buyer-books-music-earrings",
        "demo-buyer",
        [("marginalia-press", 0, 1), ("low-tide-audio", 0, 1), ("silver-thread", 1, 1)],
        {"marginalia-press": "fulfilled", "low-tide-audio": "fulfilled", "silver-thread": "shipped"},
    ),
    DemoCheckout("buyer-ring-and-yarn", "demo-buyer", [("silver-thread", 0, 1), ("purl-theory", 3, 1)]),
    DemoCheckout("buyer-vinyl", "demo-buyer", [("low-tide-audio", 3, 1)]),
    # Not from Fern & Kiln: demo-seller2 manages it, and a store's team doesn't buy from it.
    DemoCheckout("seller2-print", "demo-seller2", [("inkwell-and-ash", 2, 1)]),
    DemoCheckout(
        "seller-short-stories", "demo-seller", [("marginalia-press", 1, 1)], {"marginalia-press": "fulfilled"}
    ),
]

# What demo-buyer has in the cart, ready to check out: (store slug, index, quantity).
CART = [("fern-and-kiln", 1, 1), ("low-tide-audio", 1, 1), ("marginalia-press", 3, 2)]
