"""月报: a place's monthly report — indicators vs targets, the month's cases, accountability."""
