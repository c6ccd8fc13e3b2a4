"""Reading survey exports and writing outputs safely."""
