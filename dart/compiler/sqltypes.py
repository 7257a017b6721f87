"""The SQL types the compiler writes, as shared instances.

Why instances: passing a type CLASS (``sa.literal(d, sa.Date)``) makes SQLAlchemy build a new
type object each time, and each one works out its cache key afresh (``get_cls_kwargs`` over
the class hierarchy): measured, ~170 times per criteria file, the largest single cost of
building a statement's cache key.
"""

import sqlalchemy as sa

DATE = sa.Date()
INTEGER = sa.Integer()
BIGINT = sa.BigInteger()
TEXT = sa.String()
