"""One way to write dates on every page: "1 December 2026" and "1 December 2026, 21:46".

The public pages already write them so.
Django's English formats otherwise mix "12/01/2026 9:46 p.m." (short) and "Dec. 1, 2026"; what
people type into the admin's date fields is read as before.
"""

from django.conf.locale.en.formats import (  # noqa: F401 (re-exported as this locale's formats)
    DATE_INPUT_FORMATS,
    DATETIME_INPUT_FORMATS,
    DECIMAL_SEPARATOR,
    FIRST_DAY_OF_WEEK,
    NUMBER_GROUPING,
    THOUSAND_SEPARATOR,
    TIME_INPUT_FORMATS,
)

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATETIME_FORMAT = "j F Y, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
