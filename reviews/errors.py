"""Say why the desk refused an action, in words the person who tried it can act on."""


class ReviewError(Exception):
    """An action the desk refused; `str(error)` tells the person what to do instead."""

    # The status the API and the admin answer with; subclasses narrow it.
    http_status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotAllowed(ReviewError):
    """The person may not take this action on this ticket (role, authorship or assignment)."""

    http_status = 403


class InvalidTransition(ReviewError):
    """The ticket's stage (or its verdict) does not allow this action now."""

    http_status = 409


class StaleTicket(ReviewError):
    """Someone else changed the ticket since the form was opened; nothing was saved."""

    http_status = 409
