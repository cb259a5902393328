# RW-ACR-011: public access is not known before apply

variable "public_access" {
  description = "No default and no tfvars: unknown."
}

resource "azurerm_container_registry" "acr" {
  name                          = "acrcase01"
  resource_group_name           = "rg-registry"
  location                      = "westeurope"
  sku                           = "Premium"
  public_network_access_enabled = var.public_access
}
