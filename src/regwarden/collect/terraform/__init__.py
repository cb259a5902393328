"""Terraform inputs → `Registry`: `terraform show -json` plans and state (`plan`) and `.tf` sources (`hcl`), both
reduced to `common.TfResource`s and mapped onto the model once (`mapping`)."""
