# RW-ACR-016: not known before apply

variable "data_endpoints" {
  description = "No default and no tfvars: unknown."
}

resource "azurerm_container_registry" "acr" {
  name                  = "acrcase01"
  resource_group_name   = "rg-registry"
  location              = "westeurope"
  sku                   = "Premium"
  data_endpoint_enabled = var.data_endpoints
}
