"""Industry taxonomy, with the groups of Study A (8 industries) and Study B (11 industries).

Companies are registered under a fine-grained industry; the ranking can then be computed
per industry or per study group, so a cohort can be set beside either study.

Study A's eight industries and its engagement order are from the study.  Study B's eleven
are reconstructed: published summaries of "Mastering Digital Feedback" (TCS, 2013) name
banking/financial services, insurance, retail, high tech, media & entertainment,
telecommunications, travel, utilities, consumer packaged goods; healthcare/pharma and
automotive complete the eleven as the study's other consumer industries.  A cohort can be
re-grouped by editing the registry, not this code.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Industry:
    id: str
    label: str
    study_a: str | None
    study_b: str | None


#: Study A's industries in its published engagement order (1 = most engaged).
STUDY_A_ORDER = (
    "retail",
    "telecom",
    "consumer products",
    "travel & hospitality",
    "financial services",
    "media",
    "technology",
    "pharma",
)

STUDY_B_GROUPS = (
    "banking & financial services",
    "insurance",
    "retail",
    "consumer packaged goods",
    "high tech",
    "media & entertainment",
    "telecommunications",
    "travel, transportation & hospitality",
    "utilities",
    "healthcare & pharma",
    "automotive",
)

INDUSTRIES: dict[str, Industry] = {
    i.id: i
    for i in (
        Industry("retail", "Retail and e-commerce", "retail", "retail"),
        Industry("restaurants", "Restaurants and food service", "retail", "retail"),
        Industry("telecom", "Telecommunications and cable", "telecom", "telecommunications"),
        Industry("consumer_products", "Consumer products", "consumer products", "consumer packaged goods"),
        Industry("food_beverage", "Food and beverage brands", "consumer products", "consumer packaged goods"),
        Industry("travel_hospitality", "Airlines, hotels and travel", "travel & hospitality",
                 "travel, transportation & hospitality"),
        Industry("transportation", "Rail, transit, ride-hailing, delivery and logistics", "travel & hospitality",
                 "travel, transportation & hospitality"),
        Industry("financial_services", "Banking, payments and financial services", "financial services",
                 "banking & financial services"),
        Industry("insurance", "Insurance", "financial services", "insurance"),
        Industry("media_entertainment", "Media, streaming, games and entertainment", "media",
                 "media & entertainment"),
        Industry("technology", "Technology, software and consumer electronics", "technology", "high tech"),
        Industry("pharma_healthcare", "Pharma and healthcare", "pharma", "healthcare & pharma"),
        Industry("utilities_energy", "Utilities and energy", None, "utilities"),
        Industry("automotive", "Automotive", "consumer products", "automotive"),
    )
}


def study_group(industry_id: str | None, study: str) -> str | None:
    """The Study A (``"a"``) or Study B (``"b"``) group of an industry id."""
    if industry_id is None or industry_id not in INDUSTRIES:
        return None
    industry = INDUSTRIES[industry_id]
    return industry.study_a if study == "a" else industry.study_b
