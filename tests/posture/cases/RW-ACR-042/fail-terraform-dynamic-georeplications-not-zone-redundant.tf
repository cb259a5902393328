locals {
  replicas = { dr = { location = "northeurope", zone_redundant = false } }
}

resource "azurerm_container_registry" "acr" {
  name                    = "contosoprod01"
  resource_group_name     = "rg-registry"
  location                = "westeurope"
  sku                     = "Premium"
  zone_redundancy_enabled = true

  dynamic "georeplications" {
    for_each = local.replicas
    content {
      location                = georeplications.value.location
      zone_redundancy_enabled = georeplications.value.zone_redundant
    }
  }
}
