"""Store themes and customization (spec Shomp.Themes): themes shipped as data, each store's draft
and published appearance, its assets, and the custom-CSS sanitiser."""
