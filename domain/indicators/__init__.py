"""Indicators (考核指标, 三升三降): the facts a case contributes, the definitions as data, the figures."""
