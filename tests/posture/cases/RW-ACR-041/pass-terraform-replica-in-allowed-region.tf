# RW-ACR-041: the replica is in an allowed region

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
