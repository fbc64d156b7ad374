"""Settings, database, identity and tenancy, errors, entitlements, jobs and the object store: the base
every service stands on."""
