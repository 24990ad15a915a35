"""The core questions every release must accept: ids, types and values (the answers contract)."""

from __future__ import annotations

# id -> (type, values, min, max)
CORE_FACTS: dict[str, tuple[str, tuple[str, ...], float | None, float | None]] = {
    "organisation_type": ("choice", ("nhs_trust", "foundation_trust"), None, None),
    "services": (
        "multi",
        ("acute", "community", "mental_health", "ambulance", "specialist", "primary_care"),
        None,
        None,
    ),
    "perspective": ("choice", ("seeking_support", "offering_support", "exploring_partnership"), None, None),
    "annual_income_gbp_m": ("number", (), 0, None),
    "financial_margin_pct": ("number", (), -100, 100),
    "financial_trend": ("choice", ("improving", "stable", "deteriorating"), None, None),
    "regulatory_intervention": ("choice", ("none", "enhanced_oversight", "special_measures"), None, None),
    "cqc_rating": ("choice", ("outstanding", "good", "requires_improvement", "inadequate", "not_rated"), None, None),
    "fragile_services": (
        "multi",
        ("emergency", "maternity", "paediatrics", "stroke", "cancer", "critical_care", "elective_surgery"),
        None,
        None,
    ),
    "workforce_gaps": ("choice", ("none", "some", "severe"), None, None),
    "leadership_capacity": ("choice", ("strong", "adequate", "weak"), None, None),
    "setting": ("choice", ("urban", "suburban", "rural", "remote"), None, None),
    "partner": (
        "choice",
        (
            "none_identified",
            "nearby_high_performer",
            "distant_high_performer",
            "peer_of_similar_standing",
            "independent_sector",
        ),
        None,
        None,
    ),
    "partner_distance_miles": ("number", (), 0, None),
    "commissioner_count": ("integer", (), 1, None),
    "commissioner_stance": ("choice", ("supportive", "neutral", "opposed"), None, None),
    "integration_priority": ("choice", ("high", "medium", "low"), None, None),
    "change_scope": ("choice", ("whole_organisation", "selected_services", "back_office"), None, None),
    "independent_sector_acceptable": ("boolean", (), None, None),
    "timescale": ("choice", ("urgent", "within_2_years", "longer_term"), None, None),
    "public_sensitivity": ("choice", ("high", "medium", "low"), None, None),
}

# Added in rule set 2: id -> (type, values, min, max, the day from which it is a core question)
DATED_CORE_FACTS: dict[str, tuple[str, tuple[str, ...], float | None, float | None, str]] = {
    "change_driver": (
        "multi",
        (
            "quality_failure",
            "financial_sustainability",
            "service_sustainability",
            "back_office_efficiency",
            "population_integration",
            "extend_reach",
            "regulatory_direction",
            "none",
        ),
        None,
        None,
        "2003-01-01",
    ),
    "oversight_segment": ("integer", (), 1, 5, "2025-04-01"),
    "aft_status": ("choice", ("none", "applying", "advanced_foundation_trust"), None, None, "2025-07-03"),
    "existing_collaboration": (
        "multi",
        (
            "provider_collaborative",
            "shared_chair",
            "shared_chief_executive",
            "group_board",
            "joint_committee",
            "committees_in_common",
            "lead_provider",
            "joint_venture",
            "none",
        ),
        None,
        None,
        "2003-01-01",
    ),
    "partner_position": ("choice", ("struggling", "stable", "strong"), None, None, "2003-01-01"),
}

CORE_FORMS = (
    "standalone",
    "buddying",
    "federation",
    "joint_venture",
    "service_level_chain",
    "management_contract",
    "integrated_care_organisation",
    "multiservice_chain",
    "hospital_group",
    "merger_acquisition",
)
