"""The buyer's option picker on the product page: which values exist, which are sold out."""
