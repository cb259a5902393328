# RW-ACR-040: azurerm v1/v2 listed replica regions in `georeplication_locations` (the provider docs' example
# of that era, with "${...}" interpolation); v3 replaced it with georeplications blocks.

resource "azurerm_resource_group" "rg" {
  name     = "rg-registry"
  location = "West US"
}

resource "azurerm_container_registry" "acr" {
  name                     = "acrcase01"
  resource_group_name      = "${azurerm_resource_group.rg.name}"
  location                 = "${azurerm_resource_group.rg.location}"
  sku                      = "Premium"
  admin_enabled            = false
  georeplication_locations = ["East US", "West Europe"]
}
