"""Store the desk's topics: tags a claim (and so its verdict) carries, for filtering and readers."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Tag(models.Model):
    """One topic of the desk (health, elections, ...), set on claims from their ticket page."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(
        _("slug"),
        max_length=80,
        unique=True,
        help_text=_("Used in addresses and the API's ?tag= filter, such as public-health."),
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("What the desk files under this topic.")
    )
    # Public pages and the API show tags: their fingerprints read this to notice a rename.
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name
