"""Training's domain errors as HTTP answers: 422 naming the field, with the rule's stable code."""

from shared.http_errors import ApiError


def invalid(field: str, code: str, message: str) -> ApiError:
    return ApiError(422, code, message, [{"field": field, "code": code, "message": message}])
