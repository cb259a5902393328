# RW-ACR-008: password1 expires 2026-02-01 (cases run on 2026-01-15)

resource "azurerm_container_registry" "acr" {
  name                = "acrcase01"
  resource_group_name = "rg-registry"
  location            = "westeurope"
  sku                 = "Premium"
}

resource "azurerm_container_registry_scope_map" "app_pull" {
  name                    = "app-pull"
  container_registry_name = azurerm_container_registry.acr.name
  resource_group_name     = "rg-registry"
  actions                 = ["repositories/app/content/read", "repositories/app/metadata/read"]
}

resource "azurerm_container_registry_token" "deploy" {
  name                    = "deploy"
  container_registry_name = azurerm_container_registry.acr.name
  resource_group_name     = "rg-registry"
  scope_map_id            = azurerm_container_registry_scope_map.app_pull.id
  enabled                 = true
}

resource "azurerm_container_registry_token_password" "deploy" {
  container_registry_token_id = azurerm_container_registry_token.deploy.id

  password1 {
    expiry = "2026-02-01T00:00:00Z"
  }
}
