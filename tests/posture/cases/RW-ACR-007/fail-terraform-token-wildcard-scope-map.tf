# RW-ACR-007: the scope map grants every repository

resource "azurerm_container_registry" "acr" {
  name                = "acrcase01"
  resource_group_name = "rg-registry"
  location            = "westeurope"
  sku                 = "Premium"
}

resource "azurerm_container_registry_scope_map" "all_repos" {
  name                    = "all-repos"
  container_registry_name = azurerm_container_registry.acr.name
  resource_group_name     = "rg-registry"
  actions                 = ["repositories/*/content/read", "repositories/*/content/write"]
}

resource "azurerm_container_registry_token" "deploy" {
  name                    = "deploy"
  container_registry_name = azurerm_container_registry.acr.name
  resource_group_name     = "rg-registry"
  scope_map_id            = azurerm_container_registry_scope_map.all_repos.id
  enabled                 = true
}
