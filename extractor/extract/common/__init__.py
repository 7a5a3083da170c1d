"""Number reading shared by the field rules: digits, decimals, number words."""
