"""Exact rational arithmetic on whole columns: numerators and denominators in integer arrays.

The scoring engine works on every unit of a round at once. A value is ``num / den`` with
``den > 0``, kept in lowest terms. Arrays are ``int64`` while every operation's result
provably fits; an operation whose operands could overflow is done on Python integers
(``object`` arrays) for the rows at risk, and the result goes back to ``int64`` once it
fits again. Nothing is ever approximated: float64 is used only to *estimate* magnitudes.

Answers' numbers are floats holding the decimal the user typed (``repr`` gives it back);
`from_floats` turns them into exact decimals the way ``Fraction(repr(x))`` does, in bulk.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[Any]  # int64, or object (Python ints) where int64 could overflow
# A product below 2**61 in magnitude fits int64 and so does the sum of two of them.
_SAFE = 2.0**61
_INT64_MAX = np.iinfo(np.int64).max
# Decimal places tried when reading a float as the decimal it prints as; beyond them (or
# beyond 15 significant digits) the float is converted one by one with Fraction(repr(x)).
_MAX_PLACES = 6
_MAX_DIGITS = 1e15


def _big(values: IntArray) -> IntArray:
    return values.astype(object)


def _fits(values: IntArray) -> bool:
    if values.dtype != object:
        return True
    if values.size == 0:
        return True
    return bool(max(abs(int(v)) for v in values) <= _INT64_MAX)


def _compact(values: IntArray) -> IntArray:
    """int64 when every value fits, else the Python-int array as it is."""
    return values.astype(np.int64) if values.dtype == object and _fits(values) else values


def _risky(a: IntArray, b: IntArray) -> npt.NDArray[np.bool_]:
    """Rows where a * b might not fit int64 (estimated in float64, with margin)."""
    return np.asarray(np.abs(a.astype(np.float64)) * np.abs(b.astype(np.float64)) >= _SAFE)


def mul(a: IntArray, b: IntArray) -> IntArray:
    """Elementwise a * b, exact: int64 where safe, Python ints for the rows at risk."""
    if a.dtype == object or b.dtype == object:
        return _compact(_big(a) * _big(b))
    risky = _risky(a, b)
    if not risky.any():
        return a * b
    out = _big(np.where(risky, 0, a) * np.where(risky, 0, b))
    out[risky] = _big(a[risky]) * _big(b[risky])
    return _compact(out)


def add_int(a: IntArray, b: IntArray) -> IntArray:
    """Elementwise a + b of two products computed by `mul` (each below 2**61 when int64)."""
    if a.dtype == object or b.dtype == object:
        return _compact(_big(a) + _big(b))
    near = (np.abs(a.astype(np.float64)) >= _SAFE) | (np.abs(b.astype(np.float64)) >= _SAFE)
    if not near.any():
        return a + b
    return _compact(_big(a) + _big(b))


@dataclass(frozen=True)
class Q:
    """A column of exact rationals num / den (den > 0, lowest terms)."""

    num: IntArray
    den: IntArray

    @staticmethod
    def of(num: IntArray, den: IntArray | None = None) -> Q:
        num = np.asarray(num)
        if num.dtype != object:
            num = num.astype(np.int64)
        den = np.ones(len(num), dtype=np.int64) if den is None else np.asarray(den)
        if den.dtype != object:
            den = den.astype(np.int64)
        return Q(num, den).reduced()

    @staticmethod
    def const(value: Fraction | int, size: int) -> Q:
        value = Fraction(value)
        return Q.of(_full(value.numerator, size), _full(value.denominator, size))

    @staticmethod
    def zeros(size: int) -> Q:
        return Q(np.zeros(size, dtype=np.int64), np.ones(size, dtype=np.int64))

    def __len__(self) -> int:
        return len(self.num)

    def reduced(self) -> Q:
        g = np.gcd(self.num, self.den)  # Python's gcd on object arrays
        g = np.where(g == 0, 1, g)
        return Q(_compact(self.num // g), _compact(self.den // g))

    def __add__(self, other: Q) -> Q:
        return Q(add_int(mul(self.num, other.den), mul(other.num, self.den)),
                 mul(self.den, other.den)).reduced()

    def __mul__(self, other: Q) -> Q:
        return Q(mul(self.num, other.num), mul(self.den, other.den)).reduced()

    def divide(self, other: Q) -> Q:
        """self / other where other ≠ 0; rows where other = 0 give 0 (callers mask them)."""
        zero = np.asarray(other.num == 0, dtype=bool)
        sign = np.where(np.asarray(other.num < 0, dtype=bool), -1, 1).astype(np.int64)
        num = mul(mul(self.num, other.den), sign)
        den = mul(mul(self.den, np.where(zero, 1, other.num)), sign)
        return Q(_compact(np.where(zero, 0, num)), den).reduced()

    def ge(self, other: Q) -> npt.NDArray[np.bool_]:
        """self ≥ other, elementwise."""
        left, right = mul(self.num, other.den), mul(other.num, self.den)
        return np.asarray(left >= right, dtype=bool)

    def is_zero(self) -> npt.NDArray[np.bool_]:
        return np.asarray(self.num == 0, dtype=bool)

    def where(self, mask: npt.NDArray[np.bool_], other: Q) -> Q:
        """self where mask, else other."""
        num = np.where(mask, self.num, other.num)
        den = np.where(mask, self.den, other.den)
        return Q(_compact(num), _compact(den))

    def minimum(self, other: Q) -> Q:
        return self.where(other.ge(self), other)

    def maximum(self, other: Q) -> Q:
        return self.where(self.ge(other), other)

    def take(self, index: npt.NDArray[np.intp]) -> Q:
        return Q(self.num[index], self.den[index])

    def fractions(self) -> list[Fraction]:
        """As Python fractions (small selections: group bests, tests)."""
        return [Fraction(int(n), int(d)) for n, d in zip(self.num, self.den)]

    def approx(self) -> npt.NDArray[np.float64]:
        """float64 approximation, to order values before an exact comparison."""
        if self.num.dtype == object or self.den.dtype == object:
            return np.asarray([float(f) for f in self.fractions()], dtype=np.float64)
        return np.asarray(self.num / self.den, dtype=np.float64)


def _full(value: int, size: int) -> IntArray:
    if abs(value) <= _INT64_MAX:
        return np.full(size, value, dtype=np.int64)
    return np.full(size, value, dtype=object)


def half_up(values: Q, places: int = 2) -> IntArray:
    """Round half away from zero to `places` decimals, as whole units of 10**-places
    (2.345 → 235): floor((2·|n|·10^p + d) / (2·d)), the sign put back."""
    num, den, size = values.num, values.den, len(values)
    sign = np.where(np.asarray(num < 0, dtype=bool), -1, 1).astype(np.int64)
    total = add_int(mul(np.abs(num), _full(2 * 10**places, size)), den)
    whole = total // mul(den, _full(2, size))
    return _compact(mul(whole, sign))


def from_floats(values: npt.NDArray[np.float64]) -> Q:
    """Exact decimals of floats as ``Fraction(repr(x))`` gives them; NaN → 0.

    A float read as m / 10**k with at most 15 significant digits is that decimal exactly
    when m / 10**k rounds back to it (IEEE division is correctly rounded) — and no other
    decimal of at most 15 digits does, so it is the one ``repr`` prints. Floats not found
    that way (more digits, or huge) are converted one by one."""
    x = np.asarray(values, dtype=np.float64)
    num = np.zeros(len(x), dtype=np.int64)
    den = np.ones(len(x), dtype=np.int64)
    todo = np.isfinite(x)
    for places in range(_MAX_PLACES + 1):
        if not todo.any():
            break
        scale = 10.0**places
        idx = np.flatnonzero(todo)
        with np.errstate(over="ignore", invalid="ignore"):  # huge values: left to the loop
            m = np.round(x[idx] * scale)
            ok = (np.abs(m) < _MAX_DIGITS) & (m / scale == x[idx])
        num[idx[ok]] = m[ok].astype(np.int64)
        den[idx[ok]] = 10**places
        todo[idx[ok]] = False
    if not todo.any():
        return Q(num, den).reduced()
    big_num, big_den = num.astype(object), den.astype(object)
    for i in np.flatnonzero(todo):
        exact = Fraction(repr(float(x[i])))
        big_num[i], big_den[i] = exact.numerator, exact.denominator
    return Q(_compact(big_num), _compact(big_den)).reduced()
