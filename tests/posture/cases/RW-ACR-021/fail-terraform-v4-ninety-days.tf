# RW-ACR-021: azurerm v4: retention_policy_in_days = 90 (maximum 30)

resource "azurerm_container_registry" "acr" {
  name                     = "acrcase01"
  resource_group_name      = "rg-registry"
  location                 = "westeurope"
  sku                      = "Premium"
  retention_policy_in_days = 90
}
