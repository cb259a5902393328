# RW-ACR-051: the name is not known before apply

variable "registry_name" {
  description = "No default and no tfvars: unknown."
}

resource "azurerm_container_registry" "acr" {
  name                = var.registry_name
  resource_group_name = "rg-registry"
  location            = "westeurope"
  sku                 = "Premium"
}
