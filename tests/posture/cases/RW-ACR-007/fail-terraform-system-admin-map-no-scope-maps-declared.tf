# RW-ACR-007: no scope map is declared, but the token uses the system map _repositories_admin (all repositories)

resource "azurerm_container_registry" "acr" {
  name                = "acrcase01"
  resource_group_name = "rg-registry"
  location            = "westeurope"
  sku                 = "Premium"
}

resource "azurerm_container_registry_token" "ops" {
  name                    = "ops"
  container_registry_name = azurerm_container_registry.acr.name
  resource_group_name     = "rg-registry"
  scope_map_id            = "${azurerm_container_registry.acr.id}/scopeMaps/_repositories_admin"
}
