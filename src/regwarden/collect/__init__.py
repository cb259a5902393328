"""Adapters: the only code that reads vendor formats, one sub-package per family (`azure/`, `terraform/`,
`sbomfile/`). Helpers every family may use sit here: `coerce` (loose scalars), `json_shapes` (checked JSON access)
and `loader` (sniffs a posture input file and hands it to the Azure or Terraform adapter)."""
