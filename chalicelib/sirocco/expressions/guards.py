"""Checks made *before* an operation that could build a huge value in one step.

A post-hoc size check is useless against ``'a' * 10**10``: the allocation happens
first. These guards look at the operands and refuse, with a message the workflow
author can act on, when the result would pass the limits. Both engines use them.
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Mapping, Sized
from typing import Any

from .errors import LimitExceeded
from .limits import current_limits, units_of

# A printf-style directive: %[(key)][flags][width][.precision]type
_PRINTF_DIRECTIVE = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_NUMBER = re.compile(r"\d+")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_string_size(length: int) -> None:
    quota = current_limits().memory_quota
    if length > quota:
        raise LimitExceeded(f"the result would be a string of {length} characters, more than the limit of {quota}")


def check_collection_size(length: int) -> None:
    limit = current_limits().max_iterations
    if length > limit:
        raise LimitExceeded(f"the result would have {length} items, more than the limit of {limit}")


def check_int_bits(bits: int) -> None:
    limit = current_limits().max_int_bits
    if bits > limit:
        raise LimitExceeded(f"the result would be an integer of about {bits} bits, more than the limit of {limit}")


def check_repeat(sequence: Any, times: Any) -> None:
    """``sequence * times`` for a string or a list/tuple."""
    if not _is_int(times) or not isinstance(sequence, Sized):
        return
    size = len(sequence) * max(times, 0)
    if isinstance(sequence, str):
        check_string_size(size)
    else:
        check_collection_size(size)


def check_multiply(left: Any, right: Any) -> None:
    """``left * right`` for any operands: repetition or integer product."""
    if _is_int(left) and _is_int(right):
        check_int_bits(left.bit_length() + right.bit_length())
    elif _is_int(right):
        check_repeat(left, right)
    elif _is_int(left):
        check_repeat(right, left)


def check_power(base: Any, exponent: Any, modulo: Any = None) -> None:
    """``base ** exponent``: refuse integer results beyond ``max_int_bits``."""
    if modulo is not None or not (_is_int(base) and _is_int(exponent)):
        return  # modular powers stay small; float powers overflow with an error
    if exponent <= 1 or abs(base) <= 1:
        return
    check_int_bits(int(math.log2(abs(base)) * exponent) + 1)


def check_shift_left(value: Any, bits: Any) -> None:
    if _is_int(value) and _is_int(bits) and bits > 0 and value:
        check_int_bits(value.bit_length() + bits)


def check_concat(left: Any, right: Any) -> None:
    """``left + right`` for strings or lists: the sum of both sizes."""
    if isinstance(left, str) and isinstance(right, str):
        check_string_size(len(left) + len(right))
    elif isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)):
        check_collection_size(len(left) + len(right))


def check_replace(text: Any, old: Any, new: Any, count: Any = -1) -> None:
    if not (isinstance(text, str) and isinstance(old, str) and isinstance(new, str)):
        return
    hits = len(text) + 1 if old == "" else text.count(old)
    if _is_int(count) and count >= 0:
        hits = min(hits, count)
    check_string_size(len(text) + hits * (len(new) - len(old)))


def check_strings_total(*parts: Any) -> None:
    """Concatenating strings builds the sum of their lengths."""
    check_string_size(sum(len(p) for p in parts if isinstance(p, str)))


def check_replace_all(text: Any, replacements: Any, count: Any = -1) -> None:
    """yaql's ``text.replace({old => new, ...})``: the replacements apply one after another."""
    if not isinstance(text, str) or not isinstance(replacements, Mapping):
        return
    size = len(text)
    for old, new in replacements.items():
        old_size, new_size = _text_size(old), _text_size(new)
        hits = size + 1 if old_size == 0 else size // old_size
        if _is_int(count) and count >= 0:
            hits = min(hits, count)
        size += hits * max(new_size - old_size, 0)
        check_string_size(size)


def check_regex_replace(regexp: Any, text: Any, repl: Any, count: Any = 0) -> None:
    """``regexp.sub(repl, text)``: count the matches first (an empty pattern matches
    everywhere; ``\\g<0>`` in ``repl`` copies a whole match)."""
    if not isinstance(text, str) or not isinstance(repl, str) or not hasattr(regexp, "finditer"):
        return
    hits = longest = 0
    for match in regexp.finditer(text):
        hits += 1
        longest = max(longest, match.end() - match.start())
        if _is_int(count) and 0 < count <= hits:
            break
    per_hit = len(repl) * max(longest, 1) if "\\" in repl else len(repl)
    check_string_size(len(text) + hits * per_hit)


def metered_replacements(text: Any, produce: Any) -> Any:
    """Wrap a replacement function so that the text it builds stays within the limit."""
    total = [len(text) if isinstance(text, str) else 0]

    def replacement(*args: Any, **kwargs: Any) -> Any:
        value = produce(*args, **kwargs)
        total[0] += _text_size(value)
        check_string_size(total[0])
        return value

    return replacement


def check_width(width: Any) -> None:
    """Padding functions (center, ljust, rjust, zfill, indent) build ``width`` characters."""
    if _is_int(width):
        check_string_size(width)


def check_join(separator: Any, items: list[Any]) -> None:
    check_collection_size(len(items))
    sep = len(separator) if isinstance(separator, str) else 0
    total = sep * max(len(items) - 1, 0) + sum(len(i) if isinstance(i, str) else 8 * units_of(i) for i in items)
    check_string_size(total)


def _text_size(value: Any) -> int:
    """About how long ``str(value)`` is, without building it."""
    return len(value) if isinstance(value, str) else 8 * units_of(value)


def check_printf(template: Any, values: Any = ()) -> None:
    """``template % values``: refuse ``*`` widths, widths past the string limit, and
    results past it (each directive inserts a value; ``%(key)s`` may repeat one)."""
    if not isinstance(template, str) or "%" not in template:
        return
    directives = 0
    for match in _PRINTF_DIRECTIVE.finditer(template):
        directives += 1
        for part in match.groups():
            if part == "*":
                raise LimitExceeded("'*' widths are not allowed in % formatting")
            if part is not None:
                check_string_size(int(part))
    if isinstance(values, Mapping):
        largest = max((_text_size(v) for v in values.values()), default=0)
        check_string_size(len(template) + directives * largest)
    else:
        items = values if isinstance(values, tuple) else (values,)
        check_string_size(len(template) + sum(_text_size(v) for v in items))


def check_format(template: Any, args: tuple[Any, ...] = (), kwargs: Mapping[str, Any] | None = None) -> None:
    """``template.format(...)``: refuse nested specs, widths past the string limit, and
    results past it (a field may repeat the same argument)."""
    if not isinstance(template, str) or "{" not in template:
        return
    try:
        fields = list(string.Formatter().parse(template))
    except ValueError:
        return  # str.format will report the malformed template itself
    count = 0
    for _literal, field, spec, _conversion in fields:
        if field is not None:
            count += 1
        if not spec:
            continue
        if "{" in spec:
            raise LimitExceeded("nested replacement fields are not allowed in format specs")
        for number in _NUMBER.findall(spec):
            check_string_size(int(number))
    values = [*args, *(kwargs or {}).values()]
    largest = max((_text_size(v) for v in values), default=0)
    check_string_size(len(template) + count * largest)
