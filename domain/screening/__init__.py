"""Screening duties (排查): cadences as data, periods, the units in scope, reports and 零报告."""
