# A SKU written as an object (the ARM shape) where azurerm takes a name: it cannot be read.
resource "azurerm_container_registry" "acr" {
  name                = "contosoprod01"
  resource_group_name = "rg-registry"
  location            = "westeurope"
  sku                 = { name = "Premium" }
}
