# RW-ACR-005: two principals can delete

resource "azurerm_container_registry" "acr" {
  name                = "acrcase01"
  resource_group_name = "rg-registry"
  location            = "westeurope"
  sku                 = "Premium"
}

resource "azurerm_role_assignment" "purge" {
  scope                = azurerm_container_registry.acr.id
  role_definition_name = "AcrDelete"
  principal_id         = "aa11bb22-cc33-4d44-8e55-ff6677889900"
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "owner" {
  scope                = azurerm_container_registry.acr.id
  role_definition_name = "Owner"
  principal_id         = "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d"
  principal_type       = "Group"
}
