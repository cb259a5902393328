# RW-ACR-006: the kubelet identity only pulls

resource "azurerm_container_registry" "acr" {
  name                = "acrcase01"
  resource_group_name = "rg-registry"
  location            = "westeurope"
  sku                 = "Premium"
}

resource "azurerm_role_assignment" "kubelet" {
  scope                = azurerm_container_registry.acr.id
  role_definition_name = "AcrPull"
  principal_id         = "8d9e0f1a-2b3c-4d4e-8f5a-6b7c8d9e0f1a"
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "ci" {
  scope                = azurerm_container_registry.acr.id
  role_definition_name = "AcrPush"
  principal_id         = "aa11bb22-cc33-4d44-8e55-ff6677889900"
  principal_type       = "ServicePrincipal"
}
