# RW-ACR-001: admin_enabled comes from a value unknown before apply

variable "admin_enabled" {
  description = "No default and no tfvars: unknown."
}

resource "azurerm_container_registry" "acr" {
  name                = "acrcase01"
  resource_group_name = "rg-registry"
  location            = "westeurope"
  sku                 = "Premium"
  admin_enabled       = var.admin_enabled
}
