"""The seller's variant manager: the variant grid, inventory status and sales per variant."""
