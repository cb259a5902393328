# RW-ACR-021: azurerm v4: the days are not known before apply

variable "retention_days" {
  description = "No default and no tfvars: unknown."
}

resource "azurerm_container_registry" "acr" {
  name                     = "acrcase01"
  resource_group_name      = "rg-registry"
  location                 = "westeurope"
  sku                      = "Premium"
  retention_policy_in_days = var.retention_days
}
