# RW-ACR-004: only the CI service principal holds AcrPush

resource "azurerm_container_registry" "acr" {
  name                = "acrcase01"
  resource_group_name = "rg-registry"
  location            = "westeurope"
  sku                 = "Premium"
}

resource "azurerm_role_assignment" "ci_push" {
  scope                = azurerm_container_registry.acr.id
  role_definition_name = "AcrPush"
  principal_id         = "aa11bb22-cc33-4d44-8e55-ff6677889900"
  principal_type       = "ServicePrincipal"
}
