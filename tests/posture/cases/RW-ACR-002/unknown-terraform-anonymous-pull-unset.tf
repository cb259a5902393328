# RW-ACR-002: anonymous_pull_enabled is not known before apply

variable "anonymous_pull" {
  description = "No default and no tfvars: unknown."
}

resource "azurerm_container_registry" "acr" {
  name                   = "acrcase01"
  resource_group_name    = "rg-registry"
  location               = "westeurope"
  sku                    = "Standard"
  anonymous_pull_enabled = var.anonymous_pull
}
