# RW-ACR-018: not known before apply

variable "export" {
  description = "No default and no tfvars: unknown."
}

resource "azurerm_container_registry" "acr" {
  name                  = "acrcase01"
  resource_group_name   = "rg-registry"
  location              = "westeurope"
  sku                   = "Premium"
  export_policy_enabled = var.export
}
