# RW-ACR-040: the v1/v2 `georeplication_locations` list naming only the home region (spelled differently).

resource "azurerm_container_registry" "acr" {
  name                     = "acrcase01"
  resource_group_name      = "rg-registry"
  location                 = "westus"
  sku                      = "Premium"
  georeplication_locations = ["West US"]
}
