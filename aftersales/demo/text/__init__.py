"""The demo's own generator of realistic Chinese complaints: pure Python, seeded.

`DemoTextGenerator(seed)` composes each complaint from fragments — a product line and
item, when it was bought or received, the problem in the category's typical words
(taxonomy.md), evidence, the customer's feelings, their expectation (an Expectation
code), sometimes a threat to escalate — and wraps it the way its intake channel writes
(a call note, a letter, a platform dispute, a social-media post …). A severity is made
true by the text: `major` carries a health or safety harm, a group complaint, a repeated
failure after repair or a threat to go to 12315/消协/a lawyer/the media; `complex` names
a second problem or disputed facts. A small share comes in Traditional Chinese.

Also names (surname + given name), valid mobile numbers, order numbers in each
platform's style, stores (live-stream rooms on 抖音/快手 sell with sale_channel
live_stream) and plausible prices per product line. No database, no global randomness:
the same seed gives the same texts.
"""

from .common import ProductLine, to_traditional
from .generator import Complaint, DemoTextGenerator, categories_of_line
from .people import Person
from .stores import LINES_BY_CODE, PRODUCT_LINES, STORES, StoreInfo

__all__ = [
    "LINES_BY_CODE",
    "PRODUCT_LINES",
    "STORES",
    "Complaint",
    "DemoTextGenerator",
    "Person",
    "ProductLine",
    "StoreInfo",
    "categories_of_line",
    "to_traditional",
]
