"""Organisations (单位): the registry, how a case names one, and routing to them."""
