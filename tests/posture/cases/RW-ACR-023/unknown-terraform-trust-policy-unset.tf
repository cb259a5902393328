# RW-ACR-023: not known before apply

variable "content_trust" {
  description = "No default and no tfvars: unknown."
}

resource "azurerm_container_registry" "acr" {
  name                 = "acrcase01"
  resource_group_name  = "rg-registry"
  location             = "westeurope"
  sku                  = "Premium"
  trust_policy_enabled = var.content_trust
}
