"""The desk's numbers: figures for a period, their charts, and the yearly transparency export."""

from reviews.analytics.figures import Figures, Scope, desk_figures, first_publications, year_scope

__all__ = ["Figures", "Scope", "desk_figures", "first_publications", "year_scope"]
