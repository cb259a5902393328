# RW-ACR-015: replicated, no azurerm_private_endpoint in this configuration

resource "azurerm_container_registry" "acr" {
  name                = "acrcase01"
  resource_group_name = "rg-registry"
  location            = "westeurope"
  sku                 = "Premium"

  georeplications {
    location                = "northeurope"
    zone_redundancy_enabled = true
  }
}
