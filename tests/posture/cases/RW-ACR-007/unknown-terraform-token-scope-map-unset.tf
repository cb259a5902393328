# RW-ACR-007: the token's scope map id is not known before apply

variable "scope_map_id" {
  description = "No default and no tfvars: unknown."
}

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
  scope_map_id            = var.scope_map_id
  enabled                 = true
}
