# RW-ACR-042: zone_redundancy_enabled on the registry and its replica

resource "azurerm_container_registry" "acr" {
  name                    = "acrcase01"
  resource_group_name     = "rg-registry"
  location                = "westeurope"
  sku                     = "Premium"
  zone_redundancy_enabled = true

  georeplications {
    location                = "northeurope"
    zone_redundancy_enabled = true
  }
}
