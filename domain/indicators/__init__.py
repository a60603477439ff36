"""Indicators (考核指标, 三升三降): what a case contributes, definitions as data, figures."""
