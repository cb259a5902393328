# RW-ACR-023: azurerm v4: trust_policy_enabled = false

resource "azurerm_container_registry" "acr" {
  name                 = "acrcase01"
  resource_group_name  = "rg-registry"
  location             = "westeurope"
  sku                  = "Premium"
  trust_policy_enabled = false
}
