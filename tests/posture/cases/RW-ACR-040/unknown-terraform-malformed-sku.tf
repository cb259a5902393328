# A SKU written as a list: it cannot be read, and geo-replication depends on it (Premium only).
resource "azurerm_container_registry" "acr" {
  name                = "contosoprod01"
  resource_group_name = "rg-registry"
  location            = "westeurope"
  sku                 = ["Premium"]

  georeplications {
    location = "northeurope"
  }
}
