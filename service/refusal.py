"""A refusal as a value: why the question is not answered, and the values its wording names.

Assessment and decision produce a Refusal; only answer_writing.py turns it into words (with the
templates of wording.py), so the reasons can be tested and counted without matching text.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class RefusalKind(Enum):
    NOT_FOUND = "not_found"  # no passage answers the question
    UNKNOWN_DOCNUM = "unknown_docnum"  # a 文号 the corpus neither holds nor cites (values: docnum)
    OTHER_PLACE = "other_place"  # a place outside what the corpus covers (values: place)
    OTHER_YEAR = "other_year"  # a year the corpus never mentions (values: year)
    NO_FIGURE = "no_figure"  # the topic is there, the figure asked for is not
    NO_DATE = "no_date"  # the topic is there, the date asked for is not
    NO_PHONE = "no_phone"  # the topic is there, a telephone number is not
    NO_ADDRESS = "no_address"  # the topic is there, a street address is not
    NO_POST = "no_post"  # the person is named, the post asked for (new or former) is not (values: name, which: new or former)


@dataclass(frozen=True)
class Refusal:
    kind: RefusalKind
    values: dict[str, str] = field(default_factory=dict)
