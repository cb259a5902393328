# RW-ACR-021: azurerm v3: retention_policy { enabled = true, days = 7 }

resource "azurerm_container_registry" "acr" {
  name                = "acrcase01"
  resource_group_name = "rg-registry"
  location            = "westeurope"
  sku                 = "Premium"

  retention_policy {
    enabled = true
    days    = 7
  }
}
