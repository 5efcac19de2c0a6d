"""The shape of every knowledge file: one declarative table the validator, the loader and the staff guide use.

A field spec is a type name:
  str, int, number, bool, date (YYYY-MM-DD), when (a date as a source states it: YYYY-MM-DD, YYYY-MM or YYYY), time (HH:MM, 24-hour, Vietnam time), url (http/https only),
  id (a-z0-9 and '-'), text (a mapping {vi: str, en: str}), textlist (a mapping {vi: [str], en: [str]}),
  strlist (a list of str), ref:<topic> (an id of an entry in that topic), idlist:<topic>, province,
  enum:a|b|c, source (see SOURCE_FIELDS), list:<record> (a list of records named in RECORDS),
  record:<record> (one record named in RECORDS), degrees:<bound> (decimal degrees between -bound and bound;
  unlike a number, 16.375 is never taken for a thousands separator).
A trailing '?' makes a field optional.
"""

from __future__ import annotations

# The frame sentences of answers, in both languages, inside the knowledge folder.
WORDING_FILE = "wording/answers.yml"

# Fields every entry of every topic has.
COMMON_FIELDS: dict[str, str] = {
    "id": "id",
    "name": "text",
    "aliases": "strlist?",
    "province": "province",
    "source": "source",
    # the date the source states, or its publication date; never a guessed day ("tháng 10 năm 2022" is 2022-10)
    "as_of": "when",
    # further sources, each with the fields it supports: an answer names the source behind the field it gives
    "sources": "list:claim_source?",
    # when the entry must be checked again (default for prices, hours, fees and procedure times: a year after as_of)
    "review_by": "date?",
    "note": "text?",
}

# A source is a seed file of ../shared/seeds (by file name) or a public reference with a URL.
SOURCE_FIELDS: dict[str, str] = {
    "title": "str",
    "seed": "str?",
    "url": "url?",
    "published": "date?",
}

PROVINCES = ("thua-thien-hue", "quang-ngai", "quang-nam", "national")

# The front matter of a source document (knowledge/documents/<id>.md; see assistant/kb/documents.py). `date` is
# the date the source states (YYYY-MM-DD, YYYY-MM or YYYY), checked on its own; `provinces` are PROVINCES.
DOCUMENT_FIELDS: dict[str, str] = {
    "title": "str",
    "source": "source",
    "date": "any",
    "provinces": "strlist",
    "language": "enum:vi|en",
    "licence": "str",
}

QUALIFIERS = "enum:exact|more_than|about|less_than|at_least|almost|estimated"

# What a visiting fact of a site says; REVIEWED_VISITING are the kinds that change (prices, hours, free days).
VISITING_KINDS = ("ticket", "combined_ticket", "hours", "free_entry", "reduction", "contact")
REVIEWED_VISITING = frozenset({"ticket", "combined_ticket", "hours", "free_entry", "reduction"})
# Fields of an entry that change with rules and prices: an entry holding one is due a year after its as_of.
REVIEWED_FIELDS = frozenset({"fee", "processing_time"})
# The reporting periods of a figure; every other than `year` is partial and is never shown as a whole year.
PERIODS = ("year", "first_quarter", "first_half", "nine_months", "ten_months", "eleven_months")

RECORDS: dict[str, dict[str, str]] = {
    "recognition": {
        "level": "enum:unesco|special_national|national|provincial",
        "year": "int",
        "title": "text?",
        "decision": "str?",
        "source": "source",
    },
    "coordinates": {"lat": "degrees:90", "lon": "degrees:180", "source": "source"},
    # Visiting information of a site: dated facts, each with the source that states it; several facts of one
    # kind with different dates are kept, and the newest answers.
    "visiting_fact": {
        "kind": "enum:" + "|".join(VISITING_KINDS),
        "text": "text",  # the fact as the source states it
        "adult_vnd": "int?",
        "child_vnd": "int?",
        "source": "source",
        "as_of": "when",
        "review_by": "date?",
    },
    "claim_source": {**SOURCE_FIELDS, "supports": "strlist", "as_of": "when?"},
    "figure": {
        "metric": "id",
        "label": "text",
        "value": "number",
        "unit": "str?",
        "qualifier": QUALIFIERS + "?",
        "derived": "bool?",  # worked out from the source's words (counted from a list...), not stated by it
    },
}

