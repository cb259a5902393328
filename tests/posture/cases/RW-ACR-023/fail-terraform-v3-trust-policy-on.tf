# RW-ACR-023: azurerm v3: trust_policy { enabled = true }

resource "azurerm_container_registry" "acr" {
  name                = "acrcase01"
  resource_group_name = "rg-registry"
  location            = "westeurope"
  sku                 = "Premium"

  trust_policy {
    enabled = true
  }
}
