"""Settings, database, identity and tenancy, errors and jobs wiring: the base every service stands on."""
