"""Course service: courses, modules, lessons, enrollments, progress, drip unlocks, importing."""
