# RW-ACR-042: not known before apply

variable "zone_redundancy" {
  description = "No default and no tfvars: unknown."
}

resource "azurerm_container_registry" "acr" {
  name                    = "acrcase01"
  resource_group_name     = "rg-registry"
  location                = "westeurope"
  sku                     = "Premium"
  zone_redundancy_enabled = var.zone_redundancy
}