TOPIC_FIELDS: dict[str, dict[str, str]] = {
    # Heritage sites and heritages (tangible, intangible, documentary).
    "heritage_sites": {
        "category": "enum:monument_complex|monument|tomb|citadel|pagoda|temple|intangible_heritage"
        "|documentary_heritage|archaeological_site|historical_site|memorial|ancient_town|island"
        "|landscape|festival|museum",
        "part_of": "ref:heritage_sites?",
        "recognitions": "list:recognition?",
        "location": "text",
        "coordinates": "record:coordinates?",
        "description": "text",
        "visiting": "list:visiting_fact?",
    },
    # One figure for one province, one year, one metric.
    "tourism_statistics": {
        "metric": "enum:visitors|international_visitors|domestic_visitors|overnight_visitors|revenue"
        "|visitors_plan_share|relics_inventoried|special_national_relics|national_relics"
        "|provincial_relics|national_intangible_heritages|national_treasures|unesco_heritages",
        "year": "int",
        "period": "enum:" + "|".join(PERIODS) + "?",  # absent: the whole year
        "territory": "text?",  # after a merger of provinces: the territory the figure covers
        "value": "number",
        "unit": "enum:visits|vnd_billion|count|percent",
        "qualifier": QUALIFIERS + "?",
        "growth_percent": "number?",
        "derived": "bool?",
        "detail": "text?",
    },
    # Procedures residents do online.
    "public_services": {
        "category": "enum:civil_status|residence|identity|business|land|utilities|transport|tax"
        "|social_insurance|health|education|justice|construction|other",
        "portals": "idlist:portals",
        "online_level": "enum:full|partial|information",
        "steps": "textlist",
        "documents": "textlist?",
        "fee": "text?",
        "processing_time": "text?",
        "helpers": "idlist:portals?",
        "description": "text?",
    },
    # Events and reports about digital transformation.
    "events": {
        "kind": "enum:week|workshop|forum|conference|report|national_day|festival",
        "start_date": "date",
        "end_date": "date?",
        "start_time": "time?",  # only when the source gives the hour; without it the event is all-day
        "end_time": "time?",
        "theme": "text?",
        "organisers": "textlist?",
        "patrons": "textlist?",
        "chairs": "textlist?",
        "format": "text?",
        "venue": "text?",
        "figures": "list:figure?",
        "description": "text",
    },
    # DTI rankings, programmes, plans, decisions, targets, community digital-technology teams, projects.
    "digital_transformation": {
        "kind": "enum:dti_ranking|index|team_figure|target|priority_sector|plan|decision|project"
        "|budget|egov_figure|programme",
        "year": "int?",
        "rank": "int?",
        "out_of": "int?",
        "pillar": "enum:overall|digital_government|digital_economy|digital_society|other?",
        "value": "number?",
        "unit": "str?",
        "qualifier": QUALIFIERS + "?",
        "number": "str?",
        "issued": "date?",
        "issuer": "text?",
        "description": "text",
    },
    # Official websites, portals, apps and hotlines.
    "portals": {
        "kind": "enum:portal|website|app|hotline|team|office",
        "url": "url?",
        "phone": "str?",
        "description": "text",
    },
    # The provinces (and the national level) every entry belongs to.
    "provinces": {
        "covered": "bool?",  # false: a place users may name that the knowledge does not cover
        "capital": "text?",
        "description": "text",
    },
    # Changes to administrative units that change how an answer reads.
    "administrative_changes": {
        "effective": "date",
        "affects": "strlist",
        "description": "text",
    },
}

# The file that holds each topic, relative to the knowledge folder.
TOPIC_FILES: dict[str, str] = {topic: f"{topic}.yml" for topic in TOPIC_FIELDS}
