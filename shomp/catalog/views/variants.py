"""The seller's options, variants and inventory pages (/dashboard/products/<id>/variants/)."""
