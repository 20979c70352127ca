"""N: narrative rules — what the text says agrees with the tables and with itself."""
