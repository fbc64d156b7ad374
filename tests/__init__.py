"""The suite: mirrors the layout; factories build the data, loopback servers stand in for outside services."""
