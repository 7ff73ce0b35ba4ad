"""Store what the desk decided about claims."""
