# RW-ACR-020: not known before apply

variable "quarantine" {
  description = "No default and no tfvars: unknown."
}

resource "azurerm_container_registry" "acr" {
  name                      = "acrcase01"
  resource_group_name       = "rg-registry"
  location                  = "westeurope"
  sku                       = "Premium"
  quarantine_policy_enabled = var.quarantine
}
