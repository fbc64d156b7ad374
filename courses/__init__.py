"""Course service: courses, modules, lessons, enrollments, progress, drip unlocks, importing."""

from courses import enrollments as _enrollments  # noqa: F401  (registers: enrollments follow entitlements)
