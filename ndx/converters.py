"""URL converters. `<id:pk>` is every id taken from a URL: digits that fit a database id
(a signed 64-bit integer), so an id out of range gives 404 instead of an OverflowError from
SQLite or a DataError from PostgreSQL."""

MAX_ID = 2**63 - 1


class IdConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValueError("id out of range")  # Django then tries the next pattern: 404
        return number

    def to_url(self, value) -> str:
        return str(int(value))
