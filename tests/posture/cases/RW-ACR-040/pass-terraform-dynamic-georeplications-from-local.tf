locals {
  replicas = [
    { location = "northeurope", zone_redundant = true },
    { location = "swedencentral", zone_redundant = true },
  ]
}

resource "azurerm_container_registry" "acr" {
  name                = "contosoprod01"
  resource_group_name = "rg-registry"
  location            = "westeurope"
  sku                 = "Premium"

  dynamic "georeplications" {
    for_each = local.replicas
    content {
      location                = georeplications.value["location"]
      zone_redundancy_enabled = georeplications.value.zone_redundant
    }
  }
}
