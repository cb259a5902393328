# RW-ACR-012: the default action is not known before apply

variable "default_action" {
  description = "No default and no tfvars: unknown."
}

resource "azurerm_container_registry" "acr" {
  name                = "acrcase01"
  resource_group_name = "rg-registry"
  location            = "westeurope"
  sku                 = "Premium"

  network_rule_set {
    default_action = var.default_action
  }
}
